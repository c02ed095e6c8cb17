"""The phone app's API against the real server: envelopes, devices, PIN, acute patients."""

import base64
import io
import json
import time
import uuid

import httpx
import pytest
from PIL import Image

from storage.transport_key import seal_envelope
from tests.conftest import PHOTOS
from tests.server import Server, create_admin

ADMIN = "admin@example.org"
OTHER = "other@example.org"
PASSWORD = "a long enough passphrase"
PIN = "1357"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("phone-api") / "data"
    create_admin(data_dir, ADMIN, PASSWORD, "Plastic Surgery")
    create_admin(data_dir, OTHER, PASSWORD, "Hand Surgery")
    running = Server(data_dir)
    yield running
    running.stop()


@pytest.fixture
def clients():
    opened: list[httpx.Client] = []

    def open_client(server, email=ADMIN):
        client = httpx.Client(base_url=server.url, timeout=30)
        opened.append(client)
        answer = client.post("/api/v1/app/login", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return client

    yield open_client
    for client in opened:
        client.close()


def transport_key(client):
    key = client.get("/api/v1/app/transport-key").json()
    return base64.b64decode(key["spki"]), key["key_id"]


def new_series(client):
    cluster = client.get("/api/v1/me").json()["memberships"][0]["cluster_id"]
    patient = client.post("/api/v1/patients/acute", json={"cluster_id": cluster}).json()
    series = client.post(
        f"/api/v1/patients/{patient['id']}/series",
        json={"body_site": "lower_leg", "side": "left", "diagnoses": ["DC437"]},
    ).json()
    consent = client.post(
        f"/api/v1/series/{series['id']}/consents",
        json={"scopes": ["clinical_documentation"], "given_by": "patient", "method": "verbal"},
    )
    assert consent.status_code == 201, consent.text
    return series["id"]


def upload(client, series_id, envelope, client_id=None, key_id=None):
    spki_key_id = key_id or transport_key(client)[1]
    return client.post(
        f"/api/v1/series/{series_id}/photos",
        data={
            "phase": "pre_op",
            "view": "face_frontal",
            "client_id": client_id or uuid.uuid4().hex,
            "encryption": "rsa-oaep-256+a256gcm",
            "key_id": spki_key_id,
        },
        files={"file": ("photo.sealed", envelope, "application/octet-stream")},
    )


def sealed_photo(client, name="orient_6_landscape.jpg"):
    spki, key_id = transport_key(client)
    return seal_envelope(spki, key_id, (PHOTOS / name).read_bytes())


def settled(client, photo_id, timeout_s=30):
    deadline = time.monotonic() + timeout_s
    while True:
        photo = client.get(f"/api/v1/photos/{photo_id}").json()
        if photo["status"] in ("ready", "rejected") or time.monotonic() > deadline:
            return photo
        time.sleep(0.2)


def test_an_encrypted_photo_is_opened_by_the_worker_and_shown_upright(server, clients):
    client = clients(server)
    series_id = new_series(client)

    first = upload(client, series_id, sealed_photo(client), client_id="phone-1")
    again = upload(client, series_id, sealed_photo(client), client_id="phone-1")
    photo = settled(client, first.json()["id"])
    preview = Image.open(io.BytesIO(client.get(photo["links"]["preview"]).content))

    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"]
    assert photo["status"] == "ready"
    assert preview.width > preview.height


def test_a_tampered_envelope_is_rejected_with_a_reason(server, clients):
    client = clients(server)
    series_id = new_series(client)
    envelope = bytearray(sealed_photo(client))
    envelope[-100] ^= 0x01

    answer = upload(client, series_id, bytes(envelope))
    photo = settled(client, answer.json()["id"])

    assert answer.status_code == 202
    assert photo["status"] == "rejected"
    assert "altered or damaged" in photo["reject_reason"]


def test_an_envelope_for_an_old_key_or_without_its_marker_is_refused(server, clients):
    client = clients(server)
    series_id = new_series(client)

    old_key = upload(client, series_id, sealed_photo(client), key_id="t0000000000000000")
    plain = upload(client, series_id, (PHOTOS / "orient_1_landscape.jpg").read_bytes())

    assert old_key.status_code == 409
    assert plain.status_code == 422


def test_a_photo_for_a_series_of_another_cluster_is_refused(server, clients):
    own, other = clients(server), clients(server, OTHER)
    foreign_series = new_series(other)

    answer = upload(own, foreign_series, sealed_photo(own))

    assert answer.status_code == 404


def test_a_revoked_device_is_told_to_wipe_itself(server, clients):
    phone, admin = clients(server), clients(server)
    device = phone.get("/api/v1/app/device").json()
    series_id = new_series(phone)

    revoked = admin.post(f"/api/v1/devices/{device['id']}/revoke")
    refused = upload(phone, series_id, sealed_photo(admin))
    unlock = phone.post("/api/v1/app/unlock", json={"pin": PIN})

    assert revoked.status_code == 204
    assert refused.status_code == 401 and refused.json()["device_revoked"] is True
    assert unlock.status_code == 401 and unlock.json()["device_revoked"] is True


def test_the_pin_opens_a_new_session_and_five_wrong_ones_end_the_device(server, clients):
    phone = clients(server)
    assert phone.post("/api/v1/app/pin", json={"pin": PIN}).status_code == 204
    phone.cookies.delete("sutura_session")

    opened = phone.post("/api/v1/app/unlock", json={"pin": PIN})
    wrong = [
        phone.post("/api/v1/app/unlock", json={"pin": "0000"}, headers={"Accept-Language": tag})
        for tag in ("en", "da;q=0.9, en;q=0.1", "en", "en", "en")
    ]
    after = phone.post("/api/v1/app/unlock", json={"pin": PIN})

    assert opened.status_code == 200
    assert [w.status_code for w in wrong] == [401] * 5
    assert wrong[0].json()["detail"] == "Wrong PIN. 4 tries left."
    assert wrong[1].json()["detail"] == "Forkert pinkode. 3 forsøg tilbage."
    assert wrong[1].headers["content-language"] == "da"
    assert [w.json().get("tries_left") for w in wrong[:4]] == [4, 3, 2, 1]
    assert wrong[-1].json().get("device_revoked") is True
    assert after.json().get("device_revoked") is True


def test_the_cluster_admin_sees_the_devices_of_the_cluster(server, clients):
    phone = clients(server)
    cluster = phone.get("/api/v1/me").json()["memberships"][0]["cluster_id"]

    own = phone.get("/api/v1/devices").json()
    everyone = phone.get("/api/v1/devices", params={"cluster_id": cluster}).json()
    foreign = clients(server, OTHER).get("/api/v1/devices", params={"cluster_id": cluster})

    assert own and all(d["user_email"] == ADMIN for d in own)
    assert {d["id"] for d in own} <= {d["id"] for d in everyone}
    assert foreign.status_code == 404


def test_an_acute_patient_has_no_cpr(server, clients):
    client = clients(server)
    cluster = client.get("/api/v1/me").json()["memberships"][0]["cluster_id"]

    patient = client.post("/api/v1/patients/acute", json={"cluster_id": cluster})

    assert patient.status_code == 201
    assert patient.json()["cpr_masked"] is None
    assert patient.json()["name"].startswith("Acute ")


def test_the_transport_private_key_is_not_on_disk_in_plaintext(server):
    stored = (server.data_dir / "keys" / "transport.sealed").read_bytes()

    assert b"PRIVATE KEY" not in stored
    assert set(json.loads(stored)) == {"sealed"}


def test_a_passkey_challenge_is_used_once(server, clients):
    phone = clients(server)
    options = phone.post("/api/v1/app/passkeys/options").json()
    forged = {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}
    body = {"challenge": options["challenge"], "credential": forged}

    first = phone.post("/api/v1/app/passkeys", json=body)
    second = phone.post("/api/v1/app/passkeys", json=body)

    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert first.status_code == 401 and "did not succeed" in first.json()["detail"]
    assert second.status_code == 401 and "already used" in second.json()["detail"]


def test_the_app_learns_the_language_and_hears_server_messages_in_it(server, clients):
    phone = clients(server)
    wrong = {"email": ADMIN, "password": "not the passphrase"}

    chosen = phone.put("/api/v1/me/language", json={"language": "da"})
    me = phone.get("/api/v1/me").json()
    phone.put("/api/v1/me/language", json={"language": None})
    danish = httpx.post(
        f"{server.url}/api/v1/auth/login", json=wrong, headers={"Accept-Language": "da"}
    )
    english = httpx.post(f"{server.url}/api/v1/auth/login", json=wrong)
    invalid = httpx.post(
        f"{server.url}/api/v1/auth/login", json={}, headers={"Accept-Language": "da"}
    )
    catalog = httpx.get(f"{server.url}/app/i18n/da.json")
    unknown = httpx.get(f"{server.url}/app/i18n/de.json")

    assert chosen.status_code == 204 and me["language"] == "da"
    assert danish.json()["detail"] == "E-mail eller adgangskode er forkert."
    assert english.json()["detail"] == "The email or password is not correct."
    assert (danish.headers["content-language"], english.headers["content-language"]) == ("da", "en")
    assert invalid.status_code == 422 and invalid.headers["content-language"] == "en"
    assert catalog.json()["messages"]["Sign in"] == "Log ind"
    assert "script-src 'self'" in catalog.headers["content-security-policy"]
    assert unknown.status_code == 422
