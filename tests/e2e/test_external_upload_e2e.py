"""External upload in Debian's Chromium against the real server, with mail over real SMTP.

A clinician invites a colleague from the portal (1280x800); the mail arrives at an aiosmtpd
server on loopback; the colleague opens the link on a phone (390x844) and sends three photos
and one hostile file; the clinician files the photos into a series (recording consent) and
discards the refused file. Then the three ways a link stops working: ended, expired, full.
Screenshots of every screen, at both sizes, go to tests/e2e/artifacts/.
"""

import asyncio
import hashlib
import re
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    FilePayload,
    Page,
    ViewportSize,
    expect,
)

from tests.api.test_api_e2e import cluster_id, new_series
from tests.conftest import PHOTOS
from tests.e2e.phone import ARTIFACTS, CHROMIUM, DESKTOP, PHONE, chromium
from tests.server import Server, create_admin, free_port

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium ({CHROMIUM}) is missing"),
    pytest.mark.timeout(120),
]

ADMIN = "admin@example.org"
PASSWORD = "a-long-password-123"
MAX_FILES = 5  # the first link keeps one file in hand, so "End link" is what closes it
PATIENT = "Astrid Lindgren"
CPR = "010190-1236"
LABEL = "Burn, left hand"
MESSAGE = "As discussed on the phone: the wound today, from two sides."
# Good photos and how they must stand once processed (MANIFEST.csv: display upright WxH).
GOOD = {
    "phone_apple_iphone4_gps_srgb.jpg": (1296, 968),
    "orient_6_landscape.jpg": (1800, 1200),  # stored 1200x1800 with EXIF orientation 6
    "heic_apple_iphonexr_irot_exif6_gps.heic": (3024, 4032),  # irot, not rotated twice
}
HOSTILE = "not_image_html.jpg"
LINK = re.compile(r"https?://\S+/x/[A-Za-z0-9_-]{43}")
WAIT_MS = 30_000


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def server(tmp_path: Path, smtp: tuple[Controller, Inbox]) -> Iterator[Server]:
    controller, _ = smtp
    data_dir = tmp_path / "data"
    create_admin(data_dir, ADMIN, PASSWORD, "Plastic Surgery")
    port = free_port()
    running = Server(
        data_dir,
        port=port,
        SUTURA_PUBLIC_URL=f"http://127.0.0.1:{port}",
        SUTURA_SMTP_HOST="127.0.0.1",
        SUTURA_SMTP_PORT=str(controller.port),
        SUTURA_SMTP_SECURITY="none",
        SUTURA_EXTERNAL_MAX_FILES=str(MAX_FILES),
        SUTURA_LOG_LEVEL="WARNING",
    )
    yield running
    running.stop()


