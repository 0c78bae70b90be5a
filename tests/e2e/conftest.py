"""Fixtures for the cross-engine tests: the page driver (`App`) in Chromium (Playwright), WebKit and
Firefox (WebDriver, tests/support/engines.py), and a server whose model file is damaged."""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from pathlib import Path

import pytest

from server import ROOT
from tests.support.app import App
from tests.support.browser import LiveServer
from tests.support.engines import missing, start_firefox, start_webkit, virtual_display
from tests.support.webdriver_page import WebDriverPage

ENGINES = ["chromium", "webkit", "firefox"]


@pytest.fixture(scope="session")
def display():
    """-> a function giving one Xvfb screen for the session, started on first use."""
    with ExitStack() as stack:
        screens: list[str] = []

        def name() -> str:
            if not screens:
                screens.append(stack.enter_context(virtual_display()))
            return screens[0]

        yield name


@pytest.fixture
def start_app(browser, display, tmp_path):
    """-> start(engine, url, features=(), shared_memory=False, headless=True): an App on a fresh
    page of that browser engine. WebKit options: `features` (e.g. '+AllowWebGLInWorkers') and
    `shared_memory` (SharedArrayBuffer on); Firefox: `headless=False` runs it on the Xvfb screen
    (where it has WebGL)."""
    contexts, drivers = [], []

    def start(engine: str, url: str, features: tuple[str, ...] = (), shared_memory: bool = False, headless: bool = True) -> App:
        if engine == "chromium":
            context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(120_000)
            return App(page, url)
        absent = missing(engine)
        if absent:
            pytest.fail(f"{engine} is not installed ({', '.join(absent)} missing): run scripts/setup --tests")
        if engine == "webkit":
            driver, downloads = start_webkit(display(), features, shared_memory), None
        else:
            downloads = tmp_path / "downloads"
            downloads.mkdir(exist_ok=True)
            driver = start_firefox(None if headless else display(), downloads)
        drivers.append(driver)
        return App(WebDriverPage(driver, downloads, tmp_path), url)

    yield start
    for context in contexts:
        context.close()
    for driver in drivers:
        driver.quit()  # stops the driver process too, even when its browser no longer answers


@pytest.fixture(scope="module")
def damaged_model_server(tmp_path_factory):
    """The app with one shard of the parser's TensorFlow.js weights damaged (one byte changed);
    every other built file is the real one (linked)."""
    dist = tmp_path_factory.mktemp("damaged") / "dist"
    shutil.copytree(ROOT / "models" / "dist", dist, copy_function=lambda src, dst: Path(dst).symlink_to(Path(src).resolve()))
    shard = dist / "bisenetv2-celebamask" / "tfjs" / "group1-shard2of3.bin"
    body = bytearray(shard.read_bytes())
    body[len(body) // 2] ^= 0xFF
    shard.unlink()
    shard.write_bytes(bytes(body))
    with LiveServer({"MODELS_DIST_DIR": dist}) as server:
        yield server
