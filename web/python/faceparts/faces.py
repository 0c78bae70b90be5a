"""The face detector's geometry: where the frame goes in its input, and its output decoded into
faces in frame pixels. Pure numpy; the detector itself runs in the browser's engine or in
ONNX Runtime natively.

A face is a dict: {"box": [x0, y0, x1, y1], "score": float, "keypoints": [[x, y] x 6]} in frame
pixels, keypoints in the manifest's order (the subject's right eye first).
"""

from __future__ import annotations

import numpy as np

from . import geometry
from .model_manifest import DetectorSpec


def views(frame_height: int, frame_width: int, spec: DetectorSpec) -> list[np.ndarray]:
    """The detector inputs to try, in order, as frame -> input matrices: the frame letterboxed
    (scaled to fit, centred, the rest black), then, for faces so close that they fill the frame,
    the frame smaller inside a wider black border (found only when the first finds none)."""
    return [letterbox(frame_height, frame_width, spec.size, zoom) for zoom in (1.0, spec.retry_zoom)]


def letterbox(frame_height: int, frame_width: int, size: int, zoom: float = 1.0) -> np.ndarray:
    """Frame -> detector input: scaled by zoom x size / longer side to whole pixels, centred."""
    scale = zoom * size / max(frame_height, frame_width)
    width, height = max(1, round(frame_width * scale)), max(1, round(frame_height * scale))
    left, top = (size - width) // 2, (size - height) // 2
    return geometry.translation(left, top) @ geometry.scaling(width / frame_width, height / frame_height)


def anchors(spec: DetectorSpec) -> np.ndarray:
    """[grid*grid, 2] anchor centres in input pixels, row by row."""
    cells = (np.arange(spec.grid) + 0.5) * spec.size / spec.grid
    x, y = np.meshgrid(cells, cells)
    return np.stack([x.ravel(), y.ravel()], axis=1)


def decode(regressors: np.ndarray, logits: np.ndarray, spec: DetectorSpec):
    """Raw outputs -> (boxes [N,4] x0 y0 x1 y1, scores [N], keypoints [N,K,2]) in input pixels,
    the detections at or above the score threshold, most confident first."""
    regressors = np.asarray(regressors, dtype=np.float32).reshape(-1, 4 + 2 * len(spec.keypoints))
    logits = np.asarray(logits, dtype=np.float32).reshape(-1)
    scores = 1 / (1 + np.exp(-np.clip(logits, -100, 100)))
    keep = np.flatnonzero(scores >= spec.score_threshold)
    keep = keep[np.argsort(-scores[keep], kind="stable")]
    centres = anchors(spec)[keep]
    r = regressors[keep].astype(np.float64)
    half = r[:, 2:4] / 2
    boxes = np.concatenate([r[:, :2] + centres - half, r[:, :2] + centres + half], axis=1)
    keypoints = r[:, 4:].reshape(len(keep), len(spec.keypoints), 2) + centres[:, None, :]
    return boxes, scores[keep].astype(np.float64), keypoints


def iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Intersection over union of one box with each of several."""
    x0, y0 = np.maximum(box[0], boxes[:, 0]), np.maximum(box[1], boxes[:, 1])
    x1, y1 = np.minimum(box[2], boxes[:, 2]), np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = lambda b: (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])  # noqa: E731
    return inter / np.maximum(area(box) + area(boxes) - inter, 1e-9)


def non_max_suppression(boxes: np.ndarray, threshold: float) -> list[int]:
    """Greedy: each box in order is kept unless it overlaps a kept one by more than threshold."""
    kept: list[int] = []
    for index in range(len(boxes)):
        if not kept or iou(boxes[index], boxes[kept]).max() <= threshold:
            kept.append(index)
    return kept


def find_faces(regressors: np.ndarray, logits: np.ndarray, view: np.ndarray, spec: DetectorSpec) -> list[dict]:
    """The detector's output for one view (frame -> input matrix) as faces in frame pixels."""
    boxes, scores, keypoints = decode(regressors, logits, spec)
    to_frame = geometry.invert(view)
    faces = []
    for index in non_max_suppression(boxes, spec.nms_iou):
        corners = geometry.apply(to_frame, boxes[index].reshape(2, 2))
        faces.append({
            "box": [round(float(v), 2) for v in corners.ravel()],
            "score": round(float(scores[index]), 4),
            "keypoints": [[round(float(x), 2), round(float(y), 2)] for x, y in geometry.apply(to_frame, keypoints[index])],
        })
    return faces


def refine_view(face: dict, spec: DetectorSpec) -> np.ndarray:
    """Frame -> detector input for a second look at one face: a square around its box, so wide
    that the box fills `refine_fraction` of it. The detector's keypoints are coarse when the face
    is small in its input; at this scale they are as good as it gets."""
    x0, y0, x1, y1 = face["box"]
    side = max(x1 - x0, y1 - y0) / spec.refine_fraction
    left, top = (x0 + x1 - side) / 2, (y0 + y1 - side) / 2
    return geometry.scaling(spec.size / side) @ geometry.translation(-left, -top)


# A face already tracked gets the closer look only when that look shows it at least this many times
# larger than the look that found it: for faces any larger in the detector's input, the crops the
# two looks give differ about as much as two looks at one scale do.
CLOSER = 2.0


def needs_closer_look(face: dict, view: np.ndarray, spec: DetectorSpec, tracked: bool) -> bool:
    """Whether a face gets the second look (refine_view). A new face does, for the best keypoints
    the detector gives; a face already tracked only when it is small in the look that found it
    (view: frame -> input): on video the tracker steadies the crop, and each look costs a run of
    the detector."""
    if not tracked:
        return True
    x0, y0, x1, y1 = face["box"]
    return CLOSER * max(x1 - x0, y1 - y0) * geometry.scale_of(view) < spec.refine_fraction * spec.size


def refine(face: dict, regressors: np.ndarray, logits: np.ndarray, view: np.ndarray, spec: DetectorSpec) -> dict:
    """The face as the second look (refine_view) sees it: the detection nearest the view's
    centre, or the face as it was when that look finds none."""
    found = find_faces(regressors, logits, view, spec)
    if not found:
        return face
    centre = ((face["box"][0] + face["box"][2]) / 2, (face["box"][1] + face["box"][3]) / 2)
    distance = lambda f: np.hypot((f["box"][0] + f["box"][2]) / 2 - centre[0], (f["box"][1] + f["box"][3]) / 2 - centre[1])  # noqa: E731
    return min(found, key=distance)


def largest(faces: list[dict], limit: int) -> tuple[list[dict], int]:
    """The `limit` largest faces (by box area), largest first, and how many were left out."""
    area = lambda face: (face["box"][2] - face["box"][0]) * (face["box"][3] - face["box"][1])  # noqa: E731
    ranked = sorted(faces, key=area, reverse=True)
    return ranked[:limit], max(0, len(ranked) - limit)
