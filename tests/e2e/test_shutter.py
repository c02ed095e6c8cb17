"""The shutter worker: frames are encoded, sealed and stored off the page, offline too."""

from playwright.async_api import expect

from tests.e2e.fixtures import BROWSER_MARKS, no_page_errors, server
from tests.e2e.phone import (
    capture,
    chromium,
    new_patient_with_series,
    new_phone,
    photos_of_patient,
    set_pin,
    sign_in,
    unlock,
    wait_for_empty_outbox,
)

pytestmark = BROWSER_MARKS
__all__ = ["no_page_errors", "server"]  # fixtures used by name

CPR = "050590-5670"
# The app's own module instance: the same URL as capture.js imports.
HAS_SHUTTER_WORKER = """async () => {
  const { startShutterWorker } = await import("/app/js/shutter.js");
  return (await startShutterWorker()) !== null;
}"""


async def test_an_app_opened_offline_encodes_photos_in_its_worker(server) -> None:
    base = f"http://localhost:{server.port}"
    async with chromium() as browser:
        context, page = await new_phone(browser)
        await sign_in(page, base)
        await set_pin(page)
        await expect(page.locator("#start-capture")).to_be_visible()
        await page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        await context.set_offline(True)
        await page.reload()  # the shell, worker included, now comes from the cache
        await unlock(page)
        await new_patient_with_series(page, CPR)

        await capture(page, 3)  # three in a row, without waiting between them
        in_worker = await page.evaluate(HAS_SHUTTER_WORKER)
        await context.set_offline(False)
        await page.evaluate("() => window.dispatchEvent(new Event('online'))")
        await wait_for_empty_outbox(page)

    photos = photos_of_patient(base, CPR, expect_count=3)
    assert in_worker, "the shutter worker loaded offline; the page did not encode"
    assert len(photos) == 3
    assert {p["status"] for p in photos} == {"ready"}
    assert all(p["width"] > p["height"] for p in photos), "the fake camera's frames are landscape"
