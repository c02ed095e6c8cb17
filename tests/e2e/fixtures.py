"""What the phone app's browser tests share: their marks, the server and the page-error check."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.phone import CHROMIUM, EMAIL, ERRORS, PASSWORD
from tests.server import ROOT, Server, create_admin, free_port

# Browser tests: skipped where Debian's Chromium is missing; each gets four minutes.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium ({CHROMIUM}) is missing"),
    pytest.mark.timeout(240),
    pytest.mark.usefixtures("no_page_errors"),
]


def start_server(data_dir: Path, port: int, root: Path = ROOT) -> Server:
    # WebAuthn needs a domain as relying party id: localhost, not 127.0.0.1.
    return Server(data_dir, port=port, root=root, SUTURA_PUBLIC_URL=f"http://localhost:{port}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    data_dir = tmp_path / "data"
    create_admin(data_dir, EMAIL, PASSWORD, "Plastic Surgery")
    running = start_server(data_dir, free_port())
    yield running
    running.stop()


@pytest.fixture
def no_page_errors() -> Iterator[None]:
    ERRORS.clear()
    yield
    assert not ERRORS, f"uncaught errors in the app: {ERRORS}"
