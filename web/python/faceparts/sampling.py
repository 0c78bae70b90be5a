"""What each model sees of a frame: the frame resampled into one model's input, one way per kind
of view. The faceparts command takes every view here, and so does the page's Export video (under
Pyodide), so that both parse the same pixels; the page's live views are drawn by the browser
instead (web/js/canvas-warp.js), which is faster there.

Kinds: 'detector' (a face detector's view) and 'crop' (a face's crop): bicubic, as
geometry.warp does; 'context' (the whole frame under the crops, its matrix a plain scaling): a
bilinear resize, which averages every pixel when it shrinks; 'person' (the person mask's input):
bilinear.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from . import geometry, pipeline

KINDS = ("detector", "crop", "context", "person")


def model_view(rgb: np.ndarray, kind: str, matrix: np.ndarray, height: int, width: int) -> np.ndarray:
    """uint8 RGB [height, width, 3]: the view of `kind` that `matrix` (frame -> view) maps the
    frame `rgb` to."""
    if kind in ("detector", "crop"):
        return geometry.warp(rgb, matrix, height, width)
    if kind == "context":
        return pipeline.resize_rgb(rgb, height, width)
    if kind == "person":
        return geometry.warp(rgb, matrix, height, width, resample=Image.BILINEAR)
    raise ValueError(f"a model's view is one of {', '.join(KINDS)}, not {kind!r}")
