"""Every portal page in Chromium, in Danish and English, on a laptop and a phone screen.

Screenshots go to artifacts/screenshots/ (ignored by git) for people to look at; the test
checks what a user would: the page speaks the chosen language, search finds the series,
the viewer moves with the arrow keys, the comparison shows both photos.
"""

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, async_playwright, expect

from tests.e2e.phone import CHROMIUM, CHROMIUM_ARGS
from tests.ui.test_portal_e2e import EMAIL, PASSWORD, ROOT, server
from ui.i18n import translate

__all__ = ["server"]
SHOTS = ROOT / "artifacts" / "screenshots"
PHOTOS = ROOT / "tests" / "data" / "photos"
SIZES = {"laptop": (1280, 800), "phone": (390, 844)}
HEADINGS = {"en": "Overview", "da": "Overblik"}
# Pages whose heading must follow the language: English, Danish.
PAGE_HEADINGS = {
    "audit": ("Audit log", "Revisionslog"),
    "members": ("Members", "Medlemmer"),
    "devices": ("Phone app devices", "Enheder med appen"),
    "account": ("Your account", "Din konto"),
}

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's Chromium is missing"),
    pytest.mark.timeout(240),
]


async def _documented_patient(page: Page, base: str) -> dict[str, Any]:
    """Through the API in the signed-in browser: a patient, a consented series, two photos."""
    me = await (await page.request.get(f"{base}/api/v1/me")).json()
    cluster = me["memberships"][0]["cluster_id"]
    patient = await (
        await page.request.post(
            f"{base}/api/v1/patients",
            data={"cluster_id": cluster, "name": "Karen Blixen", "cpr": "170485-1234"},
        )
    ).json()
    series = await (
        await page.request.post(
            f"{base}/api/v1/patients/{patient['id']}/series",
            data={"body_site": "nose", "side": None, "diagnoses": ["DC443"], "procedures": []},
        )
    ).json()
    await page.request.post(
        f"{base}/api/v1/series/{series['id']}/consents",
        data={"scopes": ["clinical_documentation", "teaching"], "given_by": "patient",
              "method": "signed_on_paper"},
    )  # fmt: skip
    photo_ids = []
    for name, phase, when in (
        ("orient_1_landscape.jpg", "pre_op", "2026-06-01T09:00:00Z"),
        ("orient_3_landscape.jpg", "post_op", "2026-09-01T09:00:00Z"),
    ):
        answer = await page.request.post(
            f"{base}/api/v1/series/{series['id']}/photos",
            multipart={
                "file": {"name": name, "mimeType": "image/jpeg",
                         "buffer": (PHOTOS / name).read_bytes()},
                "phase": phase, "view": "face_frontal", "captured_at": when,
            },
        )  # fmt: skip
        photo_ids.append((await answer.json())["id"])
    await page.request.post(
        f"{base}/api/v1/acute-patients", data={"cluster_id": cluster, "ward": "ward 3"}
    )
    for photo_id in photo_ids:
        for _ in range(300):
            if await _status(page, base, photo_id) == "ready":
                break
            await asyncio.sleep(0.2)
    return {
        "cluster": cluster,
        "patient": patient["id"],
        "series": series["id"],
        "photos": photo_ids,
    }


async def _status(page: Page, base: str, photo_id: str) -> str:
    return str(
        (await (await page.request.get(f"{base}/api/v1/photos/{photo_id}")).json())["status"]
    )


def _pages(base: str, ids: dict[str, Any]) -> dict[str, str]:
    cluster = ids["cluster"]
    first, second = ids["photos"]
    return {
        "dashboard": f"{base}/?cluster={cluster}",
        "patients": f"{base}/patients?cluster={cluster}",
        "patient": f"{base}/patients/{ids['patient']}",
        "series": f"{base}/series/{ids['series']}",
        "compare": f"{base}/compare?a={first}&b={second}",
        "search": f"{base}/search?cluster={cluster}&diagnosis=C44&scope=teaching",
        "my-series": f"{base}/my-series?cluster={cluster}",
        "acute": f"{base}/acute?cluster={cluster}",
        "admin": f"{base}/admin",
        "audit": f"{base}/audit?cluster={cluster}",
        "members": f"{base}/members?cluster={cluster}",
        "devices": f"{base}/devices",
        "account": f"{base}/account",
    }


