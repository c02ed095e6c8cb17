"""Background Sync: photos queued offline are sent by the service worker alone.

Chromium fires a pending sync by itself when the network returns. The test lets that
attempt fail (the server is down at that moment; Chromium then waits five minutes), so the
sync event it fires through DevTools afterwards is the one that sends the photos.
"""

import asyncio
import time
from typing import Any

from playwright.async_api import BrowserContext, CDPSession, Page, Request, expect

from tests.e2e.fixtures import BROWSER_MARKS, no_page_errors, server, start_server
from tests.e2e.phone import (
    capture,
    chromium,
    new_patient_with_series,
    new_phone,
    photos_of_patient,
    set_pin,
    sign_in,
    stored_data,
)

pytestmark = BROWSER_MARKS
__all__ = ["no_page_errors", "server"]  # fixtures used by name

CPR = "040490-4569"


class DevTools:
    """The app's service worker seen from a page outside its scope, which runs no app code."""

    def __init__(self, cdp: CDPSession, origin: str) -> None:
        self.cdp = cdp
        self.origin = origin
        self.registration: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.sync_events: list[str] = []
        cdp.on("ServiceWorker.workerRegistrationUpdated", self._registrations_updated)
        cdp.on("BackgroundService.backgroundServiceEventReceived", self._background_event)

    @classmethod
    async def attach(cls, context: BrowserContext, page: Page, origin: str) -> "DevTools":
        tools = cls(await context.new_cdp_session(page), origin)
        await tools.cdp.send("ServiceWorker.enable")
        service = {"service": "backgroundSync"}
        await tools.cdp.send("BackgroundService.startObserving", service)
        await tools.cdp.send("BackgroundService.setRecording", {"shouldRecord": True, **service})
        return tools

    def _registrations_updated(self, event: dict[str, Any]) -> None:
        for registration in event["registrations"]:
            is_app = registration["scopeURL"] == f"{self.origin}/app/"
            if is_app and not registration["isDeleted"] and not self.registration.done():
                self.registration.set_result(registration["registrationId"])

    def _background_event(self, event: dict[str, Any]) -> None:
        self.sync_events.append(event["backgroundServiceEvent"]["eventName"])

    async def wait_for_sync_event(self, name: str, times: int = 1, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while self.sync_events.count(name) < times:
            assert time.monotonic() < deadline, f"not {times} '{name}' in {self.sync_events}"
            await asyncio.sleep(0.1)

    async def fire_sync(self) -> None:
        registration_id = await asyncio.wait_for(self.registration, timeout=10)
        await self.cdp.send(
            "ServiceWorker.dispatchSyncEvent",
            {
                "origin": self.origin,
                "registrationId": registration_id,
                "tag": "outbox",
                "lastChance": False,
            },
        )


def record_photo_uploads(context: BrowserContext) -> list[str]:
    """Who sends each photo: "service worker" or "page"."""
    senders: list[str] = []

    def sent(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/photos"):
            senders.append("service worker" if request.service_worker else "page")

    context.on("request", sent)
    return senders


async def outbox_count(page: Page) -> int:
    stored = await stored_data(page)
    return int(stored["stores"].get("outbox", 0))


async def wait_for_empty_outbox(page: Page, timeout_s: float = 30) -> int:
    deadline = time.monotonic() + timeout_s
    while True:
        count = await outbox_count(page)
        if not count or time.monotonic() > deadline:
            return count
        await asyncio.sleep(0.2)


async def queue_photos_offline(context: BrowserContext, page: Page, count: int) -> list[str]:
    """Capture offline; the sync tags the app registered."""
    await page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    await context.set_offline(True)
    await new_patient_with_series(page, CPR)
    await capture(page, count)
    tags: list[str] = await page.evaluate(
        "async () => (await navigator.serviceWorker.ready).sync.getTags()"
    )
    return tags


async def test_photos_queued_offline_are_sent_once_by_the_service_worker(server) -> None:
    base = f"http://localhost:{server.port}"
    async with chromium() as browser:
        context, page = await new_phone(browser)
        await context.grant_permissions(["background-sync"])  # Chrome's default; not Playwright's
        uploads = record_photo_uploads(context)
        await sign_in(page, base)
        await set_pin(page)
        await expect(page.locator("#start-capture")).to_be_visible()
        outside_the_app = await context.new_page()
        await outside_the_app.goto(f"{base}/healthz")
        devtools = await DevTools.attach(context, outside_the_app, base)
        tags = await queue_photos_offline(context, page, 3)
        queued = await outbox_count(page)
        await page.close()  # from here on only the service worker can send
        server.stop()
        await context.set_offline(False)
        await devtools.wait_for_sync_event("sync event failed")  # Chromium's own try
        restarted = start_server(server.data_dir, server.port)
        try:
            before_sync = photos_of_patient(base, CPR, expect_count=0)

            await devtools.fire_sync()
            photos = await asyncio.to_thread(photos_of_patient, base, CPR, expect_count=3)
            left = await wait_for_empty_outbox(outside_the_app)
            await devtools.fire_sync()  # again: nothing is left to send
            await devtools.wait_for_sync_event("Dispatched sync event", times=3)
            await asyncio.sleep(2)
            after_second_sync = photos_of_patient(base, CPR, expect_count=3)
        finally:
            restarted.stop()

    assert "outbox" in tags, "queueing photos offline registers the outbox sync"
    assert queued == 3
    assert before_sync == [], "nothing reached the server before the sync event"
    assert len(photos) == 3
    assert len({p["client_id"] for p in photos}) == 3
    assert {p["status"] for p in photos} == {"ready"}
    assert left == 0
    assert len(after_second_sync) == 3
    assert uploads == ["service worker"] * 3