@pytest.fixture
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as session:
        answer = session.post("/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        yield session


class Browsing:
    """Pages of one test, with every uncaught script error they raise."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.errors: list[str] = []
        self.contexts: list[BrowserContext] = []

    async def page(self, viewport: ViewportSize, locale: str = "en-US") -> Page:
        context = await self.browser.new_context(
            viewport=viewport, has_touch=viewport == PHONE, locale=locale
        )
        self.contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: self._console(page, message))
        return page

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        # A dead link answers 410, which Chromium logs; anything else (a CSP refusal) counts.
        if message.type == "error" and "status of 410" not in message.text:
            self.errors.append(f"{page.url}: {message.text}")


@pytest.fixture
async def browsing() -> AsyncIterator[Browsing]:
    async with chromium() as browser:
        yield Browsing(browser)


async def snap(page: Page, name: str, *, full_page: bool = True) -> None:
    """A screenshot at the page's size and one at the other size (dialogs: the viewport)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    own = page.viewport_size or DESKTOP
    for size in (own, PHONE if own == DESKTOP else DESKTOP):
        if size != page.viewport_size:
            await page.set_viewport_size(size)
        path = ARTIFACTS / f"external-{name}-{size['width']}x{size['height']}.png"
        await page.screenshot(path=path, full_page=full_page, animations="disabled")
    await page.set_viewport_size(own)


async def mail_link(inbox: Inbox, to: str, timeout_s: float = 30) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for recipients, content in inbox.messages:
            if to in recipients:
                body = message_from_bytes(content, policy=policy.default).get_body(("plain",))
                assert body is not None
                found = LINK.search(body.get_content())
                assert found, f"no link in the mail to {to}"
                return found.group(0)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no mail to {to} reached the SMTP server")


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


async def sign_in(page: Page, base: str) -> None:
    await page.goto(f"{base}/login")
    await page.locator("#login-email").fill(ADMIN)
    await page.locator("#login-password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{base}/")


async def find_patient(page: Page, dialog: Any) -> None:
    await dialog.locator(".patient-query input").fill("Lindgren")
    await dialog.locator(".patient-hit").filter(has_text=PATIENT).click()
    await expect(dialog.locator(".series-choice")).to_contain_text("Lip")


async def invite_through_dialog(page: Page, email: str) -> None:
    await page.locator(".invite-external").click()
    dialog = page.locator(".q-dialog")
    await expect(dialog.locator(".invite-email")).to_be_visible()
    await dialog.locator(".invite-email input").fill(email)
    await find_patient(page, dialog)
    await dialog.locator(".invite-label input").fill(LABEL)
    await dialog.locator(".invite-message textarea").fill(MESSAGE)
    await snap(page, "1-invite-dialog", full_page=False)
    await dialog.locator(".send-invite").click()
    await expect(page.get_by_text("The link is on its way.")).to_be_visible()
    await expect(page.locator(".q-dialog")).to_have_count(0)
    await expect(page.locator(".link-row").filter(has_text=email)).to_be_visible()


def invite_over_api(api: httpx.Client, email: str) -> dict[str, Any]:
    made = api.post(f"/api/v1/clusters/{cluster_id(api)}/external-invites", json={"email": email})
    assert made.status_code == 201, made.text
    return dict(made.json())


async def file_into_series(page: Page, *, record_consent: bool) -> None:
    await page.locator(".inbox-item .file-upload").first.click()
    dialog = page.locator(".q-dialog")
    if record_consent:  # the first time, from the patient and series the link was sent for
        await expect(dialog.get_by_text(re.compile(f"^{PATIENT} · 010190-XXXX"))).to_be_visible()
        await expect(dialog.locator(".series-choice")).to_contain_text("Lip")
    else:
        await find_patient(page, dialog)
    await expect(dialog.locator(".filing-view")).to_contain_text("Frontal")
    given_by = dialog.get_by_label("Given by")
    if record_consent:
        await expect(given_by).to_be_visible()
        await dialog.get_by_label("How").click()
        await page.get_by_role("option", name="Signed on paper").click()
        await dialog.locator(".filing-phase").click()
        await page.get_by_role("option", name=re.compile("^Pre", re.IGNORECASE)).first.click()
        await dialog.locator(".confirm-file").click()  # consent not yet confirmed: refused
        await expect(page.get_by_text("Confirm that consent was given")).to_be_visible()
        await dialog.locator(".consent-given").click()
        await snap(page, "4-filing-dialog", full_page=False)
    else:
        await expect(given_by).to_have_count(0)
    await dialog.locator(".confirm-file").click()
    await expect(page.locator(".q-dialog")).to_have_count(0)


def get_json(api: httpx.Client, path: str) -> Any:
    answer = api.get(path)
    assert answer.status_code == 200, answer.text
    return answer.json()


def send_over_api(base: str, token: str, data: bytes) -> httpx.Response:
    return httpx.post(
        f"{base}/api/v1/link/files",
        headers={"X-Sutura-Link": token},
        files={"file": ("one-more.png", data, "image/png")},
        data={"client_id": uuid.uuid4().hex},
        timeout=30,
    )


def sha256(name: str) -> str:
    return hashlib.sha256((PHOTOS / name).read_bytes()).hexdigest()


def expire(data_dir: Path, invite_id: str) -> None:
    with sqlite3.connect(data_dir / "sutura.sqlite3") as db:  # a week passes
        changed = db.execute(
            "UPDATE external_invite SET expires_at = '2026-01-01 00:00:00+00:00' WHERE id = ?",
            (invite_id,),
        ).rowcount
    assert changed == 1


async def test_a_colleague_sends_photos_through_a_link_and_they_are_filed(
    server: Server, smtp: tuple[Controller, Inbox], api: httpx.Client, browsing: Browsing
) -> None:
    _, inbox = smtp
    base = server.url
    cluster = await asyncio.to_thread(cluster_id, api)
    series_id = await asyncio.to_thread(new_series, api, CPR, False)
    colleague = f"colleague-{uuid.uuid4().hex[:6]}@hospital.example"

    # 1. The clinician invites a colleague from the portal.
    portal = await browsing.page(DESKTOP)
    await sign_in(portal, base)
    await portal.get_by_role("link", name="External").first.click()
    await portal.wait_for_url(re.compile(r".*/external\?cluster="))
    await expect(portal.get_by_text("Nothing waiting.")).to_be_visible()
    await snap(portal, "0-empty")
    await invite_through_dialog(portal, colleague)
    await expect(portal.locator(".link-row .link-state")).to_have_text("Sent", timeout=WAIT_MS)

    # 2. The mail reaches the SMTP server with the link in it.
    link = await mail_link(inbox, colleague)
    assert link.startswith(f"{base}/x/")

    # 3. The colleague opens the link on a phone and sends four files.
    phone = await browsing.page(PHONE)
    await phone.goto(link)
    await expect(phone.locator("#ask")).to_contain_text("asks you to send photos")
    await expect(phone.locator("#purpose")).to_have_text(f"For: {LABEL}")
    await expect(phone.locator("#message")).to_have_text(MESSAGE)
    await expect(phone.locator("#limits")).to_contain_text(f"send {MAX_FILES} more files")
    await snap(phone, "2-link-opened")
    sent = [*GOOD, HOSTILE]
    await phone.locator("#files").set_input_files([PHOTOS / name for name in sent])
    queue = phone.locator("#queue li")
    await expect(queue).to_have_count(len(sent))
    await expect(queue.locator(".state.ok")).to_have_count(len(GOOD), timeout=WAIT_MS)
    await expect(queue.locator(".state.bad")).to_have_count(1, timeout=WAIT_MS)
    refused = queue.filter(has_text=HOSTILE).locator(".state")
    await expect(refused).to_have_text(re.compile(r"^Refused: \S.+"))
    for name in GOOD:
        await expect(queue.filter(has_text=name).locator(".state")).to_have_text(
            "Received and accepted"
        )
    await expect(phone.locator("#receipt")).to_be_visible()
    await expect(phone.locator("#receipt-rows tr")).to_have_count(len(sent))
    await expect(phone.locator("#receipt-summary")).to_have_text(
        "3 of 4 files accepted. You may close this page."
    )
    await expect(phone.locator("#limits")).to_contain_text("send 1 more file ")
    await snap(phone, "3-sent")

    # 4. The clinician files the three photos (consent first) and discards the refused file.
    await portal.reload()
    items = portal.locator(".inbox-item")
    await expect(items).to_have_count(len(sent))
    await expect(items.filter(has_text="Refused:")).to_have_count(1)
    await expect(items.locator(".file-upload")).to_have_count(len(GOOD))
    await expect(portal.locator(".link-row .link-state")).to_have_text("Files received")
    await snap(portal, "4-inbox")
    await file_into_series(portal, record_consent=True)
    await expect(items).to_have_count(len(sent) - 1)
    for left in range(len(GOOD) - 1, 0, -1):
        await file_into_series(portal, record_consent=False)
        await expect(items).to_have_count(left)
    await items.locator(".discard-upload").click()
    await expect(portal.locator(".confirm-discard")).to_be_visible()
    await snap(portal, "5-discard", full_page=False)
    await portal.locator(".confirm-discard").click()
    await expect(portal.get_by_text("Nothing waiting.")).to_be_visible()

    series = await asyncio.to_thread(get_json, api, f"/api/v1/series/{series_id}")
    unfiled = await asyncio.to_thread(get_json, api, f"/api/v1/clusters/{cluster}/external-uploads")
    photos = series["photos"]
    by_hash = {sha256(name): size for name, size in GOOD.items()}
    assert len(photos) == len(GOOD)
    assert all(photo["status"] == "ready" for photo in photos)
    assert {photo["sha256"] for photo in photos} == set(by_hash)
    for photo in photos:
        assert (photo["width"], photo["height"]) == by_hash[photo["sha256"]], photo
        assert (photo["phase"], photo["view"]) != ("", ""), photo
    assert [(c["scope"], c["given_by"], c["method"]) for c in series["consents"]] == [
        ("clinical_documentation", "patient", "signed_on_paper")
    ]
    assert series["accepts_photos"] is True
    assert unfiled == []

    # 5a. "End link" closes the link at once, though it could still take a file.
    ended = portal.locator(".link-row").filter(has_text=colleague)
    await ended.locator(".end-link").click()
    await expect(ended.locator(".link-state")).to_have_text("Ended")
    await expect(ended.locator(".end-link")).to_have_count(0)
    await phone.reload()
    await expect(phone.locator("#closed")).to_be_visible()
    await expect(phone.locator("#closed")).to_contain_text("This link no longer works")
    await snap(phone, "6-closed")

    # 5b. A second link stops working once it has expired.
    late = f"late-{uuid.uuid4().hex[:6]}@hospital.example"
    expired = await asyncio.to_thread(invite_over_api, api, late)
    expired_link = await mail_link(inbox, late)
    expire(server.data_dir, expired["id"])
    await phone.goto(expired_link)
    await expect(phone.locator("#closed")).to_be_visible()
    await expect(phone.locator("#open")).to_be_hidden()

    # 5c. A third link takes MAX_FILES files and refuses the next, on the page and in the API.
    busy = f"busy-{uuid.uuid4().hex[:6]}@hospital.example"
    await asyncio.to_thread(invite_over_api, api, busy)
    full_link = await mail_link(inbox, busy)
    await phone.goto(full_link)
    await expect(phone.locator("#limits")).to_contain_text(f"send {MAX_FILES} more files")
    small = (PHOTOS / "png_rgba_transparent.png").read_bytes()
    batch = [
        FilePayload(name=f"wound-{n}.png", mimeType="image/png", buffer=small)
        for n in range(1, MAX_FILES + 2)
    ]
    await phone.locator("#files").set_input_files(batch)
    queue = phone.locator("#queue li")
    await expect(queue).to_have_count(MAX_FILES + 1)
    over = queue.filter(has_text=f"wound-{MAX_FILES + 1}.png").locator(".state")
    await expect(over).to_have_text(re.compile(r"^Not sent: this link takes no more files"))
    await expect(queue.locator(".state.ok")).to_have_count(MAX_FILES, timeout=WAIT_MS)
    await expect(phone.locator("#limits")).to_have_text(
        "This link has taken all the files it may take."
    )
    await expect(phone.locator(".pickers label.disabled")).to_have_count(2)
    await expect(phone.locator("#receipt-rows tr").last).to_contain_text(f"wound-{MAX_FILES + 1}")
    await expect(phone.locator("#receipt-summary")).to_have_text(
        f"{MAX_FILES} of {MAX_FILES + 1} files accepted. You may close this page."
    )
    await snap(phone, "7-full")
    one_more = await asyncio.to_thread(send_over_api, base, token_of(full_link), small)
    assert one_more.status_code == 410
    assert "has taken all the files" in one_more.json()["detail"]

    # The portal names each link's state.
    await portal.reload()
    rows = portal.locator(".link-row")
    await expect(rows.filter(has_text=colleague).locator(".link-state")).to_have_text("Ended")
    await expect(rows.filter(has_text=late).locator(".link-state")).to_have_text("Expired")
    await expect(rows.filter(has_text=busy).locator(".link-state")).to_have_text(
        "File limit reached"
    )
    await expect(portal.locator(".inbox-item")).to_have_count(MAX_FILES)
    await snap(portal, "8-links")

    assert not browsing.errors, browsing.errors


async def test_a_danish_browser_shows_the_link_page_in_danish(
    server: Server, smtp: tuple[Controller, Inbox], api: httpx.Client, browsing: Browsing
) -> None:
    _, inbox = smtp
    colleague = f"kollega-{uuid.uuid4().hex[:6]}@hospital.example"
    await asyncio.to_thread(invite_over_api, api, colleague)
    link = await mail_link(inbox, colleague)
    phone = await browsing.page(PHONE, locale="da-DK")

    await phone.goto(link)
    await expect(phone.locator("#ask")).to_contain_text("beder dig sende billeder")
    await expect(phone.locator("#limits")).to_contain_text(f"Du kan sende {MAX_FILES} filer mere")
    await expect(phone.locator("label[for=files]")).to_have_text("Vælg filer")
    await phone.locator("#files").set_input_files(PHOTOS / "png_rgba_transparent.png")
    state = phone.locator("#queue .state")
    await expect(state).to_have_text("Modtaget og godkendt", timeout=WAIT_MS)
    await expect(phone.locator("#receipt-summary")).to_have_text(
        "1 af 1 fil godkendt. Du kan lukke siden nu."
    )
    await snap(phone, "da-link-sent")
    lang = await phone.evaluate("document.documentElement.lang")
    await phone.goto(f"{server.url}/x/{'x' * 43}")
    await expect(phone.locator("#closed h1")).to_have_text("Linket virker ikke længere")

    assert lang == "da"
    assert await phone.title() == "Send billeder · Sutura"
    assert not browsing.errors, browsing.errors
