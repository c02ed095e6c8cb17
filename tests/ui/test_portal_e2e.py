"""The portal in Debian's Chromium against a real server: sign in, document a patient, sign out."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from tests.e2e.phone import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
PHOTO = ROOT / "tests" / "data" / "photos" / "orient_6_landscape.jpg"
EMAIL = "admin@example.org"
PASSWORD = "a-long-password-123"
CPR = "010190-1236"

pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"Debian's Chromium ({CHROMIUM}) is missing"
    ),
    pytest.mark.timeout(60),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited while starting")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (our own local server)
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError("the server did not start within 20 s")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.update(
        SUTURA_DATA_DIR=str(tmp_path / "data"),
        SUTURA_HOST="127.0.0.1",
        SUTURA_PORT=str(port),
        SUTURA_LOG_LEVEL="WARNING",
    )
    subprocess.run(
        [sys.executable, "main.py", "create-admin", EMAIL, "--cluster", "Plastic Surgery"],
        input=f"{PASSWORD}\n",
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=30,
    )
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "main.py"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_serving(f"http://127.0.0.1:{port}/login", process)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=15)


async def _sign_in(page: Page, base: str, password: str) -> None:
    await page.goto(f"{base}/login")
    await page.locator("#login-email").fill(EMAIL)
    await page.locator("#login-password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


async def _pick(page: Page, label: str, typed: str, option: str | re.Pattern[str]) -> None:
    await page.get_by_label(label).fill(typed)
    await page.get_by_role("option", name=option).first.click()


async def _create_patient(page: Page) -> None:
    await page.get_by_role("button", name="New patient").click()
    await page.get_by_label("Name").fill("Karen Testesen")
    await page.get_by_label("CPR number").fill(CPR)
    await page.get_by_role("button", name="Create").click()
    await page.wait_for_url(re.compile(r".*/patients/[0-9a-f-]+$"))


async def _create_series(page: Page) -> None:
    await page.get_by_role("button", name="New series").click()
    await _pick(page, "Body site", "underben", "Lower leg (Underben)")
    await page.get_by_label("Side").click()
    await page.get_by_role("option", name="left", exact=True).click()
    await _pick(page, "Diagnoses", "DC437", re.compile(r"^DC437 "))
    await page.locator(".q-dialog").get_by_text("New series").click()  # closes the options
    await page.get_by_role("button", name="Create").click()
    await page.wait_for_url(re.compile(r".*/series/[0-9a-f-]+$"))


async def _upload_photo(page: Page) -> None:
    await page.get_by_role("checkbox", name="Clinical documentation").click()
    await page.get_by_role("button", name="Record consent").click()
    await page.locator("input.photo-files").set_input_files(PHOTO)
    await page.get_by_role("button", name="Upload").click()
    await expect(page.locator(".upload-outcome")).to_have_text(re.compile(r": uploaded$"))


async def _preview_size(page: Page) -> tuple[int, int]:
    thumbnail = page.locator("img.photo-thumbnail")
    await expect(thumbnail).to_be_visible(timeout=30_000)
    await thumbnail.click()
    preview = page.locator("img.photo-preview")
    await preview.wait_for()
    await page.wait_for_function(
        "() => { const i = document.querySelector('img.photo-preview');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    size = await preview.evaluate("image => [image.naturalWidth, image.naturalHeight]")
    return int(size[0]), int(size[1])


async def test_a_clinician_documents_a_patient_and_sees_the_photo_upright(server: str) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})

            await _sign_in(page, server, "not-the-password-1")
            await expect(page.get_by_text("The email or password is not correct.")).to_be_visible()
            await _sign_in(page, server, PASSWORD)
            await page.wait_for_url(f"{server}/")
            await _create_patient(page)
            await expect(page.get_by_text("010190-XXXX")).to_be_visible()
            full_cpr_shown = CPR in await page.content()
            await _create_series(page)
            await expect(page.get_by_text("Lower leg, left")).to_be_visible()
            await _upload_photo(page)
            width, height = await _preview_size(page)

            assert not full_cpr_shown
            assert width > height, f"preview is {width}x{height}: not upright landscape"
        finally:
            await browser.close()


async def test_signing_out_ends_the_session_for_every_page(server: str) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            await _sign_in(page, server, PASSWORD)
            await page.wait_for_url(f"{server}/")

            await page.get_by_role("button", name="Sign out").click()
            await page.wait_for_url(f"{server}/login")
            await page.goto(f"{server}/")

            assert page.url == f"{server}/login"
        finally:
            await browser.close()


async def test_a_session_ended_elsewhere_pushes_the_open_page_out(server: str) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await _sign_in(page, server, PASSWORD)
            await page.wait_for_url(f"{server}/")
            other = await browser.new_context()
            elsewhere = await other.new_page()
            await _sign_in(elsewhere, server, PASSWORD)
            await elsewhere.wait_for_url(f"{server}/")

            await elsewhere.goto(f"{server}/account")
            await elsewhere.get_by_role("button", name="Sign out everywhere else").click()
            await page.wait_for_url(f"{server}/login?ended=1", timeout=20_000)

            await expect(page.get_by_text("Your session has ended.")).to_be_visible()
            await other.close()
        finally:
            await browser.close()
