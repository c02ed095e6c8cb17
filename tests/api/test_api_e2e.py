"""The REST API end to end: the real server process, its embedded Redis and in-process worker."""

import io
import time
import uuid

import httpx
import pytest
from PIL import Image

from tests.conftest import PHOTOS
from tests.server import Server, create_admin

ADMIN = "admin@example.org"
PASSWORD = "a long enough passphrase"
UPLOAD_LIMIT_MB = 3  # the 4 MB Samsung photo is over it, the others under


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("api") / "data"
    create_admin(data_dir, ADMIN, PASSWORD, "Plastic Surgery")
    running = Server(data_dir, SUTURA_MAX_UPLOAD_MB=str(UPLOAD_LIMIT_MB))
    yield running
    running.stop()


_OPEN: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def close_clients():
    yield
    while _OPEN:
        _OPEN.pop().close()


def client(server, email=ADMIN, password=PASSWORD):
    session = httpx.Client(base_url=server.url, timeout=30)
    _OPEN.append(session)
    answer = session.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return session


def cluster_id(session, name="Plastic Surgery"):
    me = session.get("/api/v1/me").json()
    return next(m["cluster_id"] for m in me["memberships"] if m["cluster_name"] == name)


def new_series(session, cpr=None, consent=True):
    # Serials below 4000 put birth in the 1900s, so any random one is valid.
    cpr = cpr or f"0101{uuid.uuid4().int % 100:02d}-{uuid.uuid4().int % 4000:04d}"
    patient = session.post(
        "/api/v1/patients",
        json={"cluster_id": cluster_id(session), "name": "Astrid Lindgren", "cpr": cpr},
    )
    assert patient.status_code == 201, patient.text
    series = session.post(
        f"/api/v1/patients/{patient.json()['id']}/series",
        json={"body_site": "face", "diagnoses": ["DC430"], "procedures": [], "title": "Lip"},
    )
    assert series.status_code == 201, series.text
    if consent:
        given = session.post(
            f"/api/v1/series/{series.json()['id']}/consents",
            json={"scopes": ["clinical_documentation"], "given_by": "patient", "method": "verbal"},
        )
        assert given.status_code == 201, given.text
    return series.json()["id"]


def upload(session, series_id, name, client_id=None, phase="pre_op"):
    data = (PHOTOS / name).read_bytes()
    return session.post(
        f"/api/v1/series/{series_id}/photos",
        files={"file": (name, data, "application/octet-stream")},
        data={
            "phase": phase,
            "view": "face_frontal",
            "client_id": client_id or uuid.uuid4().hex,
            "captured_at": "2026-12-04T09:30:00Z",
        },
    )


def wait_until_done(session, photo_id, timeout_s=60):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        photo = session.get(f"/api/v1/photos/{photo_id}").json()
        if photo["status"] in ("ready", "rejected"):
            return photo
        time.sleep(0.2)
    raise AssertionError("photo was not processed in time")


def test_health_names_database_queue_and_worker(server):
    answer = httpx.get(f"{server.url}/healthz")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok", "queue": "ok", "worker": "ok"}


def test_openapi_schema_lists_the_routes(server):
    schema = httpx.get(f"{server.url}/api/v1/openapi.json").json()

    assert "/api/v1/series/{series_id}/photos" in schema["paths"]
    assert "/api/v1/auth/login" in schema["paths"]


def test_taxonomy_search_finds_codes_and_words_in_both_languages(server):
    session = client(server)

    by_code = session.get("/api/v1/taxonomy/search", params={"q": "C43.0", "kind": "diagnosis"})
    danish = session.get("/api/v1/taxonomy/search", params={"q": "læbe", "kind": "diagnosis"})
    english = session.get("/api/v1/taxonomy/search", params={"q": "melanoma lip", "language": "en"})
    unknown_kind = session.get("/api/v1/taxonomy/search", params={"q": "x", "kind": "tag"})

    assert by_code.json()[0]["code"] == "DC430"
    assert "DC430" in [hit["code"] for hit in danish.json()]
    assert english.json()[0]["code"] == "DC430" and "lip" in english.json()[0]["label"].lower()
    assert unknown_kind.status_code == 422


def test_wrong_password_and_no_session_are_refused(server):
    wrong = httpx.post(
        f"{server.url}/api/v1/auth/login", json={"email": ADMIN, "password": "not the password"}
    )
    unknown = httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"email": "nobody@example.org", "password": "not the password"},
    )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert httpx.get(f"{server.url}/api/v1/me").status_code == 401
    assert httpx.get(f"{server.url}/api/v1/taxonomy").status_code == 401


