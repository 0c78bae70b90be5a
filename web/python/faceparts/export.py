"""Encodes a parse for download: label PNG, colour PNG and per-class areas as JSON.

EXPORTS is the one list of export kinds: the page offers a button per kind
(data-export="kind") and names the file with its suffix.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Callable

import numpy as np
from PIL import Image

from .pipeline import class_areas, hidden_ids


def png_bytes(image: Image.Image) -> bytes:
    """PNG at zlib's fastest level: encoding took most of a batch's time at the default level,
    for files only somewhat smaller."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def label_png(labels: np.ndarray, palette: np.ndarray) -> bytes:
    """Palette-mode PNG whose pixel values are the class ids, shown in the class colours."""
    image = Image.fromarray(labels.astype(np.uint8, copy=False), mode="P")
    image.putpalette(palette.astype(np.uint8).ravel().tolist())
    return png_bytes(image)


def color_png(labels: np.ndarray, palette: np.ndarray, hidden=()) -> bytes:
    """RGB PNG of the parse in the class colours; `hidden` class ids black, as the background."""
    if len(hidden):
        palette = palette.copy()
        palette[list(hidden)] = 0
    return png_bytes(Image.fromarray(palette[labels], mode="RGB"))


def areas_json(labels: np.ndarray, class_names: list[str], extra: dict | None = None) -> str:
    """JSON document: image size, then pixel count and fraction per class."""
    document = {"width": int(labels.shape[1]), "height": int(labels.shape[0])}
    document.update(extra or {})
    document["classes"] = class_areas(labels, class_names)
    return json.dumps(document, indent=2)


@dataclass(frozen=True)
class ExportKind:
    suffix: str
    mime: str
    # (labels, palette, class_names, extra) -> the file's bytes
    encode: Callable[[np.ndarray, np.ndarray, list[str], dict], bytes]


EXPORTS = {
    "label-png": ExportKind("labels.png", "image/png", lambda labels, palette, names, extra: label_png(labels, palette)),
    # The parts the user shows (extra["parts"]) in colour; the others black.
    "color-png": ExportKind("colors.png", "image/png",
                            lambda labels, palette, names, extra: color_png(labels, palette, hidden_ids(extra.get("parts"), names))),
    "areas-json": ExportKind("areas.json", "application/json",
                             lambda labels, palette, names, extra: areas_json(labels, names, extra).encode()),
}


def export_parse(kind: str, labels: np.ndarray, palette: np.ndarray, class_names: list[str], extra: dict | None = None) -> bytes:
    """The bytes of export `kind` (a key of EXPORTS) for a label map."""
    if kind not in EXPORTS:
        raise ValueError(f"unknown export kind {kind!r}; known: {', '.join(EXPORTS)}")
    return EXPORTS[kind].encode(labels, palette, class_names, extra or {})
