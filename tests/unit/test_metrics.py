"""Accuracy metrics on hand-made label maps."""

import numpy as np
import pytest

from faceparts import metrics

NAMES = ["background", "skin", "l_brow", "r_brow", "l_eye", "r_eye"]


def test_iou_on_hand_made_label_maps():
    truth = np.array([[0, 0, 1, 1],
                      [0, 0, 1, 1]])
    prediction = np.array([[0, 1, 1, 1],
                           [0, 0, 1, 1]])
    result = metrics.scores(metrics.confusion(truth, prediction, 2), ["background", "skin"])
    # background: 3 agree, union 4 -> 3/4; skin: 4 agree, union 5 -> 4/5
    assert result["per_class_iou"] == {"background": 0.75, "skin": 0.8}
    assert result["mean_iou"] == pytest.approx(0.775)
    assert result["pixel_accuracy"] == pytest.approx(7 / 8)


def test_left_right_pairs_are_merged_before_scoring():
    truth = np.array([[2, 3, 4, 5]])       # l_brow r_brow l_eye r_eye
    prediction = np.array([[3, 2, 5, 4]])  # every side swapped
    matrix = metrics.confusion(truth, prediction, len(NAMES))
    assert metrics.scores(matrix, NAMES)["per_class_iou"]["l_brow"] == 0.0
    merged, merged_names = metrics.merge_pairs(matrix, NAMES)
    assert merged_names == ["background", "skin", "brows", "eyes"]
    result = metrics.scores(merged, merged_names)
    assert result["per_class_iou"] == {"background": None, "skin": None, "brows": 1.0, "eyes": 1.0}
    assert result["mean_iou"] == 1.0, "classes absent from truth and prediction do not count"


def test_confusion_refuses_mismatched_shapes():
    with pytest.raises(ValueError):
        metrics.confusion(np.zeros((2, 2)), np.zeros((2, 3)), 19)


def test_flicker_is_the_share_of_parsed_pixels_that_change_between_frames():
    still = np.array([[0, 1], [2, 2]], dtype=np.uint8)
    assert metrics.flicker([still, still, still]) == 0
    flipped = np.array([[0, 1], [2, 1]], dtype=np.uint8)
    # Between each two frames one of the three parsed pixels changes; background stays out.
    assert metrics.flicker([still, flipped, still]) == 1 / 3
    grown = np.array([[1, 1], [2, 2]], dtype=np.uint8)
    assert metrics.flicker([still, grown]) == 1 / 4
