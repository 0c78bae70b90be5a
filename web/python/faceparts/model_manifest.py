"""Reads what the pipeline needs from models/manifest.json: normalisation, sizes and classes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .pipeline import palette_array


@dataclass(frozen=True)
class ModelSpec:
    scale: float
    offset: float
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
            sizes=tuple(manifest["sizes"]),
            default_size=int(manifest["default_size"]),
            class_names=tuple(c["name"] for c in classes),
            palette=palette_array([c["color"] for c in classes]),
        )

    @classmethod
    def load(cls, path: str | Path) -> "ModelSpec":
        return cls.from_manifest(json.loads(Path(path).read_text()))
