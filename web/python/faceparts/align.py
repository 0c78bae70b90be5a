"""Face crops: each face is mapped onto the framing of the parser's training faces (CelebAMask-HQ:
eyes level, the face centred, hair and neck in the picture) by a similarity transform from the
detector's keypoints onto a template (models/manifest.json "alignment", fitted on the dev set).

A face's pose is [cx, cy, side, angle]: the centre and side in frame pixels of the template's
framing around it, and its rotation, whatever the model's input size; crop_matrix turns a pose
into the frame -> crop matrix at a size, with that size's margin.
"""

from __future__ import annotations

import numpy as np

from . import geometry
from .model_manifest import AlignmentSpec, ModelSpec


def crop_pose(keypoints, spec: AlignmentSpec) -> np.ndarray:
    """The crop for a face's keypoints (frame pixels, the detector's order) as [cx, cy, side, angle]."""
    points = np.asarray(keypoints, dtype=np.float64)[list(spec.indices)]
    to_unit = geometry.similarity(points, spec.template, spec.weights)  # frame -> the template's unit square
    centre = geometry.apply(geometry.invert(to_unit), [(0.5, 0.5)])[0]
    angle = float(np.arctan2(to_unit[0, 1], to_unit[0, 0]))
    return np.array([centre[0], centre[1], 1 / geometry.scale_of(to_unit), angle])


def crop_matrix(pose, size: int, margin: float = 1.0) -> np.ndarray:
    """Frame -> the size x size crop of a pose, `margin` times wider than the template's framing."""
    cx, cy, side, angle = (float(v) for v in pose)
    return (geometry.scaling(size) @ geometry.translation(0.5, 0.5) @ geometry.scaling(1 / (side * margin))
            @ geometry.rotation(angle) @ geometry.translation(-cx, -cy))


def whole_frame_matrix(frame_height: int, frame_width: int, input_height: int, input_width: int) -> np.ndarray:
    """Frame -> the model input when the whole frame is parsed (resized, aspect kept to the multiple)."""
    return geometry.scaling(input_width / frame_width, input_height / frame_height)


def crop_plans(poses, frame_height: int, frame_width: int, size: int, model: ModelSpec, spec: AlignmentSpec,
               context_size: int | None = None) -> list[tuple[np.ndarray, int, int, bool]]:
    """What the model parses for a frame: a size x size crop per face pose, then the whole frame
    at the model's input shape, for context_size (default: size; alone, at size, without a face).
    -> [(frame -> input matrix, height, width, whether it is the whole frame)]"""
    whole_size = (context_size or size) if len(poses) else size
    height, width = model.input_shape(frame_height, frame_width, whole_size)
    crops = [(crop_matrix(pose, size, spec.margin(size)), size, size, False) for pose in poses]
    return crops + [(whole_frame_matrix(frame_height, frame_width, height, width), height, width, True)]
