"""What each model sees of a frame (faceparts.sampling), as the command and the page's export take it."""

import numpy as np
import pytest

from faceparts import geometry, sampling

# One-pixel black and white stripes: what a view that skips pixels turns into black or white.
STRIPES = np.repeat(np.tile(np.array([0, 255], np.uint8), 200)[None, :, None], 400, axis=0).repeat(3, axis=2)


@pytest.mark.parametrize("kind", sampling.KINDS)
def test_each_kind_shrinks_a_frame_without_skipping_pixels(kind):
    view = sampling.model_view(STRIPES, kind, geometry.scaling(0.16), 64, 64)
    assert view.shape == (64, 64, 3) and view.dtype == np.uint8
    assert np.abs(view.astype(int) - 127.5).max() < 12, "the stripes average to grey"


def test_a_crop_is_the_frame_through_its_matrix():
    frame = np.zeros((40, 40, 3), np.uint8)
    frame[10:20, 20:30] = 255
    crop = sampling.model_view(frame, "crop", geometry.translation(-20, -10), 10, 10)
    assert crop.min() == 255


def test_an_unknown_kind_of_view_is_refused():
    with pytest.raises(ValueError, match="detector, crop, context, person"):
        sampling.model_view(STRIPES, "thumbnail", geometry.scaling(0.5), 10, 10)
