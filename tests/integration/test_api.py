"""The Python API (faceparts.FaceParser) on the converted models: every kind of input, bad inputs,
the result's helpers against its labels, batches in order, and the CLI as a layer over it."""

import json

import numpy as np
import pytest
from PIL import Image

from faceparts import FaceParser, ParseResult, cli
from tests.support.faces import FACE_CLASSES, assert_plausible_face, small_off_centre, two_faces

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture(scope="module")
def parser():
    return FaceParser(size=448)


@pytest.fixture(scope="module")
def picture():
    return small_off_centre()


def test_a_path_a_pil_image_and_an_array_give_the_same_parse(parser, picture, tmp_path):
    Image.fromarray(picture).save(tmp_path / "picture.png")
    from_array = parser.parse(picture)
    assert isinstance(from_array, ParseResult)
    assert from_array.labels.dtype == np.uint8 and from_array.labels.shape == picture.shape[:2]
    for same in (tmp_path / "picture.png", str(tmp_path / "picture.png"), Image.fromarray(picture),
                 Image.fromarray(np.dstack([picture, np.full(picture.shape[:2], 255, np.uint8)]), "RGBA")):
        np.testing.assert_array_equal(parser.parse(same).labels, from_array.labels)
    [face] = from_array.faces
    assert face.score > 0.6 and len(face.keypoints) == 6 and len(face.crop) == 4
    assert_plausible_face(from_array.labels[int(face.box[1]) - 40:int(face.box[3]) + 40, int(face.box[0]) - 40:int(face.box[2]) + 40])
    assert from_array.class_names[FACE_CLASSES["skin"]] == "skin" and from_array.class_names[-1] == "body"


@pytest.mark.parametrize(("bad", "message"), [
    (np.zeros((64, 64, 3), np.float32), "must be uint8"),
    (np.zeros((64, 64), np.uint8), "shape \\[height, width, 3\\]"),
    (np.zeros((64, 64, 4), np.uint8), "shape \\[height, width, 3\\]"),
    (np.zeros((1, 64, 3), np.uint8), "too small"),
    (Image.new("F", (64, 64)), "mode 'F'"),
    (Image.new("I;16", (64, 64)), "mode 'I;16'"),
    ([[1, 2, 3]], "cannot parse a list"),
])
def test_bad_inputs_get_a_value_error_that_says_what_to_pass(parser, bad, message):
    with pytest.raises(ValueError, match=message):
        parser.parse(bad)


def test_a_missing_or_unreadable_file_says_so(parser, tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        parser.parse(tmp_path / "absent.jpg")
    (tmp_path / "notes.jpg").write_text("not a picture")
    with pytest.raises(ValueError, match="not an image"):
        parser.parse(tmp_path / "notes.jpg")


@pytest.mark.parametrize(("settings", "message"), [
    ({"size": 500}, "size must be one of 288, 448, 1024"),
    ({"precision": "fp16"}, "precision must be one of int8, fp32"),
    ({"max_faces": 0}, "max_faces must be a whole number from 1 to 8"),
])
def test_bad_settings_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        FaceParser(**settings)


def test_mask_areas_colours_and_overlay_follow_the_labels(parser, picture):
    result = parser.parse(picture)
    lips = result.mask(["u_lip", "l_lip"])
    assert lips.dtype == bool and lips.any()
    np.testing.assert_array_equal(lips, np.isin(result.labels, [12, 13]))
    np.testing.assert_array_equal(result.mask("hair"), result.labels == 17)
    with pytest.raises(ValueError, match="unknown part\\(s\\) 'lips'"):
        result.mask(["lips"])
    areas = result.areas()
    assert list(areas) == list(result.class_names)
    assert [areas[name]["pixels"] for name in result.class_names] == np.bincount(result.labels.ravel(), minlength=len(result.class_names)).tolist()
    assert sum(area["fraction"] for area in areas.values()) == pytest.approx(1, abs=1e-4)
    assert result.faces[0].areas["skin"]["pixels"] == areas["skin"]["pixels"]
    colours = result.colorize()
    assert colours.shape == picture.shape and tuple(colours[result.labels == 1][0]) == tuple(result.palette[1])
    np.testing.assert_array_equal(result.overlay(0), picture)
    over = result.overlay(1.0)
    np.testing.assert_array_equal(over[result.labels == 0], picture[result.labels == 0])
    np.testing.assert_array_equal(over[result.labels == 1], colours[result.labels == 1])


def test_parse_many_keeps_the_order_and_equals_parse(parser, picture):
    pictures = [picture, two_faces(), picture[:, ::-1].copy(), two_faces()[::-1].copy()]
    one_by_one = [parser.parse(item).labels for item in pictures]
    for workers in (1, 2):
        many = parser.parse_many(pictures, workers=workers)
        assert [len(result.faces) for result in many] == [1, 2, 1, len(many[3].faces)]
        for result, expected in zip(many, one_by_one):
            np.testing.assert_array_equal(result.labels, expected)


def test_the_cli_writes_what_the_api_returns(parser, picture, tmp_path):
    Image.fromarray(picture).save(tmp_path / "picture.png")
    assert cli.main(["parse", str(tmp_path / "picture.png"), "--out", str(tmp_path / "out"), "--size", "448"]) == 0
    result = parser.parse(picture)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "out" / "picture.labels.png")), result.labels)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "out" / "picture.overlay.png")), result.overlay(0.6))
    areas = json.loads((tmp_path / "out" / "picture.areas.json").read_text())
    assert areas["faces"] == json.loads(json.dumps([face.as_dict() for face in result.faces]))
