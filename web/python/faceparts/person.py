"""The person mask: where a person is in the frame (MediaPipe's selfie segmentation, run by the
browser's engine or ONNX Runtime), for the class `body` (compose.py: a person's pixel that no part
covers). Pure numpy and Pillow; the mask arrives as uint8 probabilities (0-255) at the model's size."""

from __future__ import annotations

import numpy as np
from PIL import Image

from . import geometry, steady
from .model_manifest import PersonSpec


def view(frame_height: int, frame_width: int, spec: PersonSpec) -> np.ndarray:
    """Frame -> the mask model's input: the whole frame stretched to its width x height."""
    return geometry.scaling(spec.width / frame_width, spec.height / frame_height)


def frame_mask(probabilities: np.ndarray, frame_height: int, frame_width: int, spec: PersonSpec) -> np.ndarray:
    """uint8 [h, w] probabilities (0-255) in the model's input (the frame stretched to it: view)
    -> bool [H, W] at the frame's size: a person's pixel (bilinear, then the threshold)."""
    to_frame = Image.fromarray(probabilities).resize((frame_width, frame_height), Image.BILINEAR)
    # Thresholded by Pillow, in one pass: per-pixel work in numpy is slow under Pyodide.
    threshold = round(spec.threshold * 255)
    return np.asarray(to_frame.point(lambda value: 255 if value >= threshold else 0).convert("1"))


def steady_mask(probabilities: np.ndarray, matrix: np.ndarray, state: dict | None, spec: PersonSpec
                ) -> tuple[np.ndarray, dict]:
    """Video: the person's pixels held as steady.py holds a crop's labels (a pixel changes side
    once the model says so two frames running), in the mask's input (matrix: view's).
    -> (uint8 [h, w], 255 for a person and 0 elsewhere, for frame_mask; the state for the next frame)."""
    raw = (probabilities >= round(spec.threshold * 255)).astype(np.uint8)
    shown, kept = steady.steady(raw, matrix, state)
    return shown * np.uint8(255), kept
