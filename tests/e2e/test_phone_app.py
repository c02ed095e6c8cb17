"""The phone app in Debian's Chromium with a fake camera, against the real server."""

import os
import re
import shutil
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from playwright.async_api import expect

from tests.e2e.fixtures import BROWSER_MARKS, no_page_errors, server, start_server
from tests.e2e.phone import (
    DESKTOP,
    EMAIL,
    PASSWORD,
    PIN,
    capture,
    chromium,
    is_shell,
    new_patient_with_series,
    new_phone,
    photos_of_patient,
    set_pin,
    sign_in,
    snap,
    stored_data,
    unlock,
    wait_for_empty_outbox,
)
from tests.server import ROOT, Server

pytestmark = BROWSER_MARKS
__all__ = ["no_page_errors", "server"]  # fixtures used by name


def base_of(server: Server) -> str:
    return f"http://localhost:{server.port}"


async def test_photos_captured_offline_reach_the_series_once_online(server) -> None:
    base = base_of(server)
    async with chromium() as browser:
        context, page = await new_phone(browser)
        await page.goto(f"{base}/app/")
        await snap(page, "1-sign-in")
        await sign_in(page, base)
        await snap(page, "1-set-pin")
        await set_pin(page)
        await expect(page.locator("#start-capture")).to_be_visible()
        await page.wait_for_function(
            "() => navigator.serviceWorker.controller !== null", timeout=60_000
        )

        await context.set_offline(True)
        await new_patient_with_series(page, "010190-1236", shots="phone")
        await capture(page, 3, shots="phone")
        await page.reload()
        await expect(page.get_by_role("heading", name="Sutura is locked")).to_be_visible()
        await snap(page, "8-locked-offline")
        await unlock(page)
        await expect(page.locator("#outbox")).to_contain_text("3 photos waiting")
        await snap(page, "9-home-outbox")
        await context.set_offline(False)
        await wait_for_empty_outbox(page)

    photos = photos_of_patient(base, "010190-1236", expect_count=3)
    assert len(photos) == 3
    assert {p["status"] for p in photos} == {"ready"}
    assert all(p["width"] > p["height"] for p in photos), "the fake camera's frames are landscape"


async def test_a_server_restart_during_upload_loses_and_doubles_nothing(server, tmp_path) -> None:
    base = base_of(server)
    async with chromium() as browser:
        context, page = await new_phone(browser)
        await sign_in(page, base)
        await set_pin(page)
        await new_patient_with_series(page, "020290-2347")
        await context.set_offline(True)
        await capture(page, 4)
        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
        await cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 50, "downloadThroughput": -1, "uploadThroughput": 60_000},
        )
        await context.set_offline(False)
        await page.evaluate("() => window.dispatchEvent(new Event('online'))")
        await expect(page.locator("#outbox progress").first).not_to_have_attribute("value", "0")

        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait()
        restarted = start_server(server.data_dir, server.port)
        try:
            await cdp.send(
                "Network.emulateNetworkConditions",
                {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            )
            await wait_for_empty_outbox(page, timeout_ms=120_000)
            photos = photos_of_patient(base, "020290-2347", expect_count=4)
        finally:
            restarted.stop()

    assert len(photos) == 4
    assert len({p["client_id"] for p in photos}) == 4
    assert {p["status"] for p in photos} == {"ready"}


async def test_biometric_unlock_with_a_platform_authenticator(server) -> None:
    base = base_of(server)
    async with chromium() as browser:
        context, page = await new_phone(browser)
        cdp = await context.new_cdp_session(page)
        await cdp.send("WebAuthn.enable")
        await cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                }
            },
        )
        await sign_in(page, base)
        await set_pin(page)
        await snap(page, "2-biometrics")
        await page.locator("#enable-biometrics").click()
        await expect(page.locator("#start-capture")).to_be_visible()
        await page.reload()
        await expect(page.get_by_role("heading", name="Sutura is locked")).to_be_visible()
        await snap(page, "8-locked")

        await page.locator("#unlock-biometrics").click()

        await expect(page.locator("#start-capture")).to_be_visible()


async def test_a_phone_revoked_in_the_portal_wipes_itself(server) -> None:
    base = base_of(server)
    async with chromium() as browser:
        _, page = await new_phone(browser, DESKTOP)
        await sign_in(page, base)
        await set_pin(page)
        await expect(page.locator("#start-capture")).to_be_visible()

        await page.goto(f"{base}/devices")  # the app's session opens the portal too
        await expect(page.get_by_text("Your devices")).to_be_visible()
        await snap(page, "portal-devices")
        await page.get_by_role("button", name="Revoke").first.click()
        await expect(page.get_by_text("revoked", exact=True).first).to_be_visible()
        await page.goto(f"{base}/app/")
        await expect(page.locator("#email")).to_be_visible()
        stored = await stored_data(page)

    assert not any(stored["stores"].values()), stored


