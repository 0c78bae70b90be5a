"""The parses of the face crops (or of the whole frame) pasted back into one label map at the
frame's own size."""

from __future__ import annotations

import numpy as np
from PIL import Image

from . import geometry

OUTSIDE = 255  # a crop's pixels beyond the frame, while pasting


def compose(frame_height: int, frame_width: int, parses, num_classes: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """parses: [(labels uint8 [h,w], frame -> labels matrix)], the most important (largest face)
    first. -> (frame labels uint8 [H,W], per parse its pixel count per class in the result).

    Each parse is mapped back with its inverse transform (nearest label). Where crops overlap,
    a part (any class but background) of an earlier parse wins, and a crop's background fills
    only pixels that no crop has claimed; pixels outside every crop are background.
    """
    labels = np.zeros((frame_height, frame_width), dtype=np.uint8)
    owner = np.full((frame_height, frame_width), -1, dtype=np.int8)
    boxes = [None] * len(parses)
    for index in reversed(range(len(parses))):
        parse, matrix = parses[index]
        box = geometry.paste_box(matrix, parse.shape[0], parse.shape[1], frame_height, frame_width)
        if box is None:
            continue
        boxes[index] = box
        x0, y0, x1, y1 = box
        to_box = geometry.translation(-x0, -y0) @ geometry.invert(matrix)
        pasted = geometry.warp(parse, to_box, y1 - y0, x1 - x0, resample=Image.NEAREST, fill=OUTSIDE)
        region, claimed = labels[y0:y1, x0:x1], owner[y0:y1, x0:x1]
        take = (pasted != OUTSIDE) & ((pasted != 0) | (claimed < 0))
        region[take] = pasted[take]
        claimed[take] = index
    counts = []
    for index, box in enumerate(boxes):
        if box is None:
            counts.append(np.zeros(num_classes, dtype=np.int64))
            continue
        x0, y0, x1, y1 = box
        mine = owner[y0:y1, x0:x1] == index
        counts.append(np.bincount(labels[y0:y1, x0:x1][mine], minlength=num_classes)[:num_classes])
    return labels, counts
