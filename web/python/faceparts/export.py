"""Encodes a parse for download: label PNG, colour PNG and per-class areas as JSON."""

from __future__ import annotations

import io
import json

import numpy as np
from PIL import Image

from .pipeline import class_areas


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def label_png(labels: np.ndarray, palette: np.ndarray) -> bytes:
    """Palette-mode PNG whose pixel values are the class ids, shown in the class colours."""
    image = Image.fromarray(labels.astype(np.uint8, copy=False), mode="P")
    image.putpalette(palette.astype(np.uint8).ravel().tolist())
    return _png_bytes(image)


def color_png(labels: np.ndarray, palette: np.ndarray) -> bytes:
    """RGB PNG of the parse in the class colours."""
    return _png_bytes(Image.fromarray(palette[labels], mode="RGB"))


def areas_json(labels: np.ndarray, class_names: list[str], extra: dict | None = None) -> str:
    """JSON document: image size, then pixel count and fraction per class."""
    document = {"width": int(labels.shape[1]), "height": int(labels.shape[0])}
    document.update(extra or {})
    document["classes"] = class_areas(labels, class_names)
    return json.dumps(document, indent=2)
