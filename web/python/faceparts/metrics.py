"""Segmentation metrics: pixel accuracy and IoU over a confusion matrix, with left/right pairs merged; flicker over a video's label maps."""

from __future__ import annotations

import numpy as np

# CelebAMask-HQ marks about 7 % of faces with left and right swapped, so pairs are scored as one
# class; it has no body class (a person's pixel no part covers), so that scores as background.
LEFT_RIGHT_PAIRS = {"r_brow": "l_brow", "r_eye": "l_eye", "r_ear": "l_ear", "body": "background"}
MERGED_NAMES = {"l_brow": "brows", "l_eye": "eyes", "l_ear": "ears"}


def confusion(truth: np.ndarray, prediction: np.ndarray, num_classes: int) -> np.ndarray:
    """[num_classes, num_classes] pixel counts, rows = truth, columns = prediction."""
    if truth.shape != prediction.shape:
        raise ValueError(f"truth {truth.shape} and prediction {prediction.shape} differ in shape")
    index = truth.astype(np.int64).ravel() * num_classes + prediction.astype(np.int64).ravel()
    return np.bincount(index, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def merge_pairs(matrix: np.ndarray, class_names: list[str]) -> tuple[np.ndarray, list[str]]:
    """Folds each right-side class into its left twin (and body into background); returns the
    smaller matrix and its class names."""
    keep = [i for i, name in enumerate(class_names) if name not in LEFT_RIGHT_PAIRS]
    target = {i: keep.index(class_names.index(LEFT_RIGHT_PAIRS.get(name, name))) for i, name in enumerate(class_names)}
    groups = np.array([target[i] for i in range(len(class_names))])
    merged = np.zeros((len(keep), len(keep)), dtype=matrix.dtype)
    np.add.at(merged, (groups[:, None], groups[None, :]), matrix)
    return merged, [MERGED_NAMES.get(class_names[i], class_names[i]) for i in keep]


def scores(matrix: np.ndarray, class_names: list[str]) -> dict:
    """Pixel accuracy, per-class IoU and their mean. A class absent from both truth and
    prediction has no IoU (None) and does not count in the mean."""
    true_positive = np.diag(matrix).astype(np.float64)
    union = matrix.sum(axis=0) + matrix.sum(axis=1) - true_positive
    per_class = {
        name: (float(tp / u) if u else None) for name, tp, u in zip(class_names, true_positive, union)
    }
    present = [value for value in per_class.values() if value is not None]
    total = matrix.sum()
    return {
        "pixel_accuracy": float(true_positive.sum() / total) if total else 0.0,
        "mean_iou": float(np.mean(present)) if present else 0.0,
        "per_class_iou": per_class,
    }


def flicker(labels: list[np.ndarray]) -> float:
    """Of the pixels parsed (not background) in either of two consecutive label maps of a video,
    the share whose label changed, over all its frames."""
    changed = region = 0
    for before, after in zip(labels, labels[1:]):
        parsed = (before != 0) | (after != 0)
        changed += int((before != after)[parsed].sum())
        region += int(parsed.sum())
    return changed / max(region, 1)
