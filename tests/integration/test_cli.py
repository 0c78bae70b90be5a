"""The native command line, on the converted model: parse folders, survive bad files, evaluate."""

import json

import numpy as np
import pytest
from PIL import Image

from faceparts import cli
from faceparts.model_manifest import ModelSpec
from faceparts.native import MANIFEST_PATH
from tests.conftest import shared_path
from tests.support.browser import astronaut_face
from tests.support.faces import assert_plausible_face, cut_by_the_edge, no_face, small_off_centre, two_faces

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    face = astronaut_face()
    Image.fromarray(face).save(folder / "astronaut.png")
    Image.fromarray(face).convert("L").save(folder / "grey.png")
    rgba = np.dstack([face, np.full(face.shape[:2], 128, np.uint8)])
    Image.fromarray(rgba, "RGBA").save(folder / "alpha.png")
    Image.fromarray(face[:40, :40]).save(folder / "small.jpg")
    (folder / "notes.jpg").write_text("not an image")
    Image.fromarray(face).save(folder / "cut.jpg")
    (folder / "cut.jpg").write_bytes((folder / "cut.jpg").read_bytes()[:2000])
    return folder


def test_parse_writes_labels_overlay_and_areas_and_survives_bad_files(photos, tmp_path, capsys):
    assert cli.main(["parse", str(photos), "--size", "448", "--out", str(tmp_path)]) == 1, "two files failed"
    out, err = capsys.readouterr()
    assert "notes.jpg: not an image" in err
    assert "cut.jpg: unreadable or truncated image" in err
    assert "parsed 4 of 6 images" in out and "2 failed" in out

    labels = Image.open(tmp_path / "astronaut.labels.png")
    assert labels.mode == "P" and labels.size == (256, 256), "labels come back at the photo's own size"
    ids = np.asarray(labels)
    for part in (1, 4, 5, 10, 17):  # skin, both eyes, nose, hair
        assert (ids == part).sum() > 0, f"class {part} missing"
    areas = json.loads((tmp_path / "astronaut.areas.json").read_text())
    assert sum(c["pixels"] for c in areas["classes"].values()) == 256 * 256
    assert np.asarray(Image.open(tmp_path / "astronaut.overlay.png")).shape == (256, 256, 3)
    for stem in ("grey", "alpha", "small"):
        assert (tmp_path / f"{stem}.labels.png").is_file()


def test_parse_refuses_empty_folders_and_missing_files(tmp_path, capsys):
    assert cli.main(["parse", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "no images or videos found" in capsys.readouterr().err
    assert cli.main(["parse", str(tmp_path / "absent.png"), "--out", str(tmp_path / "out")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_eval_needs_images_and_labels(tmp_path, capsys):
    assert cli.main(["eval", str(tmp_path)]) == 2
    assert "images/ and labels/" in capsys.readouterr().err


def test_eval_on_the_celebamask_dev_set(tmp_path, capsys):
    dataset = shared_path("data/celebamask-dev")
    report = tmp_path / "scores.json"
    assert cli.main(["eval", str(dataset), "--size", "448", "--limit", "10", "--json", str(report)]) == 0
    scores = json.loads(report.read_text())
    assert scores["images"] == 10
    assert len(scores["per_class_iou"]) == 16
    assert scores["mean_iou"] > 0.6 and scores["pixel_accuracy"] > 0.9, scores
    assert "mean IoU" in capsys.readouterr().out


def parse_one(picture: np.ndarray, tmp_path, *options) -> tuple[np.ndarray, dict]:
    Image.fromarray(picture).save(tmp_path / "picture.png")
    assert cli.main(["parse", str(tmp_path / "picture.png"), "--out", str(tmp_path / "out"), "--overwrite", *options]) == 0
    return (np.asarray(Image.open(tmp_path / "out" / "picture.labels.png")),
            json.loads((tmp_path / "out" / "picture.areas.json").read_text()))


def test_parse_finds_a_small_face_that_the_whole_frame_parse_misses(tmp_path, capsys):
    labels, areas = parse_one(small_off_centre(), tmp_path)
    assert labels.shape == (480, 640)
    [face] = areas["faces"]
    assert face["score"] > 0.6 and len(face["keypoints"]) == 6
    assert_plausible_face(labels[20:200, 380:560])
    whole, areas = parse_one(small_off_centre(), tmp_path, "--whole-frame")
    assert "faces" in areas and areas["faces"] == []
    assert int(np.isin(whole, [4, 5]).sum()) < int(np.isin(labels, [4, 5]).sum()) / 3, "the whole frame loses the eyes"


def test_parse_says_when_it_finds_no_face_or_more_than_the_limit(tmp_path, capsys):
    parse_one(no_face(), tmp_path)
    assert "no face found (faces below about 6 % of the picture's width are missed): parsed the whole picture" in capsys.readouterr().err
    _, areas = parse_one(two_faces(), tmp_path, "--max-faces", "1")
    assert "2 faces found: parsed the 1 largest (--max-faces 1)" in capsys.readouterr().err
    assert len(areas["faces"]) == 1
    _, areas = parse_one(two_faces(), tmp_path)
    assert [list(face["classes"]) for face in areas["faces"]] == [list(ModelSpec.load(MANIFEST_PATH).class_names)] * 2


def test_a_face_cut_by_the_frame_edge_is_padded_and_parsed(tmp_path):
    labels, areas = parse_one(cut_by_the_edge(), tmp_path)
    [face] = areas["faces"]
    assert face["box"][0] < 0, "the face reaches beyond the frame"
    assert face["classes"]["nose"]["pixels"] > 0 and face["classes"]["u_lip"]["pixels"] + face["classes"]["l_lip"]["pixels"] > 0
    assert int(np.isin(labels, [4, 5]).sum()) >= 20, "its eyes are found"



def test_parse_runs_int8_by_default_and_float32_when_asked(tmp_path):
    picture = small_off_centre()
    int8, int8_areas = parse_one(picture, tmp_path)
    fp32, fp32_areas = parse_one(picture, tmp_path, "--precision", "fp32")
    assert (int8_areas["precision"], fp32_areas["precision"]) == ("int8", "fp32")
    assert_plausible_face(int8[face_box(int8_areas)])
    agreement = float((int8 == fp32).mean())
    assert agreement >= 0.99, f"int8 and float32 agree on {agreement:.2%} of pixels"


def face_box(areas: dict):
    x0, y0, x1, y1 = (int(round(v)) for v in areas["faces"][0]["box"])
    side = x1 - x0
    return slice(max(0, y0 - side // 2), y1 + side // 2), slice(max(0, x0 - side // 2), x1 + side // 2)