async def test_five_wrong_pins_wipe_the_phone(server) -> None:
    base = base_of(server)
    async with chromium() as browser:
        _, page = await new_phone(browser)
        await sign_in(page, base)
        await set_pin(page)
        await expect(page.locator("#start-capture")).to_be_visible()
        await page.reload()

        for _ in range(5):
            await unlock(page, "0000")
            await expect(page.locator("#unlock-pin")).to_have_value("") if _ < 4 else None
        await expect(page.locator("#email")).to_be_visible()
        stored = await stored_data(page)

    assert not any(stored["stores"].values()), stored
    assert all(is_shell(url) for url in stored["cached"]), stored


async def test_signing_out_leaves_no_patient_data_or_photo_on_the_phone(server) -> None:
    base = base_of(server)
    async with chromium() as browser:
        _, page = await new_phone(browser, DESKTOP)
        await page.goto(f"{base}/app/")
        await snap(page, "1-sign-in")
        await sign_in(page, base)
        await snap(page, "1-set-pin")
        await set_pin(page)
        await new_patient_with_series(page, "030390-3458", shots="desktop")
        await capture(page, 2, shots="desktop")
        await snap(page, "9-home-outbox")
        await wait_for_empty_outbox(page)

        await page.locator("#sign-out").click()
        await expect(page.locator("#email")).to_be_visible()
        stored = await stored_data(page)

    assert not any(stored["stores"].values()), stored
    assert all(is_shell(url) for url in stored["cached"]), stored


