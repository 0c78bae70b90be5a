"""The face geometry that runs in the page (Pyodide) and the CLI alike: the detector's output
decoded, its views of the frame, crops and their inverse, tracking, and pasting parses back."""

import json
import math

import numpy as np
import pytest

from faceparts import align, compose, faces, geometry, tracking
from faceparts.model_manifest import AlignmentSpec, DetectorSpec
from server import ROOT

MANIFEST = json.loads((ROOT / "models" / "manifest.json").read_text())
DETECTOR = DetectorSpec.from_manifest(MANIFEST)
ALIGNMENT = AlignmentSpec.from_manifest(MANIFEST)
ANCHORS = DETECTOR.grid * DETECTOR.grid
STRIDE = DETECTOR.size / DETECTOR.grid


def outputs(*detections):
    """Hand-made detector outputs: detections (anchor index, logit, box w, h, centre offset)."""
    regressors = np.zeros((1, ANCHORS, 16), dtype=np.float32)
    logits = np.full((1, ANCHORS, 1), -10.0, dtype=np.float32)
    for anchor, logit, width, height, (dx, dy) in detections:
        regressors[0, anchor, :4] = (dx, dy, width, height)
        regressors[0, anchor, 4:] = np.tile([dx, dy], 6)  # every keypoint at the box centre
        logits[0, anchor, 0] = logit
    return regressors, logits


