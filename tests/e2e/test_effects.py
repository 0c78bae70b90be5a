"""Effects on a photo: each changes what it should and nothing else, both painters (WebGL2 and
Canvas 2D, forced by ?render=) draw the same picture, and "Save picture" saves what is drawn."""

from __future__ import annotations

import colorsys
import io

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from tests.support.faces import face_on_texture

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PERSON_IDS = list(range(1, 20))  # every part, and the body
BODY = [19]
FACE_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
HAIR, LIPS = [17], [12, 13]
EFFECTS = ["none", "blur", "hair", "lips", "anonymise", "replace"]


def parse_and_draw_every_effect(app, tmp_path, render: str):
    """-> (photo, labels, {effect: picture}) with colour #2050ff at strength 80."""
    app.open(backend="wasm", size=288, render=render, color="2050ff", strength=80)
    assert app.status()["render"] == render
    photo = face_on_texture()
    labels = app.parse_photo(photo, tmp_path / "face.png")
    return photo, labels, {effect: app.choose_effect(effect) for effect in EFFECTS}


def away_from(labels: np.ndarray, ids: list[int], pixels: int = 4) -> np.ndarray:
    """Pixels farther than `pixels` from any of these classes (the mask is soft at borders)."""
    return ~ndimage.binary_dilation(np.isin(labels, ids), iterations=pixels)


def inside(labels: np.ndarray, ids: list[int], pixels: int = 4) -> np.ndarray:
    return ndimage.binary_erosion(np.isin(labels, ids), iterations=pixels)


def high_frequency(image: np.ndarray, region: np.ndarray) -> float:
    grey = image.astype(np.float64).mean(axis=2)
    return float(np.abs(ndimage.laplace(grey))[region].mean())


def hue_distance(pixels: np.ndarray, target_hue: float) -> float:
    hues = np.array([colorsys.rgb_to_hsv(*(p / 255))[0] for p in pixels.reshape(-1, 3)])
    distance = np.abs(hues - target_hue)
    return float(np.minimum(distance, 1 - distance).mean())


@pytest.mark.parametrize("render", ["webgl", "2d"])
def test_each_effect_changes_what_it_should_and_nothing_else(app, tmp_path, render):
    photo, labels, shown = parse_and_draw_every_effect(app, tmp_path, render)
    assert np.isin(labels, HAIR).sum() > 1000 and np.isin(labels, LIPS).sum() > 100, "the photo's face was parsed"
    assert np.abs(shown["none"].astype(int) - photo).max() <= 1, "no effect: the photo as it is"

    background = inside(labels, [0], 8)
    face = inside(labels, FACE_IDS)
    blurred = shown["blur"]
    assert high_frequency(blurred, background) <= 0.5 * high_frequency(photo, background), "the background is blurred"
    changed = np.abs(blurred.astype(int) - photo).max(axis=2) > 8
    assert changed[face].mean() <= 0.05, "the face stays sharp"

    target_hue = colorsys.rgb_to_hsv(0x20 / 255, 0x50 / 255, 1)[0]
    hair = inside(labels, HAIR)
    assert hue_distance(shown["hair"][hair], target_hue) < 0.5 * hue_distance(photo[hair], target_hue), "hair moves toward the colour"
    assert np.abs(shown["hair"].astype(int) - photo)[away_from(labels, HAIR)].max() <= 1, "nothing else changes"

    lips = inside(labels, LIPS, 1)
    assert np.abs(shown["lips"].astype(int) - photo)[lips].mean() > 10, "the lips are tinted"
    assert np.abs(shown["lips"].astype(int) - photo)[away_from(labels, LIPS)].max() <= 1, "nothing else changes"

    hidden = shown["anonymise"]
    assert not (hidden == photo).all(axis=2)[face].any(), "no pixel of the face is left as it was"
    assert np.abs(hidden.astype(int) - photo)[away_from(labels, FACE_IDS)].max() <= 1, "everything else stays sharp"

    replaced = shown["replace"]
    assert np.abs(replaced[background].astype(int) - [0x20, 0x50, 0xFF]).max() <= 1, "the background is the colour"
    assert np.abs(replaced.astype(int) - photo)[inside(labels, PERSON_IDS)].max() <= 1, "the person stays"

    # "Save picture" saves what is drawn (no overlay: choosing an effect cleared it).
    assert app.page.input_value("#opacity") == "0"
    saved = np.asarray(Image.open(io.BytesIO(app.export("#save-picture"))).convert("RGB"))
    assert np.array_equal(saved, replaced)


