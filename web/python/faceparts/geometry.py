"""2-D affine transforms as 3x3 matrices, in the continuous pixel coordinates that canvas and
Pillow share: pixel (i, j) covers [i, i+1) x [j, j+1), its centre at (i + 0.5, j + 0.5).

A matrix maps points of one picture (say the frame) to another (say a face crop). The page
draws with it (`setTransform` takes `to_js`'s six numbers in canvas order); Pillow's
Image.transform takes the inverse direction, so `warp` and `paste` below hand it the matrix
from the output picture back to the input one.
"""

from __future__ import annotations

import numpy as np
from PIL import Image


def translation(dx: float, dy: float) -> np.ndarray:
    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])


def scaling(sx: float, sy: float | None = None) -> np.ndarray:
    return np.array([[sx, 0.0, 0.0], [0.0, sx if sy is None else sy, 0.0], [0.0, 0.0, 1.0]])


def rotation(angle: float) -> np.ndarray:
    """Counter-clockwise on screen for a positive angle (y points down)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])


def apply(matrix: np.ndarray, points) -> np.ndarray:
    """[N,2] points through the matrix."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return points @ matrix[:2, :2].T + matrix[:2, 2]


def invert(matrix: np.ndarray) -> np.ndarray:
    return np.linalg.inv(matrix)


def from_js(values) -> np.ndarray:
    """The inverse of to_js."""
    a, b, c, d, e, f = (float(v) for v in values)
    return np.array([[a, c, e], [b, d, f], [0.0, 0.0, 1.0]])


def to_js(matrix: np.ndarray) -> list[float]:
    """[a, b, c, d, e, f] for canvas' setTransform(a, b, c, d, e, f): x' = a x + c y + e, y' = b x + d y + f."""
    return [float(matrix[0, 0]), float(matrix[1, 0]), float(matrix[0, 1]), float(matrix[1, 1]),
            float(matrix[0, 2]), float(matrix[1, 2])]


def scale_of(matrix: np.ndarray) -> float:
    """How much the matrix enlarges lengths (the square root of its determinant)."""
    return float(np.sqrt(abs(np.linalg.det(matrix[:2, :2]))))


def similarity(source, target, weights=None) -> np.ndarray:
    """The rotation, uniform scale and translation (no reflection) that best maps the source
    points onto the target points, in the weighted least-squares sense (Umeyama, 1991)."""
    source = np.asarray(source, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    w = np.ones(len(source)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    source_mean, target_mean = w @ source, w @ target
    s, t = source - source_mean, target - target_mean
    covariance = (t * w[:, None]).T @ s
    u, d, vt = np.linalg.svd(covariance)
    sign = np.ones(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[-1] = -1
    rotation_part = u @ np.diag(sign) @ vt
    variance = (w * (s ** 2).sum(axis=1)).sum()
    scale = (d * sign).sum() / variance
    matrix = np.eye(3)
    matrix[:2, :2] = scale * rotation_part
    matrix[:2, 2] = target_mean - scale * rotation_part @ source_mean
    return matrix


def warp(image: np.ndarray, matrix: np.ndarray, height: int, width: int, resample=Image.BICUBIC, fill=0) -> np.ndarray:
    """The picture `matrix` maps `image` to, `height` x `width`; outside the image is `fill`
    (black).

    One bicubic resampling keeps the picture sharp, which the parser needs (a blur of the kind a
    second resampling adds costs it more than some aliasing). Only when the matrix shrinks the
    picture to less than half is it first resized, with a Lanczos filter, to twice the target
    scale, so that pixels are not skipped."""
    source = Image.fromarray(image)
    scale = scale_of(matrix)
    if scale < 0.5 and resample != Image.NEAREST:
        smaller = source.resize((max(1, round(source.width * 2 * scale)), max(1, round(source.height * 2 * scale))), Image.LANCZOS)
        matrix = matrix @ scaling(source.width / smaller.width, source.height / smaller.height)
        source = smaller
    coefficients = invert(matrix)[:2].ravel()
    return np.asarray(source.transform((width, height), Image.AFFINE, data=tuple(coefficients), resample=resample, fillcolor=fill))


def paste_box(matrix: np.ndarray, height: int, width: int, frame_height: int, frame_width: int) -> tuple[int, int, int, int] | None:
    """The frame pixels (x0, y0, x1, y1) that a `height` x `width` picture placed by `matrix`
    (frame -> picture) covers, clipped to the frame; None when it misses the frame."""
    corners = apply(invert(matrix), [(0, 0), (width, 0), (0, height), (width, height)])
    x0, y0 = np.floor(corners.min(axis=0)).astype(int)
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, frame_width), min(y1, frame_height)
    return (int(x0), int(y0), int(x1), int(y1)) if x1 > x0 and y1 > y0 else None
