"""Reads what the pipeline needs from models/manifest.json: normalisation, sizes and classes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .pipeline import input_shape, palette_array


@dataclass(frozen=True)
class ModelSpec:
    scale: float
    offset: float
    multiple: int
    sizes: tuple[int, ...]
    default_size: int
    class_names: tuple[str, ...]
    palette: np.ndarray

    @classmethod
    def from_manifest(cls, manifest: dict) -> "ModelSpec":
        classes = sorted(manifest["classes"], key=lambda c: c["id"])
        if [c["id"] for c in classes] != list(range(len(classes))):
            raise ValueError("manifest class ids must run 0..N-1 without gaps")
        return cls(
            scale=float(manifest["input"]["scale"]),
            offset=float(manifest["input"]["offset"]),
            multiple=int(manifest["input"]["multiple_of"]),
            sizes=tuple(manifest["sizes"]),
            default_size=int(manifest["default_size"]),
            class_names=tuple(c["name"] for c in classes),
            palette=palette_array([c["color"] for c in classes]),
        )

    def input_shape(self, frame_height: int, frame_width: int, size: int) -> tuple[int, int]:
        """The model input's (height, width) for a frame at `size` (pipeline.input_shape)."""
        return input_shape(frame_height, frame_width, size, self.multiple)

    @classmethod
    def load(cls, path: str | Path) -> "ModelSpec":
        return cls.from_manifest(json.loads(Path(path).read_text()))
