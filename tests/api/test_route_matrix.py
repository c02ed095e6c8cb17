"""Every API route, generated from the route table, called signed out, from another cluster and
as each role; plus the web hardening a security review checks (headers, origins, extra fields)."""

import re
import time
import uuid
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.api.test_api_e2e import new_series, upload, wait_until_done
from tests.api.test_external_upload import HEADER, link_token, send, settled
from tests.server import Server, create_admin

ADMIN = "sysadmin@example.org"
PASSWORD = "a long enough passphrase"
ROLES = ("clinician", "secretary", "cluster_admin")
CLINICAL = {"clinician", "cluster_admin"}
PATIENTS = {"clinician", "secretary", "cluster_admin"}
ADMINS = {"cluster_admin"}
ANY = {"clinician", "secretary", "cluster_admin", "outsider"}
PUBLIC = "public"
SYSTEM = "system"  # system admins only: others get 403 whatever their cluster
DEVICE = "device"  # a phone app's own session: signed out 401, other sessions "not an app" 404
ACUTE = "acute"  # clinical roles; acute patients do not exist for others (404, not 403)
NOBODY: set[str] = set()  # only the object's owner (here: the system admin who made it)
LINK = "link"  # an external upload link's routes: no session opens them (410 without the link)
CLUSTER_QUERY = (
    "/api/v1/patients",
    "/api/v1/search",
    "/api/v1/saved-searches",
    "/api/v1/acute-patients",
)
HOSTILE_REDIRECTS = [
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/",
    "javascript:x",
    "/%0d%0aLocation:x",
    "\\\\evil",
    "/ok\r\nSet-Cookie:x",
    "http:/evil",
]

