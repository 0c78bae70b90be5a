"""Per-part view: the legend shows or hides each part in the overlay and the colour export, from
the mouse or the keyboard, and the URL keeps the choice."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.support.faces import FACE_CLASSES

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def overlay(app) -> np.ndarray:
    return app.canvas("#overlay")


def shown(app) -> list[str]:
    return app.page.eval_on_selector_all("#legend li", "items => items.filter(i => i.classList.contains('shown')).map(i => i.dataset.name)")


def test_hiding_a_part_changes_the_overlay_of_that_part_only(app, webcam_frame, tmp_path):
    app.open(backend="wasm", size=288)
    labels = app.parse_photo(webcam_frame, tmp_path / "face.png")
    before = overlay(app)
    hair = labels == FACE_CLASSES["hair"]
    assert hair.sum() > 100 and (before[hair][:, 3] > 0).all()

    app.page.click("#legend li[data-name='hair'] button.part")
    app.page.wait_for_function("!document.querySelector('#legend li[data-name=hair]').classList.contains('shown')")
    after = overlay(app)
    assert (after[hair][:, 3] == 0).all(), "hidden hair is transparent"
    assert np.array_equal(after[~hair], before[~hair]), "every other pixel is as it was"
    assert app.page.get_attribute("#legend li[data-name='hair'] button.part", "aria-pressed") == "false"
    assert "hair" not in app.page.url.split("parts=")[1] and "skin" in app.page.url

    # The keyboard shows it again.
    app.page.focus("#legend li[data-name='hair'] button.part")
    app.page.keyboard.press("Space")
    app.page.wait_for_function("document.querySelector('#legend li[data-name=hair]').classList.contains('shown')")
    assert np.array_equal(overlay(app), before)


def test_only_one_part_and_the_url_round_trip_and_the_colour_export(app, webcam_frame, tmp_path):
    app.open(backend="wasm", size=288)
    labels = app.parse_photo(webcam_frame, tmp_path / "face.png")
    app.page.click("#legend li[data-name='skin'] button.only")
    app.page.wait_for_function("document.querySelectorAll('#legend li.shown').length === 1")
    assert shown(app) == ["skin"]
    assert app.page.url.endswith("parts=skin")
    skin = labels == FACE_CLASSES["skin"]
    alpha = overlay(app)[..., 3]
    assert (alpha[skin] > 0).all() and (alpha[~skin] == 0).all()

    colors = np.asarray(Image.open(io.BytesIO(app.export("#export-color"))).convert("RGB"))
    assert (colors[~skin] == 0).all() and (colors[skin] != 0).any(axis=1).all(), "the colour export shows the same parts"

    app.open(**dict(part.split("=") for part in app.page.url.split("?")[1].split("&")))
    assert shown(app) == ["skin"], "the URL brings the choice back"
    app.page.click("#parts-all")
    app.page.wait_for_function("document.querySelectorAll('#legend li.shown').length === document.querySelectorAll('#legend li').length")
    assert "parts=" not in app.page.url


def test_a_photo_has_no_frame_rate_on_the_status_line(app, webcam_frame, tmp_path):
    app.open(backend="wasm", size=288)
    app.parse_photo(webcam_frame, tmp_path / "face.png")
    assert "FPS" not in app.page.inner_text("#stats")
    app.start_camera()
    app.wait_frames(2)
    assert "FPS" in app.page.inner_text("#stats")
