"""Driving the phone app in Debian's Chromium: browser set-up and the steps a clinician takes."""

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    async_playwright,
    expect,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
ARTIFACTS = Path(__file__).parent / "artifacts"
EMAIL = "clinician@example.org"
PASSWORD = "a-long-password-123"
PIN = "2468"
ERRORS: list[str] = []  # uncaught errors in the app's pages, checked by the tests


@asynccontextmanager
async def chromium(*extra_args: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args]
        )
        try:
            yield browser
        finally:
            await browser.close()


async def new_phone(
    browser: Browser, viewport: ViewportSize = PHONE, locale: str = "en-US"
) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(
        viewport=viewport, has_touch=viewport == PHONE, permissions=["camera"], locale=locale
    )
    page = await context.new_page()
    page.on("pageerror", lambda error: ERRORS.append(str(error)))
    return context, page


async def snap(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or PHONE
    await page.screenshot(path=ARTIFACTS / f"{name}-{size['width']}x{size['height']}.png")


async def sign_in(page: Page, base: str) -> None:
    await page.goto(f"{base}/app/")
    await page.locator("#email").fill(EMAIL)
    await page.locator("#password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Choose a PIN")).to_be_visible()


async def set_pin(page: Page) -> None:
    await page.locator("#pin").fill(PIN)
    await page.locator("#pin2").fill(PIN)
    await page.get_by_role("button", name="Set PIN").click()


async def unlock(page: Page, pin: str = PIN) -> None:
    await page.locator("#unlock-pin").fill(pin)
    await page.get_by_role("button", name="Unlock").click()


async def new_patient_with_series(page: Page, cpr: str, *, shots: str | None = None) -> None:
    await page.locator("#start-capture").click()
    await expect(page.locator("#acute-patient")).to_be_visible()
    if shots:
        await snap(page, f"{shots}-3-patient")
    await page.locator("#new-patient").click()
    await page.locator("#patient-name").fill("Karen Testesen")
    await page.locator("#patient-cpr").fill(cpr)
    await page.get_by_role("button", name="Create patient").click()
    await page.locator("#new-series").click()
    if shots:
        await snap(page, f"{shots}-4-bodymap")
    await page.locator('[data-region="lower_limb"][data-view="front"]').first.click()
    await page.locator("#body-site").select_option("lower_leg")
    await page.locator("#diagnoses-search").fill("melanoma lower limb")
    await page.locator("#diagnoses-hits button").first.click()
    if shots:
        await snap(page, f"{shots}-5-series")
    await page.locator("#create-series").click()
    await expect(page.locator("#record-consent")).to_be_visible()
    if shots:
        await snap(page, f"{shots}-6-consent")
    await page.locator("#record-consent").click()


async def capture(page: Page, count: int, *, shots: str | None = None) -> None:
    await page.wait_for_function(
        "() => document.querySelector('video')?.videoWidth > 0", timeout=60_000
    )
    for _ in range(count):
        await page.locator("#shutter").click()
    await expect(page.locator("#captured")).to_have_attribute("data-stored", str(count))
    if shots:
        await snap(page, f"{shots}-7-camera")
    await page.locator("#done").click()
    await expect(page.locator("#start-capture")).to_be_visible()


async def wait_for_empty_outbox(page: Page, timeout_ms: int = 60_000) -> None:
    await expect(page.locator("#outbox")).to_contain_text("Outbox empty", timeout=timeout_ms)


async def stored_data(page: Page) -> dict[str, Any]:
    """What IndexedDB and Cache Storage hold for the app, as the page sees it."""
    stored: dict[str, Any] = await page.evaluate(
        """async () => {
        const names = (await indexedDB.databases()).map((d) => d.name);
        const stores = {};
        if (names.includes("sutura")) {
          const db = await new Promise((ok, no) => {
            const r = indexedDB.open("sutura"); r.onsuccess = () => ok(r.result); r.onerror = no;
          });
          for (const name of db.objectStoreNames) {
            stores[name] = await new Promise((ok) => {
              const r = db.transaction(name).objectStore(name).count();
              r.onsuccess = () => ok(r.result);
            });
          }
          db.close();
        }
        const cached = [];
        for (const name of await caches.keys()) {
          for (const request of await (await caches.open(name)).keys()) cached.push(request.url);
        }
        return { stores, cached };
      }"""
    )
    return stored


def photos_of_patient(
    base: str, cpr: str, *, expect_count: int, timeout_s: float = 90
) -> list[dict[str, Any]]:
    """The photos of the patient's only series once `expect_count` of them are processed."""
    with httpx.Client(base_url=base, timeout=10) as client:
        client.post(
            "/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}
        ).raise_for_status()
        cluster = client.get("/api/v1/me").json()["memberships"][0]["cluster_id"]
        deadline = time.monotonic() + timeout_s
        while True:
            found = client.get("/api/v1/patients", params={"cluster_id": cluster, "q": cpr}).json()
            series = (
                client.get(f"/api/v1/patients/{found[0]['id']}").json()["series"] if found else []
            )
            photos = (
                client.get(f"/api/v1/series/{series[0]['id']}").json()["photos"] if series else []
            )
            done = [p for p in photos if p["status"] in ("ready", "rejected")]
            if len(done) >= expect_count or time.monotonic() > deadline:
                return photos
            time.sleep(0.5)


def is_shell(url: str) -> bool:
    shell = r"/app/([a-z0-9]+/)?[a-z0-9-]*(\.(js|css|png|webmanifest|json))?$"
    return re.search(shell, url) is not None
