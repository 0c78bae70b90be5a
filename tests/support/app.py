"""Drives the faceparts page: open it with settings, read its status, wait for frames, use the
camera and photos, export. Offered to the tests as the `app` fixture and imported by bench/.

Waits go through the page's public surface: the #status data-* attributes, #message and the
element ids the README lists.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
from PIL import Image

# A canvas's pixels as drawn (WebGL2 or Canvas 2D), RGBA, read through a 2D canvas.
READ_CANVAS = """(selector) => {
  const source = document.querySelector(selector);
  const canvas = document.createElement('canvas');
  canvas.width = source.width;
  canvas.height = source.height;
  const context = canvas.getContext('2d');
  context.drawImage(source, 0, 0);
  const bytes = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return [canvas.height, canvas.width, btoa(text)];
}"""

READY_OR_ERROR = "['ready', 'error'].includes(document.querySelector('#status').dataset.state)"


class App:
    """One page of the app. `requests` lists every URL the page asked for since it was created."""

    def __init__(self, page, url: str):
        self.page = page
        self.url = url
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))

    def requested_urls(self) -> list[str]:
        """Every URL the page asked for: the browser's network events where the driver has them
        (Playwright, workers included), else the page's own Resource Timing entries (WebDriver)."""
        resource_urls = getattr(self.page, "resource_urls", None)
        return resource_urls() if resource_urls else list(self.requests)

    def open(self, timeout_ms: float | None = None, **settings) -> "App":
        """Loads the page with these URL settings and waits until it is ready."""
        self.goto(**settings)
        self.page.wait_for_function(READY_OR_ERROR, timeout=timeout_ms)
        assert self.status()["state"] == "ready", self.page.inner_text("footer")
        return self

    def open_failing(self, **settings) -> str:
        """Loads a page that must fail to start; -> the message it shows."""
        self.goto(**settings)
        self.page.wait_for_function("document.querySelector('#status').dataset.state === 'error'", timeout=60_000)
        return self.page.inner_text("#message")

    def goto(self, **settings):
        self.page.goto(f"{self.url}/?{urlencode(settings)}")

    def status(self) -> dict:
        return self.page.eval_on_selector("#status", "element => ({...element.dataset})")

    def wait_state(self, state: str):
        self.page.wait_for_function(f"document.querySelector('#status').dataset.state === {json.dumps(state)}")

    def wait_frames(self, count: int, **expected) -> dict:
        """Waits until `count` more frames finished with the expected status (size, backend, where...)."""
        start = int(self.status().get("frames") or 0)
        conditions = " && ".join(f"s.{key} === {json.dumps(str(value))}" for key, value in expected.items()) or "true"
        self.page.wait_for_function(
            f"(() => {{ const s = document.querySelector('#status').dataset; return Number(s.frames) >= {start + count} && {conditions}; }})()"
        )
        return self.status()

    def start_camera(self):
        self.page.click("#camera-start")
        self.wait_state("running")

    def open_photo(self, path: Path):
        self.page.set_input_files("#photo-input", str(path))

    def wait_parsed(self, name: str):
        self.page.wait_for_function(f"document.querySelector('#status-text').textContent === 'Parsed ' + {json.dumps(name)}")

    def parse_photo(self, photo: np.ndarray, path: Path) -> np.ndarray:
        """Saves `photo` to `path`, has the page parse it, and returns the exported labels."""
        Image.fromarray(photo).save(path)
        self.open_photo(path)
        self.wait_parsed(path.name)
        return self.labels()

    def message(self) -> str:
        return self.page.inner_text("#message") if self.page.is_visible("#message") else ""

    def wait_message(self, text: str) -> str:
        self.page.wait_for_function(f"document.querySelector('#message').textContent.includes({json.dumps(text)})")
        return self.message()

    def export(self, button: str) -> bytes:
        with self.page.expect_download() as download:
            self.page.click(button)
        return download.value.path().read_bytes()

    def canvas(self, selector: str) -> np.ndarray:
        """A canvas's pixels at its own size: uint8 RGBA [H, W, 4]."""
        height, width, data = self.page.evaluate(READ_CANVAS, selector)
        return np.frombuffer(base64.b64decode(data), dtype=np.uint8).reshape(height, width, 4)

    def picture(self) -> np.ndarray:
        """The picture shown under the overlay, effect included: uint8 RGB [H, W, 3]."""
        return self.canvas("#picture")[..., :3]

    def choose_effect(self, effect: str) -> np.ndarray:
        """Chooses an effect from its control; -> the picture drawn with it."""
        self.page.select_option("#effect-select", effect)
        return self.picture()

    def labels(self) -> np.ndarray:
        """The class ids of the last parse, from the label PNG export."""
        image = Image.open(io.BytesIO(self.export("#export-label")))
        assert image.mode == "P", "the label PNG keeps class ids as palette indices"
        return np.asarray(image)
