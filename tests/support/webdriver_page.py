"""The part of Playwright's Page that `App` uses, over a Selenium WebDriver session, so the same
app driver runs the page in WebKit (WebKitGTK's MiniBrowser, Safari's engine) and Firefox.

WebDriver has no network events: the page's requests are read from its Resource Timing entries
instead (see `resource_urls`). Downloads are the browser's own: Firefox saves them to a folder;
WebKit's MiniBrowser has no download folder under automation, so there the file is taken as the
page hands it to the browser (the blob behind the download link's click).
"""

from __future__ import annotations

import base64
import json
import re
import time
from contextlib import contextmanager
from pathlib import Path

from selenium.common.exceptions import JavascriptException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

FUNCTION = re.compile(r"^(async\s+)?(function\b|\([^()]*\)\s*=>|\w+\s*=>)")

# Keeps every file the page offers as a download, by name, as base64 (WebKit: see above).
CATCH_DOWNLOADS = """
if (!window.__caught) {
  window.__caught = [];
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    if (this.download && this.href.startsWith('blob:')) {
      const name = this.download;
      fetch(this.href).then((r) => r.arrayBuffer()).then((buffer) => {
        const bytes = new Uint8Array(buffer);
        let text = '';
        for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
        window.__caught.push([name, btoa(text)]);
      });
      return;
    }
    return click.call(this);
  };
}
"""


class Download:
    def __init__(self, path: Path):
        self._path = path

    def path(self) -> Path:
        return self._path


class _Pending:
    value: Download


class WebDriverPage:
    """A Selenium driver with Playwright's page methods (those App calls). `download_dir` is where
    the browser saves downloads, or None to take them from the page (WebKit)."""

    def __init__(self, driver, download_dir: Path | None, scratch: Path, timeout_s: float = 120):
        self.driver = driver
        self.download_dir = download_dir
        self.scratch = scratch
        self.timeout_s = timeout_s

    # -- navigation and scripts -------------------------------------------------------------
    def on(self, event: str, handler) -> None:
        """WebDriver classic has no events: App's request log stays empty (see resource_urls)."""

    def goto(self, url: str) -> None:
        self.driver.get(url)

    def evaluate(self, expression: str, arg=None):
        """A JS function (called with `arg`, awaited) or an expression, like Playwright's."""
        source = expression.strip()
        if FUNCTION.match(source):
            return self.driver.execute_script(f"return await ({source})(arguments[0]);", arg)
        return self.driver.execute_script(f"return ({source});")

    def wait_for_function(self, expression: str, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout / 1000 if timeout else self.timeout_s)
        while True:
            try:
                if self.driver.execute_script(f"return Boolean({expression});"):
                    return
            except JavascriptException:
                pass  # the page is between documents
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {expression}; status: {self.status_text()}")
            time.sleep(0.1)

    def status_text(self) -> str:
        try:
            return self.driver.execute_script(
                "return JSON.stringify({...document.querySelector('#status').dataset}) + ' ' + document.querySelector('footer').innerText"
                " + ' progress: ' + document.querySelector('#progress').innerText")
        except JavascriptException as error:
            return str(error)

    def eval_on_selector(self, selector: str, function: str):
        return self.driver.execute_script(f"return ({function})(document.querySelector(arguments[0]));", selector)

    # -- elements ---------------------------------------------------------------------------
    def _element(self, selector: str):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def click(self, selector: str) -> None:
        self._element(selector).click()

    def inner_text(self, selector: str) -> str:
        return self.driver.execute_script("return document.querySelector(arguments[0]).innerText;", selector)

    def is_visible(self, selector: str) -> bool:
        elements = self.driver.find_elements(By.CSS_SELECTOR, selector)
        return bool(elements) and elements[0].is_displayed()

    def select_option(self, selector: str, value: str) -> None:
        Select(self._element(selector)).select_by_value(value)

    def set_input_files(self, selector: str, path: str) -> None:
        self._element(selector).send_keys(str(Path(path).resolve()))

    def resource_urls(self) -> list[str]:
        """Every URL the page itself fetched (its Resource Timing entries)."""
        return self.driver.execute_script("return performance.getEntriesByType('resource').map((e) => e.name);")

    # -- downloads --------------------------------------------------------------------------
    @contextmanager
    def expect_download(self):
        pending = _Pending()
        if self.download_dir is None:
            self.driver.execute_script(CATCH_DOWNLOADS + "window.__caught.length = 0;")
            yield pending
            self.wait_for_function("window.__caught.length > 0", timeout=30_000)
            name, data = self.driver.execute_script("return window.__caught[0];")
            path = self.scratch / name
            path.write_bytes(base64.b64decode(data))
        else:
            before = set(self.download_dir.iterdir())
            yield pending
            path = self._wait_for_new_file(before)
        pending.value = Download(path)

    def _wait_for_new_file(self, before: set[Path]) -> Path:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done = [p for p in set(self.download_dir.iterdir()) - before if not p.name.endswith(".part") and p.stat().st_size]
            if done:
                (path,) = done
                time.sleep(0.2)  # the last write
                return path
            time.sleep(0.1)
        raise TimeoutError(f"no download arrived in {self.download_dir}: {json.dumps([p.name for p in self.download_dir.iterdir()])}")