async def _shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


async def test_every_page_in_both_languages_on_laptop_and_phone(server: str) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 800})
            page = await context.new_page()
            await page.goto(f"{server}/login")
            await _shoot(page, "en-laptop-login")
            await page.locator("#login-email").fill(EMAIL)
            await page.locator("#login-password").fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url(f"{server}/")
            ids = await _documented_patient(page, server)
            headings = {}
            wrong_language: list[str] = []

            for language in ("en", "da"):
                await page.request.put(f"{server}/api/v1/me/language", data={"language": language})
                for size, (width, height) in SIZES.items():
                    await page.set_viewport_size({"width": width, "height": height})
                    for name, address in _pages(server, ids).items():
                        await page.goto(address)
                        await _shoot(page, f"{language}-{size}-{name}")
                        wrong_language += await _heading_problems(page, name, language)
                    await page.goto(_pages(server, ids)["dashboard"])
                    headings[language] = await page.get_by_text(
                        HEADINGS[language], exact=True
                    ).count()

            assert headings == {"en": 1, "da": 1}
            assert wrong_language == []
        finally:
            await browser.close()


async def _heading_problems(page: Page, name: str, language: str) -> list[str]:
    """The page's heading in the other language, or missing in this one."""
    if name not in PAGE_HEADINGS:
        return []
    english, danish = PAGE_HEADINGS[name]
    wanted, unwanted = (danish, english) if language == "da" else (english, danish)
    problems = []
    if not await page.get_by_text(wanted, exact=True).count():
        problems.append(f"{language} {name}: no {wanted!r}")
    if await page.get_by_text(unwanted, exact=True).count():
        problems.append(f"{language} {name}: shows {unwanted!r}")
    return problems


async def test_pages_before_sign_in_speak_the_browsers_language(server: str) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(
                viewport={"width": 1280, "height": 800}, locale="da-DK"
            )
            page = await context.new_page()

            await page.goto(f"{server}/login")
            await _shoot(page, "da-laptop-login")
            await page.locator("#login-email").fill(EMAIL)
            await page.locator("#login-password").fill("not the password")
            await page.get_by_role("button", name="Log ind").click()
            refusal = page.locator(".text-negative")
            await expect(refusal).not_to_have_text("")
            refused = await refusal.inner_text()
            await page.goto(f"{server}/forgot")
            await _shoot(page, "da-laptop-forgot")

            await expect(page.get_by_text("Glemt din adgangskode?", exact=True)).to_be_visible()
            assert refused == translate("The email or password is not correct.", "da")
        finally:
            await browser.close()


async def test_search_viewer_and_comparison_work_in_the_browser(server: str) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            await page.goto(f"{server}/login")
            await page.locator("#login-email").fill(EMAIL)
            await page.locator("#login-password").fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url(f"{server}/")
            ids = await _documented_patient(page, server)
            addresses = _pages(server, ids)

            await page.goto(addresses["search"])
            hits = await page.locator(".search-hit").count()
            await page.goto(addresses["series"])
            await page.locator("img.photo-thumbnail").first.click()
            preview = page.locator("img.photo-preview")
            first_src = await preview.get_attribute("src")
            await page.keyboard.press("ArrowRight")
            await expect(preview).not_to_have_attribute("src", first_src or "")
            await page.keyboard.press("Escape")
            await page.goto(addresses["compare"])
            panes = await page.locator(".compare-side img").count()

            assert hits == 1
            assert re.search(r"/api/v1/photos/[0-9a-f-]+/preview", first_src or "")
            assert panes == 2
        finally:
            await browser.close()