# (method, path): who may call it; "ctx" names the objects the path is filled with.
EXPECTED = {
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): ANY,
    ("POST", "/api/v1/auth/password-reset"): PUBLIC,
    ("POST", "/api/v1/auth/password-reset/complete"): PUBLIC,
    ("POST", "/api/v1/invitations/status"): PUBLIC,
    ("POST", "/api/v1/invitations/accept"): PUBLIC,
    ("POST", "/api/v1/invitations/renewal"): PUBLIC,
    ("GET", "/api/v1/me"): ANY,
    ("POST", "/api/v1/me/password"): ANY,
    ("GET", "/api/v1/me/sessions"): ANY,
    ("DELETE", "/api/v1/me/sessions/{session_id}"): ANY,
    ("POST", "/api/v1/me/sessions/end-others"): ANY,
    ("POST", "/api/v1/clusters"): SYSTEM,
    ("GET", "/api/v1/clusters"): ANY,
    ("GET", "/api/v1/taxonomy"): ANY,
    ("GET", "/api/v1/taxonomy/search"): ANY,
    ("GET", "/api/v1/patients"): PATIENTS,
    ("POST", "/api/v1/patients"): PATIENTS,
    ("GET", "/api/v1/patients/{patient_id}"): PATIENTS,
    ("POST", "/api/v1/patients/{patient_id}/series"): CLINICAL,
    ("GET", "/api/v1/series/{series_id}"): PATIENTS,
    ("POST", "/api/v1/series/{series_id}/consents"): CLINICAL,
    ("POST", "/api/v1/series/{series_id}/consents/withdraw"): CLINICAL,
    ("POST", "/api/v1/series/{series_id}/photos"): CLINICAL,
    ("GET", "/api/v1/photos/{photo_id}"): CLINICAL,
    ("GET", "/api/v1/photos/{photo_id}/{variant}"): CLINICAL,
    ("GET", "/api/v1/clusters/{cluster_id}/members"): ADMINS,
    ("PUT", "/api/v1/clusters/{cluster_id}/members/{user_id}/role"): ADMINS,
    ("DELETE", "/api/v1/clusters/{cluster_id}/members/{user_id}"): ADMINS,
    ("GET", "/api/v1/clusters/{cluster_id}/invitations"): ADMINS,
    ("POST", "/api/v1/clusters/{cluster_id}/invitations"): ADMINS,
    ("POST", "/api/v1/invitations/{invitation_id}/resend"): ADMINS,
    ("DELETE", "/api/v1/invitations/{invitation_id}"): ADMINS,
    ("GET", "/api/v1/clusters/{cluster_id}/audit"): ADMINS,
    ("GET", "/api/v1/clusters/{cluster_id}/audit.csv"): ADMINS,
    ("GET", "/api/v1/users"): SYSTEM,
    ("PUT", "/api/v1/users/{user_id}/active"): SYSTEM,
    ("PUT", "/api/v1/me/language"): ANY,
    ("GET", "/api/v1/search"): CLINICAL,
    ("GET", "/api/v1/saved-searches"): CLINICAL,
    ("POST", "/api/v1/saved-searches"): CLINICAL,
    ("DELETE", "/api/v1/saved-searches/{search_id}"): NOBODY,
    ("GET", "/api/v1/acute-patients"): ACUTE,
    ("POST", "/api/v1/acute-patients"): ACUTE,
    ("POST", "/api/v1/patients/acute"): ACUTE,
    ("GET", "/api/v1/app/transport-key"): PUBLIC,
    ("POST", "/api/v1/app/login"): PUBLIC,
    ("POST", "/api/v1/app/unlock"): PUBLIC,
    ("POST", "/api/v1/app/unlock/passkey/options"): PUBLIC,
    ("POST", "/api/v1/app/unlock/passkey"): PUBLIC,
    ("GET", "/api/v1/app/device"): DEVICE,
    ("POST", "/api/v1/app/pin"): DEVICE,
    ("POST", "/api/v1/app/passkeys/options"): DEVICE,
    ("POST", "/api/v1/app/passkeys"): DEVICE,
    ("POST", "/api/v1/app/logout"): DEVICE,
    ("GET", "/api/v1/devices"): ANY,
    ("POST", "/api/v1/devices/{device_id}/revoke"): ANY,
    ("GET", "/api/v1/clusters/{cluster_id}/external-invites"): CLINICAL,
    ("POST", "/api/v1/clusters/{cluster_id}/external-invites"): CLINICAL,
    ("POST", "/api/v1/external-invites/{invite_id}/revoke"): ADMINS,  # or the inviter
    ("GET", "/api/v1/clusters/{cluster_id}/external-uploads"): CLINICAL,
    ("GET", "/api/v1/external-uploads/{photo_id}/{variant}"): CLINICAL,
    ("POST", "/api/v1/external-uploads/{photo_id}/file"): CLINICAL,
    ("DELETE", "/api/v1/external-uploads/{photo_id}"): CLINICAL,
    ("GET", "/api/v1/link"): LINK,
    ("POST", "/api/v1/link/files"): LINK,
    ("GET", "/api/v1/link/files/{photo_id}"): LINK,
}
# Routes whose {photo_id} is an unfiled external upload: processed ("ready_upload"), refused
# by the worker ("refused_upload", so filing is refused by its state), or a new one per call
# for the route that destroys it.
UPLOAD_CONTEXT = {
    "/api/v1/external-uploads/{photo_id}/{variant}": "ready_upload",
    "/api/v1/external-uploads/{photo_id}/file": "refused_upload",
    "/api/v1/link/files/{photo_id}": "ready_upload",
}
FRESH_UPLOAD = {"/api/v1/external-uploads/{photo_id}"}
# Calls that end the caller's own session or destroy the object get a fresh one each time.
SELF_ENDING = {"/api/v1/auth/logout", "/api/v1/me/password", "/api/v1/me/sessions/end-others"}


def _mail_tokens(data_dir, kind, to):
    tokens = []
    for path in sorted((data_dir / "mail").glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == to:
            tokens += re.findall(rf"/{kind}/([A-Za-z0-9_-]{{43}})", message.get_content())
    return tokens


def _wait_for_token(data_dir, kind, to):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if found := _mail_tokens(data_dir, kind, to):
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"no {kind} mail to {to}")


def _client(server, email, password=PASSWORD):
    session = httpx.Client(base_url=server.url, timeout=30)
    answer = session.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return session


