"""Withdrawing each consent scope, then trying every route that could still show the photo:
API reads, image bytes, search, saved searches, and the portal's series, patient, search and
comparison pages, all on the real server with its real worker."""

import sqlite3
import uuid
from datetime import UTC, datetime

import pytest

from storage.passwords import hash_password
from tests.api.test_api_e2e import (
    ADMIN,
    PASSWORD,
    client,
    close_clients,
    cluster_id,
    upload,
    wait_until_done,
)
from tests.server import Server, create_admin

__all__ = ["close_clients"]  # the autouse fixture that closes the clients of each test
CLINICIAN = "clinician@example.org"
ALL_SCOPES = ["clinical_documentation", "teaching", "research", "publication"]
VARIANTS = ("thumbnail", "preview", "original")


def add_clinician(data_dir, email: str, cluster_name: str) -> None:
    """Members are invited through the accounts work; here the row goes straight in."""
    with sqlite3.connect(data_dir / "sutura.sqlite3") as database:
        user_id = str(uuid.uuid4())
        database.execute(
            "INSERT INTO user_account (id, email, display_name, password_hash, is_system_admin,"
            " is_active, created_at) VALUES (?, ?, ?, ?, 0, 1, ?)",
            (user_id, email, "Dr Clinician", hash_password(PASSWORD), datetime.now(UTC)),
        )
        (cluster,) = database.execute(
            "SELECT id FROM cluster WHERE name = ?", (cluster_name,)
        ).fetchone()
        database.execute(
            "INSERT INTO membership (id, user_id, cluster_id, role) VALUES (?, ?, ?, 'clinician')",
            (str(uuid.uuid4()), user_id, cluster),
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("withdrawal") / "data"
    create_admin(data_dir, ADMIN, PASSWORD, "Plastic Surgery")
    add_clinician(data_dir, CLINICIAN, "Plastic Surgery")
    running = Server(data_dir)
    yield running
    running.stop()


def documented_photo(session):
    """A patient, a series consented for every scope, one processed photo."""
    cpr = f"0101{uuid.uuid4().int % 100:02d}-{uuid.uuid4().int % 4000:04d}"
    patient = session.post(
        "/api/v1/patients",
        json={"cluster_id": cluster_id(session), "name": "Tove Ditlevsen", "cpr": cpr},
    ).json()
    series = session.post(
        f"/api/v1/patients/{patient['id']}/series",
        json={"body_site": "nose", "diagnoses": ["DC443"], "procedures": []},
    ).json()
    given = session.post(
        f"/api/v1/series/{series['id']}/consents",
        json={"scopes": ALL_SCOPES, "given_by": "patient", "method": "signed_on_paper"},
    )
    assert given.status_code == 201, given.text
    photo = upload(session, series["id"], "orient_1_landscape.jpg").json()
    assert wait_until_done(session, photo["id"])["status"] == "ready"
    return patient["id"], series["id"], photo["id"]


def search_hits(session, scope=None, saved=None):
    params = {"cluster_id": cluster_id(session), "diagnosis": "DC443"}
    if scope:
        params["scope"] = scope
    if saved:
        params["saved"] = saved
    answer = session.get("/api/v1/search", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.json()["totals_capped"] is False  # a handful of photos: exact totals
    return {photo for hit in answer.json()["hits"] for photo in hit["photo_ids"]}


def save_search(session, scope):
    body = {
        "cluster_id": cluster_id(session),
        "name": f"DC443 {scope} {uuid.uuid4().hex[:6]}",
        "shared": True,
        "filters": {"diagnosis": "DC443", "scope": scope},
    }
    answer = session.post("/api/v1/saved-searches", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def portal(session, address):
    answer = session.get(address)
    assert answer.status_code == 200
    return answer.text


@pytest.mark.parametrize("scope", ["teaching", "research", "publication"])
def test_withdrawing_a_purpose_removes_the_photo_from_that_purpose_at_once(server, scope):
    session = client(server, CLINICIAN)
    _, series_id, photo_id = documented_photo(session)
    saved = save_search(session, scope)
    cluster = cluster_id(session)
    search_page = f"/search?cluster={cluster}&diagnosis=DC443&scope={scope}"
    before = (search_hits(session, scope), search_hits(session, saved=saved))
    shown_before = photo_id in portal(session, search_page)

    withdrawn = session.post(
        f"/api/v1/series/{series_id}/consents/withdraw",
        json={"scope": scope, "reason": "Asked to be left out", "channel": "email"},
    )

    assert photo_id in before[0] and photo_id in before[1] and shown_before
    assert withdrawn.status_code == 200, withdrawn.text
    assert photo_id not in search_hits(session, scope)
    assert photo_id not in search_hits(session, saved=saved)
    assert photo_id not in portal(session, search_page)
    # Clinical documentation still holds: the clinical routes keep showing the photo.
    assert photo_id in search_hits(session)
    assert session.get(f"/api/v1/photos/{photo_id}/preview").status_code == 200


def test_withdrawing_clinical_documentation_hides_the_photo_on_every_route(server):
    session = client(server, CLINICIAN)
    patient_id, series_id, photo_id = documented_photo(session)
    other = upload(session, series_id, "orient_3_landscape.jpg").json()["id"]
    wait_until_done(session, other)
    saved = {scope: save_search(session, scope) for scope in ALL_SCOPES}
    cluster = cluster_id(session)
    pages = [
        f"/series/{series_id}",
        f"/patients/{patient_id}",
        f"/compare?a={photo_id}&b={other}",
        f"/search?cluster={cluster}&diagnosis=DC443",
        f"/my-series?cluster={cluster}",
        f"/?cluster={cluster}",
    ]
    shown = {page: photo_id in portal(session, page) for page in pages[:1] + pages[2:4]}
    assert all(shown.values()), shown

    withdrawn = session.post(
        f"/api/v1/series/{series_id}/consents/withdraw",
        json={"scope": "all", "reason": "Patient phoned the ward", "channel": "phone"},
    )

    assert withdrawn.status_code == 200, withdrawn.text
    assert session.get(f"/api/v1/series/{series_id}").status_code == 404
    assert session.get(f"/api/v1/photos/{photo_id}").status_code == 404
    for variant in VARIANTS:
        assert session.get(f"/api/v1/photos/{photo_id}/{variant}").status_code == 404
    patient = session.get(f"/api/v1/patients/{patient_id}").json()
    assert series_id not in [s["id"] for s in patient["series"]]
    assert photo_id not in search_hits(session)
    for scope, saved_id in saved.items():
        assert photo_id not in search_hits(
            session, scope if scope != "clinical_documentation" else None, saved_id
        )
    for page in pages:
        html = portal(session, page)
        assert photo_id not in html and series_id not in html, page
    assert upload(session, series_id, "orient_1_landscape.jpg").status_code == 404


def test_the_cluster_admin_sees_why_a_series_is_hidden_but_not_its_photos(server):
    clinician = client(server, CLINICIAN)
    _, series_id, photo_id = documented_photo(clinician)
    clinician.post(
        f"/api/v1/series/{series_id}/consents/withdraw",
        json={
            "scope": "clinical_documentation",
            "reason": "Letter from the patient",
            "channel": "letter",
        },
    )
    admin = client(server)

    page = portal(admin, f"/series/{series_id}")
    details = admin.get(f"/api/v1/series/{series_id}")

    assert "withdrawn-notice" in page and "Letter from the patient" in page
    assert photo_id not in page
    assert details.status_code == 200 and details.json()["photos"] == []
    assert admin.get(f"/api/v1/photos/{photo_id}/preview").status_code == 404
