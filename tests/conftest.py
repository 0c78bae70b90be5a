from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from server import ROOT, create_app
from tests.browser import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    LiveServer,
    astronaut_face,
    fake_webcam_flags,
    write_y4m,
)

SHARED_DIR = ROOT.parent / "shared"


@pytest.fixture
def app():
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def _missing_build() -> list[str]:
    needed = [ROOT / "vendor" / "assets.json", ROOT / "models" / "dist", Path(CHROMIUM)]
    return [str(path) for path in needed if not path.exists()]


@pytest.fixture(scope="session")
def live_server():
    missing = _missing_build()
    if missing:
        pytest.fail(f"the app is not built ({', '.join(missing)} missing): run scripts/setup first")
    with LiveServer() as server:
        yield server


@pytest.fixture(scope="session")
def webcam_frame() -> "np.ndarray":  # noqa: F821
    return astronaut_face()


@pytest.fixture(scope="session")
def webcam_y4m(tmp_path_factory, webcam_frame) -> Path:
    return write_y4m(tmp_path_factory.mktemp("webcam") / "astronaut.y4m", [webcam_frame] * 2)


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright, webcam_y4m):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS + fake_webcam_flags(webcam_y4m))
    yield browser
    browser.close()


def _watched_page(browser, live_server, allow_page_errors: bool):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    context.on("weberror", lambda error: errors.append(str(error.error)))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.requests = requests
    yield page
    context.close()
    own_origin = urlsplit(live_server.url).netloc
    foreign = [url for url in requests if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != own_origin]
    assert not foreign, f"the page requested other hosts: {foreign}"
    if not allow_page_errors:
        assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def page(browser, live_server):
    """A fresh page that must raise no uncaught error and request nothing but the app's own server."""
    yield from _watched_page(browser, live_server, allow_page_errors=False)


@pytest.fixture
def failing_page(browser, live_server):
    """A page for tests that break the app's files on purpose: the loaders that fail may throw."""
    yield from _watched_page(browser, live_server, allow_page_errors=True)


def shared_path(relative: str) -> Path:
    """A path under ../shared, skipping the test (with the reason) when it is absent."""
    path = SHARED_DIR / relative
    if not path.exists():
        pytest.skip(f"{path} is absent: this test needs the workplace's ../shared data")
    return path