def test_session_cookie_is_httponly_and_strict(server):
    answer = httpx.post(
        f"{server.url}/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD}
    )

    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie


def test_a_real_phone_photo_arrives_upright_and_stripped(server):
    session = client(server)
    series_id = new_series(session)

    answer = upload(session, series_id, "phone_samsung_galaxy_s_orient6_gps.jpg")

    assert answer.status_code == 202, answer.text
    photo = wait_until_done(session, answer.json()["id"])
    assert photo["status"] == "ready" and (photo["width"], photo["height"]) == (480, 640)
    for variant in ("thumbnail", "preview", "original"):
        served = session.get(f"/api/v1/photos/{photo['id']}/{variant}")
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/jpeg"
        assert served.headers["cache-control"] == "no-store"
        assert served.headers["x-content-type-options"] == "nosniff"
        image = Image.open(io.BytesIO(served.content))
        assert 0x8825 not in image.getexif()
    preview = Image.open(io.BytesIO(session.get(f"/api/v1/photos/{photo['id']}/preview").content))
    assert preview.height > preview.width
    series = session.get(f"/api/v1/series/{series_id}").json()
    assert [p["id"] for p in series["photos"]] == [photo["id"]]


def test_same_client_id_returns_the_same_photo(server):
    session = client(server)
    series_id = new_series(session)

    first = upload(session, series_id, "orient_1_landscape.jpg", client_id="retry-1")
    second = upload(session, series_id, "orient_1_landscape.jpg", client_id="retry-1")

    assert (first.status_code, second.status_code) == (202, 200)
    assert first.json()["id"] == second.json()["id"]
    assert len(session.get(f"/api/v1/series/{series_id}").json()["photos"]) == 1


def test_hostile_file_is_rejected_with_a_reason_and_never_served(server):
    session = client(server)
    series_id = new_series(session)

    answer = upload(session, series_id, "not_image_html.jpg")
    photo = wait_until_done(session, answer.json()["id"])

    assert photo["status"] == "rejected"
    assert "not a photo" in photo["reject_reason"]
    assert session.get(f"/api/v1/photos/{photo['id']}/original").status_code == 404


def test_upload_over_the_size_limit_is_413(server):
    session = client(server)
    series_id = new_series(session)

    answer = upload(session, series_id, "phone_samsung_galaxy_s7edge_12mp_gps.jpg")

    assert answer.status_code == 413
    assert f"{UPLOAD_LIMIT_MB} MB" in answer.json()["detail"]
    assert session.get(f"/api/v1/series/{series_id}").json()["photos"] == []


def test_series_without_consent_refuses_photos(server):
    session = client(server)
    series_id = new_series(session, consent=False)

    answer = upload(session, series_id, "orient_1_landscape.jpg")

    assert answer.status_code == 409
    assert "consent" in answer.json()["detail"]


def test_withdrawal_hides_the_photo_on_every_route(server):
    session = client(server)
    series_id = new_series(session)
    photo = wait_until_done(
        session, upload(session, series_id, "orient_2_landscape.jpg").json()["id"]
    )

    withdrawn = session.post(
        f"/api/v1/series/{series_id}/consents/withdraw",
        json={"scope": "clinical_documentation", "reason": "Patient wrote on 4 Dec"},
    )

    assert withdrawn.status_code == 200
    for path in ("", "/thumbnail", "/preview", "/original"):
        assert session.get(f"/api/v1/photos/{photo['id']}{path}").status_code == 404
    assert session.get(f"/api/v1/series/{series_id}").json()["photos"] == []
    assert upload(session, series_id, "orient_1_landscape.jpg").status_code == 409


def test_another_clusters_member_gets_404_everywhere(server, tmp_path):
    owner = client(server)
    series_id = new_series(owner)
    photo = wait_until_done(owner, upload(owner, series_id, "orient_1_landscape.jpg").json()["id"])
    patient_id = owner.get(f"/api/v1/series/{series_id}").json()["patient_id"]
    create_admin(server.data_dir, "hand@example.org", PASSWORD, "Hand Surgery")
    stranger = client(server, "hand@example.org")

    answers = {
        "patient": stranger.get(f"/api/v1/patients/{patient_id}"),
        "list": stranger.get(f"/api/v1/patients?cluster_id={cluster_id(owner)}"),
        "series": stranger.get(f"/api/v1/series/{series_id}"),
        "new series": stranger.post(
            f"/api/v1/patients/{patient_id}/series",
            json={"body_site": "face", "diagnoses": ["DC430"]},
        ),
        "consent": stranger.post(
            f"/api/v1/series/{series_id}/consents",
            json={"scopes": ["teaching"], "given_by": "patient", "method": "verbal"},
        ),
        "upload": upload(stranger, series_id, "orient_1_landscape.jpg"),
        "photo": stranger.get(f"/api/v1/photos/{photo['id']}"),
        "thumbnail": stranger.get(f"/api/v1/photos/{photo['id']}/thumbnail"),
        "original": stranger.get(f"/api/v1/photos/{photo['id']}/original"),
    }

    assert {what: a.status_code for what, a in answers.items()} == dict.fromkeys(answers, 404)
    assert owner.get(f"/api/v1/photos/{photo['id']}/thumbnail").status_code == 200


