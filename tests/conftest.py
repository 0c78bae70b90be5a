"""Fixtures: the Flask app and its test client, the live server, Chromium with a fake webcam, and
`app`, the page driver (tests/support/app.py) on a fresh page that must request nothing but the
app's own server."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from server import ROOT, create_app
from tests.support.app import App
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS, LiveServer, astronaut_face, fake_webcam_flags, write_y4m

SHARED_DIR = ROOT.parent / "shared"


@pytest.fixture
def flask_app():
    return create_app({"TESTING": True})


@pytest.fixture
def client(flask_app):
    return flask_app.test_client()


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


def watched_app(browser, live_server, allow_page_errors: bool):
    """An App on a fresh page; afterwards, no request may have left the app's own server and
    (unless allowed) no uncaught error may have happened in the page or its workers."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    errors = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    page.on("pageerror", lambda error: errors.append(str(error)))
    app = App(page, live_server.url)
    yield app
    context.close()
    own_origin = urlsplit(live_server.url).netloc
    foreign = [url for url in app.requests if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != own_origin]
    assert not foreign, f"the page requested other hosts: {foreign}"
    if not allow_page_errors:
        assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def app(browser, live_server):
    """The page driver on a fresh page that must raise no uncaught error."""
    yield from watched_app(browser, live_server, allow_page_errors=False)


@pytest.fixture
def failing_app(browser, live_server):
    """The page driver for tests that break the app's files on purpose: the loaders that fail may throw."""
    yield from watched_app(browser, live_server, allow_page_errors=True)


class NativeParsers:
    """The CLI's whole-frame path natively (ONNX Runtime: the parser and the person mask's body),
    in each precision, loaded once."""

    def __init__(self):
        from faceparts.native import MANIFEST_PATH, FrameParser

        manifest = json.loads(MANIFEST_PATH.read_text())
        self.parsers = {precision: FrameParser(find_faces=False, precision=precision) for precision in manifest["precisions"]}

    def labels(self, rgb, precision: str):
        """Labels of a picture already at the model's input shape, parsed whole as `faceparts
        parse --whole-frame` does, in that precision ('int8' or 'fp32': what the page's #status
        says ran)."""
        return self.parsers[precision].parse(rgb, max(rgb.shape[:2])).labels


@pytest.fixture(scope="session")
def native_parser():
    return NativeParsers()


def shared_path(relative: str) -> Path:
    """A path under ../shared, skipping the test (with the reason) when it is absent."""
    path = SHARED_DIR / relative
    if not path.exists():
        pytest.skip(f"{path} is absent: this test needs the workplace's ../shared data")
    return path