@asynccontextmanager
async def signed_in(base: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        login = {"email": EMAIL, "password": PASSWORD}
        (await client.post("/api/v1/auth/login", json=login)).raise_for_status()
        yield client


async def test_a_danish_phone_shows_the_app_in_danish_online_and_offline(server) -> None:
    base = base_of(server)
    async with chromium() as browser:
        context, page = await new_phone(browser, locale="da-DK")
        await page.goto(f"{base}/app/")
        await expect(page.get_by_role("button", name="Log ind")).to_be_visible()
        lang = await page.evaluate("document.documentElement.lang")
        await snap(page, "da-1-sign-in")
        await page.locator("#email").fill(EMAIL)
        await page.locator("#password").fill("not-the-password")
        await page.get_by_role("button", name="Log ind").click()
        await expect(page.locator("#notice")).to_have_text("E-mail eller adgangskode er forkert.")
        await page.locator("#password").fill(PASSWORD)
        await page.get_by_role("button", name="Log ind").click()
        await expect(page.get_by_role("heading", name="Vælg en pinkode")).to_be_visible()
        await snap(page, "da-1-set-pin")
        await page.locator("#pin").fill(PIN)
        await page.locator("#pin2").fill(PIN)
        await page.get_by_role("button", name="Gem pinkode").click()
        await expect(page.get_by_role("button", name="Tag billeder")).to_be_visible()
        await page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        await snap(page, "da-2-home")

        await context.set_offline(True)
        await page.locator("#start-capture").click()
        acute = page.get_by_role("button", name="Akut patient (uidentificeret)")
        await expect(acute).to_be_visible()
        await snap(page, "da-3-patient")
        await page.get_by_role("button", name="Ny patient").click()
        await page.locator("#patient-name").fill("Karen Testesen")
        await page.locator("#patient-cpr").fill("040490-4562")
        await page.get_by_role("button", name="Opret patient").click()
        await page.get_by_role("button", name="Ny serie").click()
        await expect(page.get_by_role("heading", name="Hvor sidder det?")).to_be_visible()
        await snap(page, "da-4-bodymap")
        await page.get_by_role("button", name="Underekstremitet (ben), højre (forfra)").click()
        await page.locator("#body-site").select_option("lower_leg")
        await page.locator("#diagnoses-search").fill("melanom underekstremitet")
        hit = page.locator("#diagnoses-hits button").first
        await expect(hit).to_contain_text("Malignt melanom i hud på underekstremitet")
        await hit.click()
        await expect(page.locator("#body-site option:checked")).to_contain_text("Underben")
        await snap(page, "da-5-series")
        await page.get_by_role("button", name="Opret serie").click()
        await expect(page.get_by_text("Patienten giver samtykke til")).to_be_visible()
        await snap(page, "da-6-consent")
        await page.get_by_role("button", name="Registrér samtykke").click()
        await expect(page.locator("#phase option:checked")).to_have_text("Præoperativ")
        await capture(page, 1, shots="da")

        await page.reload()
        await expect(page.get_by_role("heading", name="Sutura er låst")).to_be_visible()
        await snap(page, "da-8-locked-offline")
        await page.locator("#unlock-pin").fill(PIN)
        await page.get_by_role("button", name="Lås op").click()
        await expect(page.locator("#outbox")).to_contain_text("1 billede venter på upload")
        await expect(page.locator("#status")).to_have_text("1 til upload")
        await snap(page, "da-9-home-outbox")
        lang_offline = await page.evaluate("document.documentElement.lang")
        await context.set_offline(False)
        await expect(page.locator("#outbox")).to_contain_text("Udbakken er tom", timeout=60_000)

    assert (lang, lang_offline) == ("da", "da")


async def test_the_members_choice_outranks_the_browser_and_the_app_can_change_it(server) -> None:
    base = base_of(server)
    async with signed_in(base) as client:
        chosen = await client.put("/api/v1/me/language", json={"language": "da"})
    async with chromium() as browser:
        _, page = await new_phone(browser)  # an English browser
        await page.goto(f"{base}/app/")
        await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        await page.locator("#email").fill(EMAIL)
        await page.locator("#password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("heading", name="Vælg en pinkode")).to_be_visible()
        await page.locator("#pin").fill(PIN)
        await page.locator("#pin2").fill(PIN)
        await page.get_by_role("button", name="Gem pinkode").click()

        await page.locator("#language").click()

        await expect(page.get_by_role("button", name="Start capture")).to_be_visible()
        await expect(page.locator("#language")).to_have_text("Dansk")
        await page.reload()
        await expect(page.get_by_role("heading", name="Sutura is locked")).to_be_visible()
        async with signed_in(base) as client:
            me = (await client.get("/api/v1/me")).json()

    assert chosen.status_code == 204
    assert me["language"] == "en"


def shell_version() -> int:
    found = re.search(r'const VERSION = "(\d+)"', (ROOT / "ui" / "pwa" / "sw.js").read_text())
    assert found
    return int(found.group(1))


def next_release(copy: Path) -> Path:
    """This checkout with the app shell's version raised: what the next deployment serves."""
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "data", "tests", "bench", "build", "*_cache", "__pycache__"
        ),
    )
    worker = copy / "ui" / "pwa" / "sw.js"
    script = worker.read_text()
    current = shell_version()
    worker.write_text(
        script.replace(f'const VERSION = "{current}"', f'const VERSION = "{current + 1}"')
    )
    return copy


async def test_a_new_app_version_is_offered_and_waits_until_capture_is_over(
    server, tmp_path
) -> None:
    base = base_of(server)
    async with chromium() as browser:
        context, page = await new_phone(browser)
        await sign_in(page, base)
        await set_pin(page)
        await expect(page.locator("#start-capture")).to_be_visible()
        await page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        await new_patient_with_series(page, "010190-1236")

        server.stop()  # the next release is deployed while the camera is open
        upgraded = start_server(server.data_dir, server.port, root=next_release(tmp_path / "v2"))
        try:
            await page.evaluate(
                "navigator.serviceWorker.getRegistration('/app/').then(r => r.update())"
            )
            await expect(page.locator("#update")).to_contain_text("Update available")
            # Under the open camera the banner is covered; were it tapped, the update waits.
            await page.locator("#apply-update").dispatch_event("click")
            await expect(page.locator("#notice")).to_contain_text("waits until capture")
            in_use = await page.evaluate("caches.keys()")
            await capture(page, 1)
            await wait_for_empty_outbox(page)  # nor while the outbox is sending
            await page.locator("#apply-update").click()
            await page.wait_for_function(  # v2 took over (activation drops the old cache)
                "async () => JSON.stringify(await caches.keys()) === "
                f"'[\"sutura-shell-v{shell_version() + 1}\"]'",
                timeout=30_000,
            )
            await expect(page.locator("#update")).to_be_hidden()  # the page reloaded
            photos = photos_of_patient(base, "010190-1236", expect_count=1)
        finally:
            upgraded.stop()
        await context.close()

    assert f"sutura-shell-v{shell_version()}" in in_use  # the old shell served the capture
    assert len(photos) == 1
