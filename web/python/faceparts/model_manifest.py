"""Reads what the Python code needs from models/manifest.json: the parser (normalisation, sizes,
classes), the face detector, the crop alignment, the context parse and the person mask."""

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


@dataclass(frozen=True)
class DetectorSpec:
    """The face detector: its input, how to decode its output, and how many faces to parse."""

    size: int
    scale: float
    offset: float
    grid: int
    score_threshold: float
    nms_iou: float
    keypoints: tuple[str, ...]
    retry_zoom: float
    refine_fraction: float
    default_max_faces: int
    max_faces: int

    @classmethod
    def from_manifest(cls, manifest: dict) -> "DetectorSpec":
        detector = manifest["detector"]
        return cls(
            size=int(detector["input"]["size"]),
            scale=float(detector["input"]["scale"]),
            offset=float(detector["input"]["offset"]),
            grid=int(detector["anchors"]["grid"]),
            score_threshold=float(detector["score_threshold"]),
            nms_iou=float(detector["nms_iou"]),
            keypoints=tuple(detector["keypoints"]),
            retry_zoom=float(detector["retry_zoom"]),
            refine_fraction=float(detector["refine_fraction"]),
            default_max_faces=int(detector["faces"]["default_max"]),
            max_faces=int(detector["faces"]["max"]),
        )


@dataclass(frozen=True)
class AlignmentSpec:
    """Where the detector's keypoints sit in the parser's training framing (a unit square)."""

    indices: tuple[int, ...]  # into the detector's keypoints
    template: np.ndarray  # [N,2], x and y as fractions of the crop's side
    weights: np.ndarray  # [N]
    margins: dict[int, float]  # per model size: the crop's side over the template framing's

    def margin(self, size: int) -> float:
        return self.margins.get(size, 1.0)

    @classmethod
    def from_manifest(cls, manifest: dict) -> "AlignmentSpec":
        alignment, names = manifest["alignment"], manifest["detector"]["keypoints"]
        return cls(
            indices=tuple(names.index(name) for name in alignment["keypoints"]),
            template=np.asarray(alignment["template"], dtype=np.float64),
            weights=np.asarray(alignment["weights"], dtype=np.float64),
            margins={int(size): float(margin) for size, margin in alignment["margin"].items()},
        )


@dataclass(frozen=True)
class PersonSpec:
    """The person mask: its input (the whole frame stretched to height x width) and what a
    person's pixel is; body_id: the class of a person's pixel that no part covers; garment_id: the
    class a body continues where a crop's garment runs into it."""

    height: int
    width: int
    scale: float
    offset: float
    threshold: float
    body_id: int
    garment_id: int
    context_video_size: int
    beyond_face: tuple[int, ...]  # the classes the whole frame's parse keeps outside the face crops

    @classmethod
    def from_manifest(cls, manifest: dict) -> "PersonSpec":
        person = manifest["person"]
        names = [c["name"] for c in sorted(manifest["classes"], key=lambda c: c["id"])]
        return cls(
            height=int(person["input"]["height"]),
            width=int(person["input"]["width"]),
            scale=float(person["input"]["scale"]),
            offset=float(person["input"]["offset"]),
            threshold=float(person["threshold"]),
            body_id=names.index(person["body_class"]),
            garment_id=names.index(person["garment_class"]),
            beyond_face=tuple(names.index(name) for name in manifest["groups"]["beyond_face"]),
            context_video_size=int(manifest["context"]["video_size"]),
        )