def test_webgl_and_canvas_2d_draw_the_same_picture(app, tmp_path):
    _, labels, webgl = parse_and_draw_every_effect(app, tmp_path, "webgl")
    _, _, canvas = parse_and_draw_every_effect(app, tmp_path, "2d")
    # Within 3 px of a class border each painter smooths the mask its own way, which over this
    # picture's noisy texture shows as large single-pixel differences: there only their mean is held.
    edges = ndimage.binary_dilation(ndimage.morphological_gradient(labels, size=2) > 0, iterations=3)
    for effect in EFFECTS:
        difference = np.abs(webgl[effect].astype(int) - canvas[effect]).max(axis=2)
        # A blur's kernel and a block's mean are each painter's own approximations; the rest
        # agrees within rounding.
        limit = 12 if effect in ("blur", "anonymise") else 3
        away = difference[~edges]
        assert np.percentile(away, 99) <= limit and away.mean() <= limit / 3, (effect, away.mean(), np.percentile(away, 99))
        assert difference[edges].mean() <= 24, (effect, difference[edges].mean())


def test_a_background_image_given_or_dropped_replaces_the_background(app, tmp_path):
    app.open(backend="wasm", size=288, render="2d")
    photo = face_on_texture()
    labels = app.parse_photo(photo, tmp_path / "face.png")
    background = inside(labels, [0], 8)
    person = inside(labels, PERSON_IDS)

    green = tmp_path / "green.png"
    Image.new("RGB", (64, 48), (10, 200, 30)).save(green)
    app.page.set_input_files("#background-input", str(green))
    app.page.wait_for_function("document.querySelector('#effect-select').value === 'replace'")
    shown = app.picture()
    assert np.abs(shown[background].astype(int) - [10, 200, 30]).max() <= 1, "giving an image chooses it and replace"
    assert np.abs(shown.astype(int) - photo)[person].max() <= 1

    purple = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 20, 160)).save(purple, format="PNG")
    dropped = app.page.evaluate_handle(
        "bytes => { const transfer = new DataTransfer(); transfer.items.add(new File([new Uint8Array(bytes)], 'purple.png', { type: 'image/png' })); return transfer; }",
        list(purple.getvalue()))
    app.page.dispatch_event("label:has(#background-input)", "drop", {"dataTransfer": dropped})
    app.page.wait_for_function("() => { const c = document.createElement('canvas'); const s = document.querySelector('#picture'); "
                               "c.width = s.width; c.height = s.height; const x = c.getContext('2d'); x.drawImage(s, 0, 0); "
                               "return x.getImageData(2, 2, 1, 1).data[2] > 100; }")
    assert np.abs(app.picture()[background].astype(int) - [120, 20, 160]).max() <= 1, "a dropped image replaces it"

    bad = tmp_path / "not-an-image.png"
    bad.write_text("hello")
    app.page.set_input_files("#background-input", str(bad))
    assert "is not an image" in app.wait_message("not an image")
    assert np.abs(app.picture()[background].astype(int) - [120, 20, 160]).max() <= 1, "a bad file changes nothing"


def test_the_body_is_the_person_for_the_background_effects(app, tmp_path):
    """The whole astronaut photo: her face is found and parsed in its crop, her suit and shoulders
    below it are her body (the person mask), and the background effects leave them be."""
    from skimage import data

    app.open(backend="wasm", size=448, render="2d", color="2050ff", strength=80)
    photo = data.astronaut()
    labels = app.parse_photo(photo, tmp_path / "astronaut.png")
    assert app.status()["faces"] == "1"
    body = inside(labels, BODY + [16], 6)  # the suit: body, or cloth where a parse saw it as such
    assert body[400:, 150:400].mean() > 0.5, "her suit is hers, not background"
    background = inside(labels, [0], 8)
    blurred = app.choose_effect("blur")
    assert high_frequency(blurred, body) >= 0.9 * high_frequency(photo, body), "the body stays sharp"
    assert high_frequency(blurred, background) <= 0.5 * high_frequency(photo, background), "the background is blurred"
    replaced = app.choose_effect("replace")
    assert np.abs(replaced.astype(int) - photo)[inside(labels, PERSON_IDS)].max() <= 1, "the person, body included, stays"
    assert np.abs(replaced[background].astype(int) - [0x20, 0x50, 0xFF]).max() <= 1, "the background is the colour"