def test_validation_errors_are_422_with_a_readable_message(server):
    session = client(server)
    cid = cluster_id(session)

    bad_cpr = session.post(
        "/api/v1/patients", json={"cluster_id": cid, "name": "X Y", "cpr": "310290-1234"}
    )
    extra_field = session.post(
        "/api/v1/patients",
        json={"cluster_id": cid, "name": "X Y", "cpr": "010190-1234", "role": "admin"},
    )
    bad_phase = upload(session, new_series(session), "orient_1_landscape.jpg", phase="later")

    assert bad_cpr.status_code == 422 and "date" in bad_cpr.json()["detail"]
    assert bad_cpr.json()["field"] == "cpr"
    assert extra_field.status_code == 422 and "role" in extra_field.json()["detail"]
    assert bad_phase.status_code == 422 and bad_phase.json()["field"] == "phase"


def test_cross_site_posts_are_refused(server):
    session = client(server)

    answer = session.post(
        "/api/v1/clusters", json={"name": "Evil"}, headers={"Origin": "https://evil.invalid"}
    )

    assert answer.status_code == 403


def test_logout_ends_the_session(server):
    session = client(server)

    assert session.post("/api/v1/auth/logout").status_code == 204

    assert session.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"\x00garbage" * 600, "multipart/form-data; boundary=xyz", "well-formed"),
        (
            b'--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\n\xff\xd8\xff',
            "multipart/form-data; boundary=xyz",
            "cut off",
        ),
        (
            b"--xyz\r\nX-Big: " + b"a" * 10_000 + b"\r\n\r\n",
            "multipart/form-data; boundary=xyz",
            "well-formed",
        ),
        (b"{}", "application/json", "multipart"),
    ],
)
def test_malformed_uploads_are_422_and_leave_nothing(server, body, content_type, message):
    session = client(server)
    series_id = new_series(session)

    answer = session.post(
        f"/api/v1/series/{series_id}/photos", content=body, headers={"Content-Type": content_type}
    )

    assert answer.status_code == 422, answer.text
    assert message in answer.json()["detail"]
    assert session.get(f"/api/v1/series/{series_id}").json()["photos"] == []
    assert list((server.data_dir / "blobs" / "tmp").iterdir()) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cpr", "٠١٠١٩٠-١٢٥٣"),  # Arabic-Indic digits would dodge the duplicate check
        ("name", "Bob\u202eevil"),  # a right-to-left override
        ("name", "Zero\u200bwidth"),
        ("name", "Del\x7f"),
    ],
)
def test_invisible_characters_and_foreign_digits_are_refused(server, field, value):
    session = client(server)
    body = {"cluster_id": cluster_id(session), "name": "Ok Name", "cpr": "010190-1253"}
    body[field] = value

    answer = session.post("/api/v1/patients", json=body)

    assert answer.status_code == 422 and answer.json()["field"] == field


@pytest.mark.parametrize(
    "captured_at",
    ["2099-01-01T00:00:00Z", "2026-12-04T10:00:00+12:00\x00", "20240101T100000Z", "yesterday"],
)
def test_implausible_capture_times_are_refused(server, captured_at):
    session = client(server)
    series_id = new_series(session)

    answer = session.post(
        f"/api/v1/series/{series_id}/photos",
        files={"file": ("a.jpg", (PHOTOS / "orient_1_landscape.jpg").read_bytes())},
        data={"phase": "pre_op", "view": "face_frontal", "captured_at": captured_at},
    )

    assert answer.status_code == 422 and answer.json()["field"] == "captured_at"


def test_unknown_api_paths_answer_json(server):
    session = client(server)

    answer = session.get("/api/v1/photos/x/..%2f..%2fetc")

    assert answer.status_code in (404, 422)
    assert answer.headers["content-type"].startswith("application/json")
