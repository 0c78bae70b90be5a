"""Connected regions of a label map: what a flood fill through same-class 8-neighbours reaches."""

from collections import deque

import numpy as np

from faceparts import regions


def flood(seed: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """The reference: a breadth-first fill from every seed pixel of a class through its 8 neighbours
    of that class."""
    height, width = classes.shape
    reached = np.zeros(classes.shape, dtype=bool)
    queue = deque(zip(*np.nonzero(seed & (classes != 0))))
    for y, x in queue:
        reached[y, x] = True
    while queue:
        y, x = queue.popleft()
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                ny, nx = y + dy, x + dx
                if 0 <= ny < height and 0 <= nx < width and not reached[ny, nx] and classes[ny, nx] == classes[y, x]:
                    reached[ny, nx] = True
                    queue.append((ny, nx))
    return reached


def test_a_region_goes_on_through_diagonal_neighbours_of_its_class_only():
    classes = np.array([
        [1, 0, 0, 2, 2],
        [0, 1, 0, 2, 0],
        [0, 0, 1, 1, 0],
        [3, 0, 0, 0, 1],
        [3, 3, 1, 0, 0],
    ], dtype=np.uint8)
    seed = np.zeros(classes.shape, dtype=bool)
    seed[0, 0] = True
    reached = regions.joined(seed, classes)
    # The diagonal chain of 1s from the corner, on to (3, 4); not the 1 at (4, 2), which no 1
    # touches, nor the 2s beside the chain.
    expected = np.zeros(classes.shape, dtype=bool)
    for y, x in [(0, 0), (1, 1), (2, 2), (2, 3), (3, 4)]:
        expected[y, x] = True
    assert (reached == expected).all()


def test_regions_are_what_a_flood_fill_reaches_on_random_label_maps():
    rng = np.random.default_rng(7)
    for _ in range(60):
        height, width = rng.integers(1, 40, size=2)
        classes = rng.integers(0, 4, size=(height, width)).astype(np.uint8)
        classes[rng.random((height, width)) < rng.uniform(0, 0.5)] = 0
        seed = rng.random((height, width)) < 0.05
        assert (regions.joined(seed, classes) == flood(seed, classes)).all()


def test_a_long_winding_region_is_reached_to_its_end():
    # A serpentine one pixel wide: each pass of a 3x3 growth would reach one pixel further.
    classes = np.zeros((41, 41), dtype=np.uint8)
    classes[::4, :40] = 1
    classes[2::4, 1:] = 1
    classes[1::4, 39] = classes[3::4, 1] = 1
    seed = np.zeros(classes.shape, dtype=bool)
    seed[0, 0] = True
    assert (regions.joined(seed, classes) == flood(seed, classes)).all()
    assert regions.joined(seed, classes)[40, :40].all()
