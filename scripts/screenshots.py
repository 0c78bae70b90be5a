"""Makes the README's screenshot: the real page in headless Chromium, parsing a picture of two
people side by side (scikit-image's public-domain NASA portrait of Eileen Collins and its CC0
"camera" photo), each face found, cropped, parsed and pasted back.

    .venv/bin/python -m scripts.screenshots [--out docs/screenshot.png]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import sync_playwright
from skimage import data

from tests.support.app import App
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS, live_server


def two_people() -> np.ndarray:
    """The two photos side by side, each cut to the person's head and shoulders."""
    camera = Image.fromarray(data.camera()[60:310, 110:360]).convert("RGB").resize((400, 400), Image.LANCZOS)
    return np.concatenate([data.astronaut()[0:400, 40:440], np.asarray(camera)], axis=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshot.png"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, live_server() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        app = App(page, server.url).open(backend="wasm", size=448)
        photo = Path(tmp) / "two people.png"
        Image.fromarray(two_people()).save(photo)
        app.open_photo(photo)
        app.wait_parsed(photo.name)
        assert app.status()["faces"] == "2", app.status()
        page.screenshot(path=str(args.out))
        browser.close()
    print(f"screenshots: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
