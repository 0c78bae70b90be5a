"""Straight label edges along a face crop's border: how often the label changes across the crop's
border, against how often it changes across squares a little inside it. A crop pasted onto
nothing (or onto a context it ignores) leaves its labels ending in a straight line at its border:
far more change there than inside."""

from __future__ import annotations

import numpy as np

from faceparts import geometry

INSETS = (0.06, 0.12, 0.18)  # the squares inside the border, as shares of the crop's side
STEP = 2.0  # frame pixels each side of a line


def changes_across(labels: np.ndarray, crop_matrix: np.ndarray, side: int, inset: float, points: int = 400) -> tuple[int, int]:
    """(pairs whose labels differ, pairs looked at) across the square `inset` of the crop's side
    inside its border: pixel pairs STEP frame pixels either side of the line, along its normal."""
    to_frame = geometry.invert(crop_matrix)
    t = (np.arange(points) + 0.5) / points
    lo, hi = inset * side, (1 - inset) * side
    along = lo + t * (hi - lo)
    lines = [(np.stack([along, np.full(points, lo)], 1), (0, -1)), (np.stack([along, np.full(points, hi)], 1), (0, 1)),
             (np.stack([np.full(points, lo), along], 1), (-1, 0)), (np.stack([np.full(points, hi), along], 1), (1, 0))]
    scale = geometry.scale_of(crop_matrix)
    differ = total = 0
    height, width = labels.shape
    for crop_points, normal in lines:
        offset = np.asarray(normal, dtype=np.float64) * STEP * scale
        outer = np.round(geometry.apply(to_frame, crop_points + offset) - 0.5).astype(int)
        inner = np.round(geometry.apply(to_frame, crop_points - offset) - 0.5).astype(int)
        ok = ((outer >= 0) & (outer < [width, height])).all(1) & ((inner >= 0) & (inner < [width, height])).all(1)
        a, b = labels[outer[ok, 1], outer[ok, 0]], labels[inner[ok, 1], inner[ok, 0]]
        differ += int((a != b).sum())
        total += int(ok.sum())
    return differ, total


def border_and_inside(labels: np.ndarray, crops: list[tuple[np.ndarray, int]]) -> tuple[float, float]:
    """(share of pairs changing label across the crops' borders, the same across the squares at
    INSETS inside them), over every crop [(frame -> crop matrix, side)]."""
    border, inside = [0, 0], [0, 0]
    for matrix, side in crops:
        for total, inset in ((border, 0.0), *((inside, inset) for inset in INSETS)):
            differ, count = changes_across(labels, matrix, side, inset)
            total[0] += differ
            total[1] += count
    return border[0] / max(border[1], 1), inside[0] / max(inside[1], 1)
