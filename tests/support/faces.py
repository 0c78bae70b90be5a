"""Judges whether a label map is a face: which parts are there, and in what order."""

from __future__ import annotations

import numpy as np

FACE_CLASSES = {"skin": 1, "l_brow": 2, "r_brow": 3, "l_eye": 4, "r_eye": 5, "nose": 10, "u_lip": 12, "l_lip": 13, "hair": 17}


def centroid_row(labels: np.ndarray, *class_ids: int) -> float:
    rows, _ = np.nonzero(np.isin(labels, class_ids))
    return float(rows.mean())


def assert_face_outline(labels: np.ndarray):
    areas = {name: int((labels == class_id).sum()) for name, class_id in FACE_CLASSES.items()}
    assert areas["skin"] > 0.05 * labels.size and areas["hair"] > 0.05 * labels.size, areas
    assert centroid_row(labels, 17) < centroid_row(labels, 1), "hair is not above the skin"


def assert_plausible_face(labels: np.ndarray):
    present = {name for name, class_id in FACE_CLASSES.items() if (labels == class_id).sum() >= 10}
    for needed in ("skin", "hair", "l_eye", "r_eye", "nose"):
        assert needed in present, f"{needed} missing from the parse; found {sorted(present)}"
    assert {"u_lip", "l_lip"} & present, f"no lips in the parse; found {sorted(present)}"
    eyes, nose, lips = centroid_row(labels, 4, 5), centroid_row(labels, 10), centroid_row(labels, 12, 13)
    assert eyes < nose < lips, f"eyes ({eyes:.0f}), nose ({nose:.0f}) and lips ({lips:.0f}) are not top to bottom"
    face_areas = {name: int((labels == class_id).sum()) for name, class_id in FACE_CLASSES.items() if name != "hair"}
    assert max(face_areas, key=face_areas.get) == "skin", f"skin is not the largest face class: {face_areas}"
