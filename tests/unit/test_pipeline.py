import base64
import io
import json
import subprocess

import numpy as np
import pytest
from PIL import Image

from faceparts import export, pipeline
from faceparts.model_manifest import ModelSpec
from server import ROOT

SPEC = ModelSpec.load(ROOT / "models" / "manifest.json")


@pytest.mark.parametrize(
    ("frame", "size", "expected"),
    [
        ((512, 512), 448, (448, 448)),
        ((480, 640), 448, (352, 448)),  # 336 is halfway: rounds up to 352
        ((640, 480), 288, (288, 224)),
        ((720, 1280), 1024, (576, 1024)),
        ((10, 4000), 288, (32, 288)),  # never below one multiple
    ],
)
def test_input_shape_keeps_aspect_ratio_on_multiples_of_32(frame, size, expected):
    shape = SPEC.input_shape(*frame, size)
    assert shape == expected
    assert all(side % 32 == 0 for side in shape)


@pytest.mark.parametrize(("frame", "size"), [((0, 10), 448), ((10, 10), 300), ((10, 10), 0)])
def test_input_shape_rejects_empty_frames_and_odd_sizes(frame, size):
    with pytest.raises(ValueError):
        SPEC.input_shape(*frame, size)


def test_preprocess_scales_rgb_to_minus_one_one_and_drops_alpha():
    rgba = np.zeros((64, 32, 4), dtype=np.uint8)
    rgba[..., 0] = 255  # red
    rgba[..., 2] = 0
    rgba[..., 3] = 7  # alpha must not leak into the input
    out = pipeline.preprocess(rgba, 64, 32, SPEC.scale, SPEC.offset)
    assert out.dtype == np.float32 and out.shape == (64, 32, 3)
    np.testing.assert_allclose(out[0, 0], [1.0, -1.0, -1.0])


def test_preprocess_resizes_and_accepts_greyscale():
    grey = np.full((100, 50), 127, dtype=np.uint8)
    out = pipeline.preprocess(grey, 64, 32, SPEC.scale, SPEC.offset)
    assert out.shape == (64, 32, 3)
    np.testing.assert_allclose(out, 127 / 127.5 - 1, atol=1e-6)


@pytest.mark.parametrize("bad", [np.zeros((4, 4, 2), np.uint8), np.zeros((4, 4, 3), np.float32), np.zeros(4, np.uint8)])
def test_to_rgb_refuses_what_is_not_an_image(bad):
    with pytest.raises(ValueError):
        pipeline.to_rgb(bad)


def test_colorize_paints_class_colours_and_keeps_background_transparent():
    labels = np.array([[0, 1], [17, 4]], dtype=np.uint8)
    rgba = pipeline.colorize(labels, SPEC.palette)
    assert rgba.shape == (2, 2, 4)
    assert rgba[0, 0, 3] == 0
    assert tuple(rgba[0, 1, :3]) == tuple(SPEC.palette[1]) and rgba[0, 1, 3] == 255
    assert tuple(rgba[1, 0, :3]) == tuple(SPEC.palette[17])


def test_class_areas_count_every_class_and_sum_to_the_image():
    labels = np.zeros((10, 10), dtype=np.uint8)
    labels[:2] = 1
    labels[9, 9] = 18
    areas = pipeline.class_areas(labels, list(SPEC.class_names))
    assert list(areas) == list(SPEC.class_names)
    assert areas["skin"] == {"pixels": 20, "fraction": 0.2}
    assert areas["hat"]["pixels"] == 1
    assert sum(a["pixels"] for a in areas.values()) == 100


def test_labels_from_model_output_reshapes_and_checks_range():
    labels = pipeline.labels_from_model_output(np.arange(6, dtype=np.int32), 2, 3, 19)
    assert labels.dtype == np.uint8 and labels.tolist() == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="0..18"):
        pipeline.labels_from_model_output(np.array([0, 19, 0, 0]), 2, 2, 19)
    with pytest.raises(ValueError):
        pipeline.labels_from_model_output(np.zeros(5), 2, 3, 19)


def test_label_png_keeps_class_ids_and_shows_class_colours():
    labels = np.random.default_rng(0).integers(0, 19, size=(40, 30), dtype=np.uint8)
    image = Image.open(io.BytesIO(export.label_png(labels, SPEC.palette)))
    assert image.mode == "P" and image.size == (30, 40)
    np.testing.assert_array_equal(np.asarray(image), labels)
    np.testing.assert_array_equal(np.asarray(image.convert("RGB")), SPEC.palette[labels])


def test_color_png_and_areas_json():
    labels = np.zeros((8, 6), dtype=np.uint8)
    labels[:, :3] = 10
    colors = np.asarray(Image.open(io.BytesIO(export.color_png(labels, SPEC.palette))))
    assert colors.shape == (8, 6, 3)
    assert tuple(colors[0, 0]) == tuple(SPEC.palette[10]) and tuple(colors[0, 5]) == (0, 0, 0)
    document = json.loads(export.areas_json(labels, list(SPEC.class_names), {"size": 288}))
    assert document["width"] == 6 and document["height"] == 8 and document["size"] == 288
    assert document["classes"]["nose"] == {"pixels": 24, "fraction": 0.5}


def test_browser_normalisation_equals_preprocess_bit_for_bit():
    """The engine's JS normalisation (worker/model-input.js) against the CLI's numpy one."""
    rgba = np.arange(16 * 16 * 4, dtype=np.uint32).reshape(16, 16, 4)
    rgba = ((rgba * 7) % 256).astype(np.uint8)  # every value 0..255 in every channel
    script = (
        "import { normalizationTable, rgbaToModelInput } from './worker/model-input.js';"
        f"const rgba = Uint8Array.from({json.dumps(rgba.ravel().tolist())});"
        f"const input = rgbaToModelInput(rgba, 16, 16, normalizationTable({SPEC.scale!r}, {SPEC.offset!r}));"
        "process.stdout.write(Buffer.from(input.buffer).toString('base64'));"
    )
    result = subprocess.run(["node", "--input-type=module", "-e", script], cwd=ROOT, capture_output=True, text=True, check=True)
    browser = np.frombuffer(base64.b64decode(result.stdout), dtype=np.float32).reshape(16, 16, 3)
    native = pipeline.preprocess(rgba, 16, 16, SPEC.scale, SPEC.offset)
    assert np.array_equal(browser.view(np.uint32), native.view(np.uint32))


def test_hidden_parts_are_transparent_in_the_overlay_and_black_in_the_colour_export():
    labels = np.array([[0, 1], [17, 10]], dtype=np.uint8)
    hidden = pipeline.hidden_ids(["skin", "nose"], list(SPEC.class_names))
    assert 17 in hidden and 1 not in hidden and 10 not in hidden
    rgba = pipeline.colorize(labels, SPEC.palette, hidden=hidden)
    assert rgba[1, 0, 3] == 0 and rgba[0, 1, 3] == 255 and rgba[1, 1, 3] == 255
    colors = np.asarray(Image.open(io.BytesIO(export.export_parse(
        "color-png", labels, SPEC.palette, list(SPEC.class_names), {"parts": ["skin", "nose"]}))))
    assert tuple(colors[1, 0]) == (0, 0, 0) and tuple(colors[0, 1]) == tuple(SPEC.palette[1])
    assert pipeline.hidden_ids(None, list(SPEC.class_names)) == []