def anchor_centre(anchor):
    return ((anchor % DETECTOR.grid + 0.5) * STRIDE, (anchor // DETECTOR.grid + 0.5) * STRIDE)


def test_decoding_puts_boxes_around_their_anchors_and_drops_low_scores():
    anchor = 10 * DETECTOR.grid + 20
    regressors, logits = outputs((anchor, 3.0, 40, 30, (2, -1)), (5, -1.0, 20, 20, (0, 0)))
    boxes, scores, keypoints = faces.decode(regressors, logits, DETECTOR)
    cx, cy = anchor_centre(anchor)
    assert boxes.tolist() == [[cx + 2 - 20, cy - 1 - 15, cx + 2 + 20, cy - 1 + 15]]
    assert scores[0] == pytest.approx(1 / (1 + math.exp(-3)))
    assert keypoints.shape == (1, 6, 2) and keypoints[0, 3].tolist() == [cx + 2, cy - 1]


def test_non_max_suppression_keeps_the_best_of_overlapping_boxes_and_separate_ones():
    a = 10 * DETECTOR.grid + 10
    regressors, logits = outputs((a, 2.0, 40, 40, (0, 0)), (a + 1, 3.0, 40, 40, (0, 0)), (a + 20, 1.0, 40, 40, (0, 0)))
    boxes, scores, _ = faces.decode(regressors, logits, DETECTOR)
    kept = faces.non_max_suppression(boxes, DETECTOR.nms_iou)
    assert [round(float(scores[i]), 3) for i in kept] == [0.953, 0.731], "the weaker overlapping box goes"


def test_letterbox_views_centre_the_frame_and_faces_come_back_in_frame_pixels():
    first, wider = faces.views(480, 640, DETECTOR)
    assert geometry.apply(first, [(0, 0), (640, 480)]).tolist() == [[0, 24], [192, 168]]
    corners = geometry.apply(wider, [(0, 0), (640, 480)])
    assert corners[1, 0] - corners[0, 0] == round(192 * DETECTOR.retry_zoom), "the wider view leaves a border"
    anchor = 12 * DETECTOR.grid + 24
    regressors, logits = outputs((anchor, 4.0, 30, 30, (0, 0)))
    [face] = faces.find_faces(regressors, logits, first, DETECTOR)
    cx, cy = anchor_centre(anchor)
    expected = geometry.apply(geometry.invert(first), [(cx - 15, cy - 15), (cx + 15, cy + 15)]).ravel()
    np.testing.assert_allclose(face["box"], expected, atol=0.01)
    assert face["box"][2] - face["box"][0] == pytest.approx(30 * 640 / 192, abs=0.02)


def test_a_refined_look_takes_the_face_nearest_its_centre():
    face = {"box": [100, 100, 140, 140], "score": 0.7, "keypoints": [[120, 120]] * 6}
    view = faces.refine_view(face, DETECTOR)
    centre = geometry.apply(view, [(120, 120)])[0]
    assert centre.tolist() == pytest.approx([96, 96]), "the face is centred in the second look"
    near = int(centre[1] // STRIDE) * DETECTOR.grid + int(centre[0] // STRIDE)
    regressors, logits = outputs((near, 2.0, 76.8, 76.8, (0, 0)), (3, 5.0, 20, 20, (0, 0)))
    refined = faces.refine(face, regressors, logits, view, DETECTOR)
    assert abs((refined["box"][0] + refined["box"][2]) / 2 - 120) < STRIDE
    assert faces.refine(face, *outputs(), view, DETECTOR) is face, "nothing seen: the face stays"


def test_largest_faces_are_kept_and_the_rest_counted():
    found = [{"box": [0, 0, side, side]} for side in (10, 40, 20, 30)]
    kept, left_out = faces.largest(found, 2)
    assert [f["box"][2] for f in kept] == [40, 30] and left_out == 2


def frontal_face(cx=320.0, cy=240.0, eye_distance=60.0, angle=0.0):
    """Keypoints laid out as the template, scaled and turned: a face the crop must frame exactly."""
    template = np.zeros((6, 2))
    template[list(ALIGNMENT.indices)] = ALIGNMENT.template
    template[4:] = ALIGNMENT.template[:2] + [[-0.1, 0.05], [0.1, 0.05]]  # ears: unused by the crop
    side = eye_distance / (ALIGNMENT.template[1, 0] - ALIGNMENT.template[0, 0])
    c, s = math.cos(angle), math.sin(angle)
    local = (template - 0.5) * side
    return np.stack([cx + c * local[:, 0] - s * local[:, 1], cy + s * local[:, 0] + c * local[:, 1]], axis=1)


def test_a_crop_and_its_inverse_return_every_point_within_half_a_pixel():
    pose = align.crop_pose(frontal_face(300.3, 211.7, 57.0, 0.3), ALIGNMENT)
    crop = align.crop_matrix(pose, 448)
    points = np.random.default_rng(0).uniform(0, 640, (50, 2))
    back = geometry.apply(geometry.invert(crop), geometry.apply(crop, points))
    assert np.abs(back - points).max() < 0.5


def test_a_tilted_face_gives_level_eyes_in_its_crop_framed_as_the_template():
    keypoints = frontal_face(angle=math.radians(25))
    crop = align.crop_matrix(align.crop_pose(keypoints, ALIGNMENT), 448, ALIGNMENT.margin(448))
    eyes = geometry.apply(crop, keypoints[:2])
    tilt = math.degrees(math.atan2(eyes[1, 1] - eyes[0, 1], eyes[1, 0] - eyes[0, 0]))
    template_tilt = math.degrees(math.atan2(*(ALIGNMENT.template[1] - ALIGNMENT.template[0])[::-1]))
    assert abs(tilt - template_tilt) < 0.1 and abs(tilt) < 2, f"the eyes are as level as in the training faces ({tilt:.2f}°)"
    # Where the template puts them, the crop being `margin` times the template's framing.
    expected = ((ALIGNMENT.template[:2] - 0.5) / ALIGNMENT.margin(448) + 0.5) * 448
    np.testing.assert_allclose(eyes, expected, atol=0.5)


def test_without_faces_the_whole_frame_is_planned_at_the_models_input_shape():
    from faceparts.model_manifest import ModelSpec

    model = ModelSpec.from_manifest(MANIFEST)
    [(matrix, height, width, whole)] = align.crop_plans([], 480, 640, 448, model, ALIGNMENT, context_size=224)
    assert (height, width, whole) == (352, 448, True), "without a face, the whole frame at the crops' size"
    np.testing.assert_allclose(geometry.apply(matrix, [(640, 480)]), [[448, 352]])
    pose = align.crop_pose(frontal_face(), ALIGNMENT)
    crop, context = align.crop_plans([pose], 480, 640, 448, model, ALIGNMENT, context_size=224)
    assert crop[1:] == (448, 448, False) and context[1:] == (160, 224, True), "with one, the crop over the context"


def test_tracking_keeps_a_still_face_still_and_follows_a_moving_one():
    rng = np.random.default_rng(1)
    tracks = []
    poses = []
    for _ in range(20):  # a still head: the detector's keypoints jitter by about a pixel
        keypoints = frontal_face() + rng.normal(0, 0.8, (6, 2))
        tracks = tracking.update(tracks, [{"box": [0, 0, 1, 1], "keypoints": keypoints.tolist()}], ALIGNMENT)
        poses.append(tracks[0]["pose"])
    assert np.ptp(np.asarray(poses), axis=0).max() == 0, "a still head keeps a still crop"

    for step in range(1, 6):  # then it moves 40 px a frame
        keypoints = frontal_face(cx=320 + 40 * step)
        tracks = tracking.update(tracks, [{"box": [0, 0, 1, 1], "keypoints": keypoints.tolist()}], ALIGNMENT)
    target = align.crop_pose(frontal_face(cx=520), ALIGNMENT)
    assert abs(tracks[0]["pose"][0] - target[0]) < 2, "the crop follows the face"

    assert tracking.update(tracks, [], ALIGNMENT) == [], "a face no longer found ends its track"


def test_the_detector_runs_as_often_as_its_share_of_the_time_allows():
    assert tracking.should_detect(0, None, 30)
    wait = 30 / tracking.DETECTOR_SHARE
    assert not tracking.should_detect(1000 + wait - 1, 1000, 30)
    assert tracking.should_detect(1000 + wait, 1000, 30)


def test_the_detector_runs_at_once_without_a_tracked_face_or_on_a_recheck():
    soon = 1000 + 1
    assert not tracking.should_detect(soon, 1000, 30, tracked=True, recheck=False)
    assert tracking.should_detect(soon, 1000, 30, tracked=False, recheck=False), "no face followed: look every frame"
    assert tracking.should_detect(soon, 1000, 30, tracked=True, recheck=True), "a cut, or a crop that lost its face"


def thumbnail(picture: np.ndarray, dx: int = 0) -> np.ndarray:
    """A frame drawn as the page draws the scene-cut thumbnail (RGBA), shifted dx px first."""
    from PIL import Image

    shifted = np.roll(picture, dx, axis=1)
    height, width = tracking.THUMBNAIL
    rgb = np.asarray(Image.fromarray(shifted).resize((width, height), Image.BILINEAR))
    return tracking.grey_thumbnail(np.concatenate([rgb, np.full((height, width, 1), 255, np.uint8)], axis=2))


def test_a_cut_to_another_picture_is_a_scene_cut_and_motion_or_exposure_are_not():
    from skimage import data

    astronaut, chelsea, coffee = data.astronaut()[:300, :400], data.chelsea()[:300, :400], data.coffee()[:300, :400]
    assert not tracking.scene_cut(None, thumbnail(astronaut)), "the first frame has nothing to cut from"
    for a, b in [(astronaut, chelsea), (chelsea, coffee), (coffee, astronaut)]:
        assert tracking.scene_cut(thumbnail(a), thumbnail(b))
    assert not tracking.scene_cut(thumbnail(astronaut), thumbnail(astronaut, dx=8)), "a head moving between frames"
    brighter = np.clip(astronaut.astype(int) * 1.1, 0, 255).astype(np.uint8)
    assert not tracking.scene_cut(thumbnail(astronaut), thumbnail(brighter)), "the camera's exposure stepping"


def test_a_crop_without_the_faces_own_parts_has_lost_its_face():
    face_ids = [1, 2, 10, 12]
    with_face = np.bincount([1] * 300 + [17] * 200 + [0] * 500, minlength=19)
    hair_and_cloth = np.bincount([17] * 600 + [16] * 395 + [1] * 5, minlength=19)
    lost = tracking.lost_faces([with_face, hair_and_cloth, np.zeros(19)], face_ids)
    assert lost == [False, True, True]
    assert all(type(verdict) is bool for verdict in lost), "plain bools: the page reads them as JavaScript booleans"


def test_a_tracked_face_gets_the_closer_look_only_when_small_a_new_face_always():
    view = geometry.scaling(0.3)  # a 640 px frame letterboxed into the detector's 192 px input
    refined = DETECTOR.refine_fraction * DETECTOR.size / 0.3  # a box this wide (frame px) fills the closer look
    large = {"box": [100, 100, 100 + refined, 100 + refined]}
    small = {"box": [100, 100, 100 + refined / 3, 100 + refined / 3]}
    assert faces.needs_closer_look(large, view, DETECTOR, tracked=False), "a new face always"
    assert not faces.needs_closer_look(large, view, DETECTOR, tracked=True)
    assert faces.needs_closer_look(small, view, DETECTOR, tracked=True), "the closer look shows it three times larger"


def test_a_face_near_a_tracks_crop_continues_it():
    face = {"box": [0, 0, 1, 1], "keypoints": frontal_face().tolist()}
    tracks = tracking.update([], [face], ALIGNMENT)
    assert tracking.is_tracked({**face, "keypoints": frontal_face(cx=330).tolist()}, tracks, ALIGNMENT)
    assert not tracking.is_tracked({**face, "keypoints": frontal_face(cx=600).tolist()}, tracks, ALIGNMENT)
    assert not tracking.is_tracked(face, [], ALIGNMENT)


def test_compose_pastes_each_parse_back_and_the_largest_face_wins_overlaps():
    big = np.full((4, 4), 1, np.uint8)  # skin everywhere
    big[0] = 0
    small = np.full((2, 2), 17, np.uint8)  # hair
    # The big parse covers frame pixels 2..10 (scaled by 2), the small one 8..12.
    big_matrix = geometry.scaling(0.5) @ geometry.translation(-2, -2)
    small_matrix = geometry.scaling(0.5) @ geometry.translation(-8, -8)
    labels, counts = compose.compose(14, 14, [(big, big_matrix), (small, small_matrix)], 19)
    assert labels[4:10, 2:10].tolist() == [[1] * 8] * 6
    assert labels[2:4, 2:10].tolist() == [[0] * 8] * 2, "the big parse's background"
    assert labels[10, 10] == 17 and labels[9, 9] == 1, "parts of the larger face win where they overlap"
    assert labels[0, 0] == 0 and labels[13, 13] == 0, "outside every crop: background"
    assert counts[0][1] == 48 and counts[1][17] == 12
