"""The whole person natively: a face crop over the whole picture's parse meets it with no straight
edge at its border, and a person's body is a part or `body`, never background."""

import numpy as np
import pytest
from skimage import data

from faceparts import align
from faceparts.images import load_rgb
from faceparts.native import FrameParser
from tests.conftest import shared_path
from tests.support.edges import border_and_inside

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

BODY, CLOTH = 19, 16


@pytest.fixture(scope="module")
def parser():
    return FrameParser()


def crops_of(parser, parsed, size=448):
    return [(align.crop_matrix(face["pose"], size, parser.alignment.margin(size)), size) for face in parsed.faces]


def test_the_astronauts_crop_meets_the_whole_photo_without_an_edge_and_her_suit_is_hers(parser):
    photo = data.astronaut()
    parsed = parser.parse(photo, 448)
    assert len(parsed.faces) == 1
    border, inside = border_and_inside(parsed.labels, crops_of(parser, parsed))
    assert border <= inside, f"labels change across the crop's border on {border:.1%} of pairs, inside on {inside:.1%}"
    suit = parsed.labels[430:, 150:400]
    assert np.isin(suit, [CLOTH, BODY]).mean() > 0.9, "her suit below the crop is cloth or body"


def test_the_portraits_crops_leave_no_straight_edges():
    folder = shared_path("data/portraits")
    parser = FrameParser()
    border = inside = 0.0
    pictures = sorted(folder.glob("*.jpg"))
    for path in pictures:
        parsed = parser.parse(load_rgb(path), 448)
        if parsed.faces:
            b, i = border_and_inside(parsed.labels, crops_of(parser, parsed))
            border, inside = border + b, inside + i
    assert border <= inside, f"across the crops' borders {border / len(pictures):.1%}, inside {inside / len(pictures):.1%}"


def test_a_suit_and_arms_are_a_part_or_body_not_background(parser):
    rgb = load_rgb(shared_path("data/portraits/examples_obama-1080p.jpg"))
    parsed = parser.parse(rgb, 448)
    person = parser.person.mask(rgb)
    assert (parsed.labels[person] == 0).mean() < 0.01, "none of the person is background"
    torso = parsed.labels[700:1000, 700:1200]
    assert (torso != 0).mean() > 0.95, "the suit and the folded arms"


def test_the_person_mask_covers_what_the_parser_calls_a_person(parser):
    """The converted mask has no reference to check it against (neither ONNX Runtime nor TFLite
    runs MediaPipe's op as shipped): on pictures the tests make, it covers the parse's parts."""
    from tests.support.faces import small_off_centre, two_faces

    for picture in (data.astronaut(), two_faces(), small_off_centre()):
        parts = parser.parse(picture, 448).labels
        parts = (parts != 0) & (parts != BODY)
        assert parser.person.mask(picture)[parts].mean() > 0.9