def _join(server, admin, cluster_id, role):
    email = f"{role}-{uuid.uuid4().hex[:6]}@example.org"
    made = admin.post(
        f"/api/v1/clusters/{cluster_id}/invitations", json={"email": email, "role": role}
    )
    assert made.status_code == 201, made.text
    token = _wait_for_token(server.data_dir, "invite", email)
    accepted = httpx.post(
        f"{server.url}/api/v1/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    assert accepted.status_code == 204, accepted.text
    return email


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("matrix") / "data"
    create_admin(data_dir, ADMIN, PASSWORD, "Plastic Surgery")
    server = Server(data_dir)
    admin = _client(server, ADMIN)
    me = admin.get("/api/v1/me").json()
    cluster_a = me["memberships"][0]["cluster_id"]
    cluster_b = admin.post("/api/v1/clusters", json={"name": "Hand Surgery"}).json()["id"]
    emails = {role: _join(server, admin, cluster_a, role) for role in ROLES}
    emails["outsider"] = _join(server, admin, cluster_b, "cluster_admin")
    series_id = new_series(admin)
    photo = upload(admin, series_id, "orient_6_landscape.jpg").json()
    wait_until_done(admin, photo["id"])
    series = admin.get(f"/api/v1/series/{series_id}").json()
    spare = _join(server, admin, cluster_a, "clinician")
    members = admin.get(f"/api/v1/clusters/{cluster_a}/members").json()
    pending = admin.post(
        f"/api/v1/clusters/{cluster_a}/invitations",
        json={"email": "p@example.org", "role": "clinician"},
    ).json()["invitation"]
    admin.server_data_dir = data_dir
    _, token = _external_invite(admin, cluster_a)
    revocable, _ = _external_invite(admin, cluster_a)

    def sent(name):
        answer = send(server, token, name)
        assert answer.status_code == 202, answer.text
        return settled(server, token, answer.json()["id"])["id"]

    context = {
        "cluster_id": cluster_a,
        "invite_id": revocable["id"],
        "link_token": token,
        "ready_upload": sent("orient_1_landscape.jpg"),
        "refused_upload": sent("not_image_html.jpg"),
        "fresh_upload": lambda: sent("png_rgba_transparent.png"),
        "patient_id": series["patient_id"],
        "series_id": series_id,
        "photo_id": photo["id"],
        "variant": "thumbnail",
        "user_id": next(m["id"] for m in members if m["email"] == spare),
        "invitation_id": pending["id"],
        "session_id": str(uuid.uuid4()),
        "device_id": str(uuid.uuid4()),
        "search_id": admin.post(
            "/api/v1/saved-searches",
            json={
                "cluster_id": cluster_a,
                "name": "Shared",
                "shared": True,
                "filters": {"diagnosis": "DC430"},
            },
        ).json()["id"],
    }
    yield server, emails, context, admin
    admin.close()
    server.stop()


def _external_invite(admin, cluster_id):
    email = f"ext-{uuid.uuid4().hex[:6]}@example.org"
    made = admin.post(f"/api/v1/clusters/{cluster_id}/external-invites", json={"email": email})
    assert made.status_code == 201, made.text
    return made.json(), link_token(admin, email)


def _body(path, context):
    bodies = {
        "/api/v1/auth/login": {"email": "x@example.org", "password": "not the password!"},
        "/api/v1/auth/password-reset": {"email": "x@example.org"},
        "/api/v1/auth/password-reset/complete": {"token": "x" * 43, "password": PASSWORD},
        "/api/v1/invitations/status": {"token": "x" * 43},
        "/api/v1/invitations/accept": {"token": "x" * 43, "password": PASSWORD},
        "/api/v1/invitations/renewal": {"token": "x" * 43},
        "/api/v1/me/password": {
            "current_password": "not the current one",
            "new_password": PASSWORD,
        },
        "/api/v1/clusters": {"name": f"C {uuid.uuid4().hex[:6]}"},
        "/api/v1/patients": {
            "cluster_id": context["cluster_id"],
            "name": "Test Person",
            "cpr": f"0101{uuid.uuid4().int % 100:02d}-{uuid.uuid4().int % 4000:04d}",
        },
        "/api/v1/patients/{patient_id}/series": {"body_site": "face", "diagnoses": ["DC430"]},
        "/api/v1/series/{series_id}/consents": {
            "scopes": ["teaching"],
            "given_by": "patient",
            "method": "verbal",
        },
        "/api/v1/series/{series_id}/consents/withdraw": {"scope": "research", "reason": "asked"},
        "/api/v1/clusters/{cluster_id}/members/{user_id}/role": {"role": "clinician"},
        "/api/v1/clusters/{cluster_id}/invitations": {
            "email": f"{uuid.uuid4().hex[:6]}@example.org",
            "role": "clinician",
        },
        "/api/v1/users/{user_id}/active": {"is_active": True},
        "/api/v1/me/language": {"language": "da"},
        "/api/v1/saved-searches": {
            "cluster_id": context["cluster_id"],
            "name": f"S {uuid.uuid4().hex[:6]}",
            "shared": False,
            "filters": {"diagnosis": "DC430"},
        },
        "/api/v1/acute-patients": {"cluster_id": context["cluster_id"], "ward": "ER"},
        "/api/v1/patients/acute": {"cluster_id": context["cluster_id"]},
        "/api/v1/app/login": {"email": "x@example.org", "password": "not the password!"},
        "/api/v1/app/unlock": {"pin": "0000"},
        "/api/v1/app/pin": {"pin": "1234"},
        "/api/v1/clusters/{cluster_id}/external-invites": {"email": "colleague@example.org"},
        "/api/v1/external-uploads/{photo_id}/file": {
            "series_id": context["series_id"],
            "phase": "pre_op",
            "view": "face_frontal",
        },
    }
    return bodies.get(path)


def _call(client, method, path, context, **extra):
    if path in UPLOAD_CONTEXT:
        context = {**context, "photo_id": context[UPLOAD_CONTEXT[path]]}
    if path in FRESH_UPLOAD:
        context = {**context, "photo_id": context["fresh_upload"]()}
    url = path.format(**context)
    params = {"cluster_id": context["cluster_id"]} if path in CLUSTER_QUERY else {}
    if path.endswith("/taxonomy/search"):
        params = {"q": "melanom"}
    body = _body(path, context)
    if path.endswith("/photos") or path.endswith("/link/files"):
        return client.post(
            url,
            files={"file": ("x.jpg", b"\xff\xd8\xff", "image/jpeg")},
            data={"phase": "pre_op", "view": "face_frontal", "client_id": uuid.uuid4().hex},
        )
    return client.request(method, url, params=params, json=body, **extra)


def _api_routes(server):
    schema = httpx.get(f"{server.url}/api/v1/openapi.json").json()
    return {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}


def test_the_route_table_and_the_expectations_name_the_same_routes(world):
    server, _, _, _ = world

    assert _api_routes(server) == set(EXPECTED)


def test_every_route_answers_401_signed_out_404_across_clusters_403_for_roles(world):
    server, emails, context, _ = world
    wrong = []
    kept = {caller: _client(server, emails[caller]) for caller in ("outsider", *ROLES)}
    kept["anonymous"] = httpx.Client(base_url=server.url, timeout=30)
    # Removals last, so that the objects they remove serve every other call first.
    order = sorted(EXPECTED.items(), key=lambda item: (item[0][0] == "DELETE", item[0][1]))
    for (method, path), who in order:
        for caller in ("anonymous", "outsider", *ROLES):
            expected = _expected(who, caller, path)
            client = kept[caller]
            if path in SELF_ENDING and caller != "anonymous":
                client = _client(server, emails[caller])
            answer = _call(client, method, path, context)
            if client is not kept[caller]:
                client.close()
                kept[caller].close()  # "end the other sessions" ended this one too
                kept[caller] = _client(server, emails[caller])
            if not _matches(expected, answer.status_code):
                wrong.append((method, path, caller, expected, answer.status_code, answer.text[:80]))

    for client in kept.values():
        client.close()
    assert wrong == [], "\n".join(map(str, wrong))
    assert len(EXPECTED) >= 67


def test_an_external_link_opens_its_own_routes_and_no_other(world):
    server, _, context, _ = world
    wrong = []
    link_only = httpx.Client(
        base_url=server.url, timeout=30, headers={HEADER: context["link_token"]}
    )
    for (method, path), who in sorted(EXPECTED.items()):
        if who in (PUBLIC, LINK) or path in FRESH_UPLOAD:
            continue
        answer = _call(link_only, method, path, context)
        if answer.status_code != 401:
            wrong.append((method, path, answer.status_code))
    link_only.close()

    assert wrong == []


def _expected(who, caller, path):
    if who == PUBLIC:
        return "any"
    if who == LINK:
        return 410
    if caller == "anonymous":
        return 401
    if who == DEVICE:
        return "device"
    if who == ACUTE:
        return "ok" if caller in CLINICAL else 404
    if who == SYSTEM:
        return 403
    if who is ANY:
        return "self"
    if caller == "outsider":
        return 404
    return "ok" if caller in who else 403


def _matches(expected, status):
    if expected == "any":  # public: wrong credentials or a dead link answer 401 or 422
        return status not in (403, 404, 500)
    if expected == "self":  # one's own things: a made-up session id is simply not found
        return status not in (401, 403, 500)
    if expected == "device":  # validation may answer first when the body is incomplete
        return status in (404, 422)
    if expected == "ok":
        return status < 400 or status in (409, 422)  # allowed, refused only by the object's state
    return status == expected


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/api/v1/patients", {"owner": "me"}),
        ("/api/v1/patients", {"role": "cluster_admin"}),
        ("/api/v1/patients/{patient_id}/series", {"cluster_id": "x"}),
        ("/api/v1/series/{series_id}/consents", {"recorded_by": "x"}),
        ("/api/v1/clusters/{cluster_id}/invitations", {"cluster_id": "x"}),
        ("/api/v1/clusters/{cluster_id}/members/{user_id}/role", {"cluster": "x"}),
        ("/api/v1/auth/login", {"role": "cluster_admin"}),
        ("/api/v1/invitations/accept", {"role": "cluster_admin"}),
        ("/api/v1/me/password", {"user_id": "x"}),
    ],
)
def test_extra_fields_in_a_request_are_refused(world, path, extra):
    _server, _, context, admin = world
    body = {**_body(path, context), **extra}
    method = "PUT" if path.endswith("/role") else "POST"

    answer = admin.request(method, path.format(**context), json=body)

    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "null", "http://127.0.0.1.evil.example"]
)
def test_state_changes_and_websockets_from_a_foreign_origin_are_refused(world, origin):
    server, _, context, admin = world
    socket_url = (
        server.url.replace("http", "ws") + "/_nicegui_ws/socket.io/?EIO=4&transport=websocket"
    )

    posted = admin.post(
        "/api/v1/patients", json=_body("/api/v1/patients", context), headers={"Origin": origin}
    )
    with (
        pytest.raises(InvalidStatus) as refused,
        connect(socket_url, origin=origin, open_timeout=10),
    ):
        pass
    with connect(socket_url, origin=server.url, open_timeout=10) as own:
        own.recv(timeout=10)  # the engine.io handshake: our own origin is served

    assert posted.status_code == 403
    assert refused.value.response.status_code == 403


def test_pages_carry_the_security_headers_and_a_script_nonce(world):
    server, _, _, _ = world

    page = httpx.get(f"{server.url}/login")
    csp = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)

    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "camera=()" in page.headers["permissions-policy"]
    assert "strict-transport-security" not in page.headers  # plain HTTP on loopback
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)


@pytest.mark.parametrize("target", HOSTILE_REDIRECTS)
def test_redirect_targets_stay_on_this_site(world, target):
    server, _, _, _ = world
    client = _client(server, ADMIN)

    answer = client.get("/login", params={"next": target}, follow_redirects=False)
    client.close()

    location = answer.headers["location"]
    assert answer.status_code == 303
    assert location.startswith("/") and not location.startswith("//")
    assert urlsplit(location).netloc == "" and not set(location) & set("\\\r\n")


def test_a_password_reset_request_answers_alike_for_unknown_addresses(world):
    server, emails, _, _ = world

    known = httpx.post(
        f"{server.url}/api/v1/auth/password-reset", json={"email": emails["secretary"]}
    )
    unknown = httpx.post(
        f"{server.url}/api/v1/auth/password-reset", json={"email": "no@example.org"}
    )

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202
