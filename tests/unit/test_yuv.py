"""Decoded 4:2:0 planes to RGB: the conversion the faceparts command and the page's export share."""

import numpy as np
import pytest

from faceparts import yuv

RNG = np.random.default_rng(7)


def reference(y, u, v, matrix, full_range):
    """The colour matrix's equations in floating point, each chroma sample over its 2x2 pixels."""
    kr, kb = yuv.WEIGHTS[matrix]
    height, width = y.shape
    up = lambda plane: np.repeat(np.repeat(plane.astype(float) - 128, 2, 0), 2, 1)[:height, :width]  # noqa: E731
    luma, cb, cr = y.astype(float), up(u), up(v)
    if not full_range:
        luma, cb, cr = (luma - 16) * 255 / 219, cb * 255 / 224, cr * 255 / 224
    red, blue = luma + 2 * (1 - kr) * cr, luma + 2 * (1 - kb) * cb
    green = (luma - kr * red - kb * blue) / (1 - kr - kb)
    return np.clip(np.round(np.stack([red, green, blue], axis=-1)), 0, 255)


@pytest.mark.parametrize("matrix", sorted(yuv.WEIGHTS))
@pytest.mark.parametrize("full_range", [False, True])
@pytest.mark.parametrize(("height", "width"), [(6, 8), (5, 7)])
def test_planes_convert_as_the_colour_matrix_says(matrix, full_range, height, width):
    y = RNG.integers(0, 256, (height, width), dtype=np.uint8)
    u, v = (RNG.integers(0, 256, ((height + 1) // 2, (width + 1) // 2), dtype=np.uint8) for _ in range(2))
    rgb = yuv.to_rgb(y, u, v, matrix, full_range)
    assert rgb.shape == (height, width, 3) and rgb.dtype == np.uint8
    # Fixed point: a value exactly between two levels may round either way.
    assert np.abs(rgb.astype(int) - reference(y, u, v, matrix, full_range)).max() <= 1


def test_limited_range_spans_black_to_white_and_grey_has_no_colour():
    y = np.array([[16, 235], [126, 126]], dtype=np.uint8)
    grey = np.full((1, 1), 128, dtype=np.uint8)
    rgb = yuv.to_rgb(y, grey, grey, "bt709")
    assert rgb[0, 0].tolist() == [0, 0, 0] and rgb[0, 1].tolist() == [255, 255, 255]
    assert len(set(rgb[1, 0].tolist())) == 1
    red = yuv.to_rgb(np.full((2, 2), 81, np.uint8), np.full((1, 1), 90, np.uint8), np.full((1, 1), 240, np.uint8), "bt601")
    assert np.abs(red[0, 0].astype(int) - [255, 0, 0]).max() <= 1, "BT.601's red (Y 81.5 rounded down)"


def test_chroma_planes_that_do_not_fit_the_frame_are_refused():
    with pytest.raises(ValueError, match="4:2:0"):
        yuv.to_rgb(np.zeros((4, 4), np.uint8), np.zeros((4, 4), np.uint8), np.zeros((4, 4), np.uint8))


def i420_buffer(y, u, v, padding):
    """The planes one after the other, each row padded: as a decoder may copy them out."""
    rows = [np.pad(plane, ((0, 0), (0, padding))) for plane in (y, u, v)]
    layout, offset = [], 0
    for plane in rows:
        layout.append({"offset": offset, "stride": plane.shape[1]})
        offset += plane.size
    return np.concatenate([plane.ravel() for plane in rows]), layout


def test_i420_and_nv12_copies_give_the_same_planes():
    y = RNG.integers(0, 256, (5, 7), dtype=np.uint8)
    u, v = (RNG.integers(0, 256, (3, 4), dtype=np.uint8) for _ in range(2))
    data, layout = i420_buffer(y, u, v, padding=3)
    for plane, expected in zip(yuv.planes(data, layout, "I420", 5, 7), (y, u, v)):
        assert np.array_equal(plane, expected)
    interleaved = np.stack([u, v], axis=-1).reshape(3, 8)
    nv12 = np.concatenate([y.ravel(), interleaved.ravel()])
    for plane, expected in zip(yuv.planes(nv12, [{"offset": 0, "stride": 7}, {"offset": 35, "stride": 8}], "NV12", 5, 7), (y, u, v)):
        assert np.array_equal(plane, expected)
    with pytest.raises(ValueError, match="RGBA"):
        yuv.planes(data, layout, "RGBA", 5, 7)


def test_the_declared_matrix_is_taken_else_what_players_assume_for_the_size():
    assert yuv.matrix_for("bt709", 480, 640) == "bt709"
    assert yuv.matrix_for("smpte170m", 1080, 1920) == "bt601"
    assert yuv.matrix_for("bt2020-ncl", 2160, 3840) == "bt2020"
    assert yuv.matrix_for(None, 480, 640) == "bt601"
    assert yuv.matrix_for(None, 720, 1280) == "bt709"
    assert yuv.matrix_for("rgb", 576, 720) == "bt601"
