"""External upload over REST against the real server: invite, send through the link, file.

The link's routes take only the link's token; everything a sender sends waits in the
cluster's inbox, invisible elsewhere, until a clinician files or discards it.
"""

import sqlite3
import time
import uuid
from email import message_from_bytes, policy

import httpx
import pytest

from tests.api.test_api_e2e import client, cluster_id, new_series
from tests.conftest import PHOTOS
from tests.server import Server, create_admin

ADMIN = "admin@example.org"
PASSWORD = "a long enough passphrase"
MAX_FILES = 5
HEADER = "X-Sutura-Link"
GOOD = ["phone_apple_iphone4_gps_srgb.jpg", "orient_6_landscape.jpg", "png_rgba_transparent.png"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("external") / "data"
    create_admin(data_dir, ADMIN, PASSWORD, "Plastic Surgery")
    running = Server(data_dir, SUTURA_EXTERNAL_MAX_FILES=str(MAX_FILES))
    yield running
    running.stop()


def invite(session, email=None, **extra):
    email = email or f"colleague-{uuid.uuid4().hex[:6]}@hospital.example"
    made = session.post(
        f"/api/v1/clusters/{cluster_id(session)}/external-invites", json={"email": email, **extra}
    )
    assert made.status_code == 201, made.text
    return made.json(), link_token(session, email)


def link_token(session, email, timeout_s=30):
    mail_dir = session.server_data_dir / "mail"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")):
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == email:
                body = message.get_content()
                return body.split("/x/", 1)[1].split()[0]
        time.sleep(0.2)
    raise AssertionError(f"no mail to {email}")


def send(server, token, name, client_id=None):
    data = (PHOTOS / name).read_bytes()
    return httpx.post(
        f"{server.url}/api/v1/link/files",
        headers={HEADER: token},
        files={"file": (name, data, "application/octet-stream")},
        data={"client_id": client_id or uuid.uuid4().hex},
        timeout=60,
    )


def settled(server, token, photo_id, timeout_s=60):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        receipt = httpx.get(f"{server.url}/api/v1/link/files/{photo_id}", headers={HEADER: token})
        assert receipt.status_code == 200, receipt.text
        if receipt.json()["status"] in ("ready", "rejected"):
            return receipt.json()
        time.sleep(0.2)
    raise AssertionError("the file was not processed in time")


@pytest.fixture
def admin(server):
    session = client(server, ADMIN)
    session.server_data_dir = server.data_dir
    return session


def test_sent_photos_wait_unseen_in_the_inbox_until_filed_with_consent(server, admin):
    made, token = invite(admin, label="Burn, left hand", message="As discussed on the phone")
    page = httpx.get(f"{server.url}/api/v1/link", headers={HEADER: token})
    sent = [send(server, token, name) for name in GOOD]
    hostile = send(server, token, "not_image_html.jpg")
    receipts = [settled(server, token, answer.json()["id"]) for answer in [*sent, hostile]]

    inbox = admin.get(f"/api/v1/clusters/{cluster_id(admin)}/external-uploads").json()
    good_id = receipts[0]["id"]
    elsewhere = admin.get(f"/api/v1/photos/{good_id}")
    thumbnail = admin.get(f"/api/v1/external-uploads/{good_id}/thumbnail")
    series_id = new_series(admin, consent=False)
    without_consent = admin.post(
        f"/api/v1/external-uploads/{good_id}/file",
        json={"series_id": series_id, "phase": "pre_op", "view": "face_frontal"},
    )
    filed = admin.post(
        f"/api/v1/external-uploads/{good_id}/file",
        json={
            "series_id": series_id,
            "phase": "pre_op",
            "view": "face_frontal",
            "consent": {
                "scopes": ["clinical_documentation"],
                "given_by": "patient",
                "method": "verbal",
            },
        },
    )
    in_series = admin.get(f"/api/v1/series/{series_id}").json()["photos"]
    refused_file = admin.post(
        f"/api/v1/external-uploads/{receipts[3]['id']}/file",
        json={"series_id": series_id, "phase": "pre_op", "view": "face_frontal"},
    )
    discarded = admin.delete(f"/api/v1/external-uploads/{receipts[3]['id']}")
    links = admin.get(f"/api/v1/clusters/{cluster_id(admin)}/external-invites").json()

    assert page.status_code == 200 and page.json()["label"] == "Burn, left hand"
    assert page.json()["message"] == "As discussed on the phone"
    assert "name" not in page.text.lower() or "Astrid" not in page.text
    assert [a.status_code for a in sent] == [202, 202, 202] and hostile.status_code == 202
    assert [r["status"] for r in receipts] == ["ready", "ready", "ready", "rejected"]
    assert receipts[3]["reason"]
    assert {item["photo"]["id"] for item in inbox} == {r["id"] for r in receipts}
    assert all(item["photo"]["series_id"] is None for item in inbox)
    assert elsewhere.status_code == 404
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"
    assert without_consent.status_code == 409
    assert filed.status_code == 200, filed.text
    assert [p["id"] for p in in_series] == [good_id]
    assert admin.get(f"/api/v1/photos/{good_id}/preview").status_code == 200
    assert refused_file.status_code == 409 and discarded.status_code == 204
    this = next(link for link in links if link["id"] == made["id"])
    assert this["state"] == "files_received" and this["files_received"] == 4
    assert this["opened_at"] is not None and this["mailed_at"] is not None


def test_a_retry_with_the_same_client_id_is_kept_once(server, admin):
    _, token = invite(admin)

    first = send(server, token, "orient_1_landscape.jpg", client_id="file-1")
    again = send(server, token, "orient_1_landscape.jpg", client_id="file-1")
    page = httpx.get(f"{server.url}/api/v1/link", headers={HEADER: token}).json()

    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json()["id"] == again.json()["id"]
    assert page["files_left"] == MAX_FILES - 1


def test_the_link_closes_after_revocation_expiry_and_its_file_limit(server, admin):
    revoked, revoked_token = invite(admin)
    expired, expired_token = invite(admin)
    _, full_token = invite(admin)

    admin.post(f"/api/v1/external-invites/{revoked['id']}/revoke")
    with sqlite3.connect(server.data_dir / "sutura.sqlite3") as db:  # a week passes
        db.execute(
            "UPDATE external_invite SET expires_at = '2026-01-01 00:00:00+00:00' WHERE id = ?",
            (expired["id"],),
        )
    accepted = [
        send(server, full_token, "orient_2_landscape.jpg", client_id=f"f{n}")
        for n in range(MAX_FILES)
    ]
    over = send(server, full_token, "orient_2_landscape.jpg")
    retried = send(server, full_token, "orient_2_landscape.jpg", client_id=f"f{MAX_FILES - 1}")

    for token in (revoked_token, expired_token):
        assert httpx.get(f"{server.url}/api/v1/link", headers={HEADER: token}).status_code == 410
        assert send(server, token, "orient_3_landscape.jpg").status_code == 410
    assert [a.status_code for a in accepted] == [202] * MAX_FILES
    assert over.status_code == 410
    assert "has taken all the files" in over.json()["detail"]
    assert retried.status_code == 200 and retried.json()["id"] == accepted[-1].json()["id"]


def test_one_links_token_never_reaches_another_links_files(server, admin):
    _, first = invite(admin)
    _, second = invite(admin)
    sent = send(server, first, "orient_4_landscape.jpg").json()

    crossed = httpx.get(f"{server.url}/api/v1/link/files/{sent['id']}", headers={HEADER: second})
    made_up = httpx.get(f"{server.url}/api/v1/link", headers={HEADER: "x" * 43})
    session_only = admin.get("/api/v1/link")

    assert crossed.status_code == 404
    assert made_up.status_code == 410
    assert session_only.status_code == 410  # a session opens nothing here


def test_the_sender_page_is_static_strict_and_names_no_patient(server, admin):
    _, token = invite(admin)

    page = httpx.get(f"{server.url}/x/{token}")
    script = httpx.get(f"{server.url}/x-assets/link.js")

    csp = page.headers["content-security-policy"]
    assert page.status_code == 200 and "Send photos" in page.text
    assert "'unsafe-eval'" not in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert script.status_code == 200 and "innerHTML" not in script.text


def test_repeated_fields_and_data_after_the_end_are_refused(server, admin):
    _, token = invite(admin)
    photo = (PHOTOS / "orient_1_landscape.jpg").read_bytes()
    boundary = "sutura-test-boundary"

    def body(parts, tail=b""):
        chunks = []
        for name, value in parts:
            disposition = f'form-data; name="{name}"'
            if name == "file":
                disposition += '; filename="x.jpg"'
            chunks.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode())
            chunks.append(value + b"\r\n")
        return b"".join(chunks) + f"--{boundary}--\r\n".encode() + tail

    def post(content):
        def stream():  # chunked, without a Content-Length
            for start in range(0, len(content), 65536):
                yield content[start : start + 65536]

        return httpx.post(
            f"{server.url}/api/v1/link/files",
            headers={HEADER: token, "Content-Type": f"multipart/form-data; boundary={boundary}"},
            content=stream(),
            timeout=60,
        )

    repeated = post(body([("note", b"a")] * 3 + [("file", photo)]))
    trailing = post(body([("file", photo)], tail=b"x" * 1_000_000))
    fine = post(body([("client_id", b"one"), ("file", photo)]))

    assert repeated.status_code == 422 and "repeated" in repeated.json()["detail"]
    assert trailing.status_code == 422
    assert fine.status_code == 202


def test_an_address_that_a_mail_header_would_read_otherwise_is_refused(admin):
    for email in ("=?utf-8?q?evil=40attacker.example=2c?=x@hospital.example", "a@b.dk,c@d.dk"):
        made = admin.post(
            f"/api/v1/clusters/{cluster_id(admin)}/external-invites", json={"email": email}
        )
        assert made.status_code == 422, made.text
