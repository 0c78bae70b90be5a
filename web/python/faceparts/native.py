"""The frame path natively, with ONNX Runtime: detect the faces, crop each onto the training
framing, parse the crops, paste the parses back. The same geometry as the page (faces, align,
compose); only the models and the pixel warps run here instead of in the browser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import align, compose, faces, geometry, pipeline
from .model_manifest import AlignmentSpec, DetectorSpec, ModelSpec

REPO_ROOT = Path(__file__).resolve().parents[3]
MANIFEST_PATH = REPO_ROOT / "models" / "manifest.json"
DIST_DIR = REPO_ROOT / "models" / "dist"


class ModelMissing(Exception):
    """A converted model file is not there: setup has not run."""


def session(path: Path, threads: int = 0):
    import onnxruntime as ort

    if not path.is_file():
        raise ModelMissing(f"{path} is missing: run scripts/setup to convert the models")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class Parser:
    """The parsing model: an RGB picture at the model's input size in, uint8 class ids out."""

    def __init__(self, manifest: dict, threads: int = 0):
        self.spec = ModelSpec.from_manifest(manifest)
        onnx = manifest["onnx"]
        self.session = session(DIST_DIR / onnx["dir"] / onnx["model"], threads)
        self.input_name = onnx["input"]
        self.labels_name = onnx["labels_output"]

    def labels(self, rgb: np.ndarray) -> np.ndarray:
        """uint8 [H,W] class ids for a picture already at the model's input shape."""
        batch = pipeline.preprocess(rgb, rgb.shape[0], rgb.shape[1], self.spec.scale, self.spec.offset)[None]
        return self.session.run([self.labels_name], {self.input_name: batch})[0]


class Detector:
    """The face detector: faces in frame pixels, as faces.find_faces gives them."""

    def __init__(self, manifest: dict, threads: int = 0):
        self.spec = DetectorSpec.from_manifest(manifest)
        detector = manifest["detector"]
        self.session = session(DIST_DIR / detector["dir"] / "onnx" / detector["onnx"]["model"], threads)
        self.input_name = detector["input"]["name"]
        self.outputs = [detector["outputs"]["regressors"], detector["outputs"]["scores"]]

    def run(self, rgb: np.ndarray, view: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The detector's raw output for one view (frame -> input matrix) of the frame."""
        pixels = geometry.warp(rgb, view, self.spec.size, self.spec.size)
        batch = (pixels.astype(np.float32) * np.float32(self.spec.scale) + np.float32(self.spec.offset))[None]
        regressors, scores = self.session.run(self.outputs, {self.input_name: batch})
        return regressors, scores

    def find(self, rgb: np.ndarray) -> list[dict]:
        """Tries each view (faces.views) until one finds a face."""
        for view in faces.views(rgb.shape[0], rgb.shape[1], self.spec):
            found = faces.find_faces(*self.run(rgb, view), view, self.spec)
            if found:
                return found
        return []

    def refine(self, rgb: np.ndarray, face: dict) -> dict:
        view = faces.refine_view(face, self.spec)
        return faces.refine(face, *self.run(rgb, view), view, self.spec)


@dataclass
class FrameParse:
    """A parsed frame: labels at the frame's size, the faces parsed (largest first) with their
    crop poses and per-class pixel counts, and how many faces were left out."""

    labels: np.ndarray
    faces: list[dict] = field(default_factory=list)
    left_out: int = 0

    @property
    def whole_frame(self) -> bool:
        return not self.faces


class FrameParser:
    """Detect, align, parse, paste back: one frame in, one FrameParse out."""

    def __init__(self, manifest_path: Path = MANIFEST_PATH, find_faces: bool = True, threads: int = 0):
        manifest = json.loads(Path(manifest_path).read_text())
        self.parser = Parser(manifest, threads)
        self.spec = self.parser.spec
        self.detector = Detector(manifest, threads) if find_faces else None
        self.alignment = AlignmentSpec.from_manifest(manifest)

    def parse(self, rgb: np.ndarray, size: int, max_faces: int | None = None) -> FrameParse:
        height, width = rgb.shape[:2]
        found = self.detector.find(rgb) if self.detector else []
        kept, left_out = faces.largest(found, max_faces or self.detector.spec.default_max_faces) if found else ([], 0)
        kept = [self.detector.refine(rgb, face) for face in kept]
        parses, parsed_faces = [], []
        for face in kept:
            pose = align.crop_pose(face["keypoints"], self.alignment)
            matrix = align.crop_matrix(pose, size, self.alignment.margin(size))
            parses.append((self.parser.labels(geometry.warp(rgb, matrix, size, size)), matrix))
            parsed_faces.append({**face, "pose": [round(float(v), 3) for v in pose]})
        if not parses:
            input_height, input_width = self.spec.input_shape(height, width, size)
            resized = pipeline.resize_rgb(pipeline.to_rgb(rgb), input_height, input_width)
            parses.append((self.parser.labels(resized), align.whole_frame_matrix(height, width, input_height, input_width)))
        labels, counts = compose.compose(height, width, parses, len(self.spec.class_names))
        for face, count in zip(parsed_faces, counts):
            face["classes"] = pipeline.areas_from_counts(count, list(self.spec.class_names))
        return FrameParse(labels, parsed_faces, left_out)
