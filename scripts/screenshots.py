"""Makes the README's pictures with the real page in headless Chromium:
- docs/screenshot.png: a picture of two people side by side (scikit-image's public-domain NASA
  portrait of Eileen Collins and its CC0 "camera" photo), each face found, cropped, parsed and
  pasted back;
- docs/effects.png: each effect on the portrait, as the page draws it.

    .venv/bin/python -m scripts.screenshots [--out docs]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from playwright.sync_api import sync_playwright
from skimage import data

from tests.support.app import App
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS, live_server


def two_people() -> np.ndarray:
    """The two photos side by side, each cut to the person's head and shoulders."""
    camera = Image.fromarray(data.camera()[60:310, 110:360]).convert("RGB").resize((400, 400), Image.LANCZOS)
    return np.concatenate([data.astronaut()[0:400, 40:440], np.asarray(camera)], axis=1)


EFFECTS = [("none", {}), ("blur", {}), ("replace", {"color": "#3a7bd5"}), ("hair", {"color": "#2a6cff"}),
           ("lips", {"color": "#e0115f"}), ("anonymise", {})]


def effects_grid(app: App, photo: Path, tile: int = 300) -> Image.Image:
    """Each effect on the photo, in a row of tiles with the effect's name."""
    app.open_photo(photo)
    app.wait_parsed(photo.name)
    tiles = []
    for effect, settings in EFFECTS:
        for name, value in settings.items():
            app.page.fill(f"#{name}", value)
        label = app.page.eval_on_selector(f"#effect-select option[value={effect}]", "option => option.textContent")
        image = Image.fromarray(app.choose_effect(effect)).resize((tile, tile), Image.LANCZOS)
        ImageDraw.Draw(image).text((8, tile - 20), label, fill="white", stroke_width=2, stroke_fill="black")
        tiles.append(image)
    grid = Image.new("RGB", (tile * 3, tile * 2))
    for index, image in enumerate(tiles):
        grid.paste(image, ((index % 3) * tile, (index // 3) * tile))
    return grid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
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
        page.screenshot(path=str(args.out / "screenshot.png"))
        portrait = Path(tmp) / "portrait.png"
        Image.fromarray(data.astronaut()[0:440, 40:480]).save(portrait)
        effects_grid(app.open(backend="wasm", size=448, strength=70), portrait).save(args.out / "effects.png", optimize=True)
        browser.close()
    print(f"pictures: {args.out}/screenshot.png, {args.out}/effects.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
