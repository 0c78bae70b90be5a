"""Connected regions of a label map, in a few whole-array passes.

A region is a set of pixels of one class joined through their 8 neighbours of that class. It is
found by union-find over the pairs of neighbouring pixels of a class, every pair at once: each pass
hooks each pair's two roots onto the smaller and then points every pixel at its root, so the passes
needed grow with the logarithm of a region's size, not its length (a growth by a 3x3 maximum takes
one pass per pixel of the longest path, each pass over the whole image).
"""

from __future__ import annotations

import numpy as np

# The neighbours that pair each pixel with the rest of its 8: right, down, down-right, down-left.
OFFSETS = ((0, 1), (1, 0), (1, 1), (1, -1))


def neighbour_pairs(classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The flat indices (a, b) of every pair of 8-neighbouring pixels with the same non-zero class."""
    height, width = classes.shape
    index = np.arange(height * width, dtype=np.int32).reshape(height, width)
    firsts, seconds = [], []
    for dy, dx in OFFSETS:
        rows = slice(0, height - dy)
        cols, other_cols = (slice(0, width - dx), slice(dx, width)) if dx >= 0 else (slice(-dx, width), slice(0, width + dx))
        here, there = classes[rows, cols], classes[dy:, other_cols]
        same = (here == there) & (here != 0)
        firsts.append(index[rows, cols][same])
        seconds.append(index[dy:, other_cols][same])
    return np.concatenate(firsts), np.concatenate(seconds)


def region_ids(classes: np.ndarray) -> np.ndarray:
    """int32 [h, w]: for each pixel, the smallest flat index in its region (a pixel of class 0 is
    a region of its own)."""
    first, second = neighbour_pairs(classes)
    roots = np.arange(classes.size, dtype=np.int32)
    while True:
        a, b = roots[first], roots[second]
        apart = a != b
        if not apart.any():
            return roots.reshape(classes.shape)
        a, b = a[apart], b[apart]
        smaller = np.minimum(a, b)
        np.minimum.at(roots, a, smaller)
        np.minimum.at(roots, b, smaller)
        while True:
            jumped = roots[roots]
            if np.array_equal(jumped, roots):
                break
            roots = jumped
        first, second = first[apart], second[apart]


def joined(seed: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """bool [h, w]: the pixels of a non-zero class joined to a `seed` pixel (bool) of that class
    through neighbours of that class."""
    ids = region_ids(classes)
    reached = np.zeros(classes.size, dtype=bool)
    reached[ids[seed & (classes != 0)]] = True
    return reached[ids] & (classes != 0)
