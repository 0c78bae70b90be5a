"""The frame path natively, with ONNX Runtime: detect the faces, crop each onto the training
framing, parse the crops, paste the parses back. The same geometry as the page (faces, align,
compose); only the models and the pixel warps run here instead of in the browser.

The models come from the package itself when it is installed from its wheel (faceparts/models/,
scripts/wheel.py puts them there), else from the checkout's models/ (scripts/setup builds them).
Each file is checked against the sha256 its build recorded before it is used.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import align, compose, faces, person, pipeline, sampling, steady, tracking
from .model_manifest import AlignmentSpec, DetectorSpec, ModelSpec, PersonSpec

PACKAGED_MODELS = Path(__file__).resolve().parent / "models"
INSTALLED = (PACKAGED_MODELS / "manifest.json").is_file()
CHECKOUT_MODELS = Path(__file__).resolve().parents[3] / "models"
MANIFEST_PATH = PACKAGED_MODELS / "manifest.json" if INSTALLED else CHECKOUT_MODELS / "manifest.json"
DIST_DIR = PACKAGED_MODELS if INSTALLED else CHECKOUT_MODELS / "dist"
FIX = "reinstall faceparts" if INSTALLED else "run scripts/setup to convert the models"


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. under taskset or a container's limit)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def threads_per_worker(workers: int) -> int:
    """ONNX Runtime threads for each of `workers` processes, so that together they use every core once."""
    return max(1, usable_cores() // workers)


class ModelMissing(Exception):
    """A converted model file is missing or damaged: setup has not run, or the install is broken."""


def verified_bytes(model_dir: Path, record: str, name: str) -> bytes:
    """A converted model's file (name, relative to model_dir), checked against the sha256 in the
    record its build wrote beside it."""
    path, record_path = model_dir / name, model_dir / record
    if not path.is_file() or not record_path.is_file():
        raise ModelMissing(f"{path if not path.is_file() else record_path} is missing: {FIX}")
    data = path.read_bytes()
    expected = json.loads(record_path.read_text())["files"].get(name, {}).get("sha256")
    if hashlib.sha256(data).hexdigest() != expected:
        raise ModelMissing(f"{path} is damaged (its sha256 differs from {record_path.name}'s): {FIX}")
    return data


def session(model: bytes, threads: int = 0):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def parser_model(manifest: dict, precision: str) -> bytes:
    """The converted parser for a precision: 'fp32' (model.onnx) or 'int8' (its quantised copy)."""
    onnx = manifest["onnx"]
    model = onnx["int8"] if precision == "int8" else onnx
    return verified_bytes(DIST_DIR / model["dir"], model["record"], model["model"])


def precision_for(manifest: dict, precision: str, height: int, width: int) -> str:
    """The precision an input of this shape runs in: int8 only up to the largest size it was
    checked at (the manifest's int8 sizes), float32 beyond; as the browser's ORT engine does."""
    int8_sizes = manifest["onnx"]["int8"]["sizes"]
    return "int8" if precision == "int8" and max(height, width) <= max(int8_sizes) else "fp32"


class Parser:
    """The parsing model: an RGB picture at the model's input size in, uint8 class ids out.
    precision 'int8' (the default) or 'fp32'; each model file is loaded when first needed."""

    def __init__(self, manifest: dict, threads: int = 0, precision: str | None = None):
        self.spec = ModelSpec.from_manifest(manifest)
        self.manifest, self.threads = manifest, threads
        self.precision = precision or manifest["default_precision"]
        if self.precision not in manifest["precisions"]:
            raise ValueError(f"precision must be one of {', '.join(manifest['precisions'])}, got {self.precision!r}")
        self.sessions: dict[str, object] = {}
        # Load the usual model now: a missing file is reported before any image is read.
        self.session_for(self.precision)
        onnx = manifest["onnx"]
        self.input_name = onnx["input"]
        self.labels_name = onnx["labels_output"]

    def session_for(self, precision: str):
        if precision not in self.sessions:
            self.sessions[precision] = session(parser_model(self.manifest, precision), self.threads)
        return self.sessions[precision]

    def labels(self, rgb: np.ndarray) -> np.ndarray:
        """uint8 [H,W] class ids for a picture already at the model's input shape."""
        height, width = rgb.shape[:2]
        batch = pipeline.preprocess(rgb, height, width, self.spec.scale, self.spec.offset)[None]
        model = self.session_for(precision_for(self.manifest, self.precision, height, width))
        return model.run([self.labels_name], {self.input_name: batch})[0]


class Detector:
    """The face detector: faces in frame pixels, as faces.find_faces gives them."""

    def __init__(self, manifest: dict, threads: int = 0):
        self.spec = DetectorSpec.from_manifest(manifest)
        detector = manifest["detector"]
        self.session = session(verified_bytes(DIST_DIR / detector["dir"], detector["record"], f"onnx/{detector['onnx']['model']}"), threads)
        self.input_name = detector["input"]["name"]
        self.outputs = [detector["outputs"]["regressors"], detector["outputs"]["scores"]]

    def run(self, rgb: np.ndarray, view: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The detector's raw output for one view (frame -> input matrix) of the frame."""
        pixels = sampling.model_view(rgb, "detector", view, self.spec.size, self.spec.size)
        batch = (pixels.astype(np.float32) * np.float32(self.spec.scale) + np.float32(self.spec.offset))[None]
        regressors, scores = self.session.run(self.outputs, {self.input_name: batch})
        return regressors, scores

    def find(self, rgb: np.ndarray) -> tuple[list[dict], np.ndarray]:
        """Tries each view (faces.views) until one finds a face. -> (faces, the last view tried)."""
        for view in faces.views(rgb.shape[0], rgb.shape[1], self.spec):
            found = faces.find_faces(*self.run(rgb, view), view, self.spec)
            if found:
                break
        return found, view

    def refine(self, rgb: np.ndarray, face: dict) -> dict:
        view = faces.refine_view(face, self.spec)
        return faces.refine(face, *self.run(rgb, view), view, self.spec)


class PersonMask:
    """The person mask: where a person is in a frame, as bool [H, W]."""

    def __init__(self, manifest: dict, threads: int = 0):
        self.spec = PersonSpec.from_manifest(manifest)
        model = manifest["person"]
        self.session = session(verified_bytes(DIST_DIR / model["dir"], model["record"], f"onnx/{model['onnx']['model']}"), threads)
        self.input_name, self.output_name = model["input"]["name"], model["output"]

    def probabilities(self, rgb: np.ndarray, matrix: np.ndarray) -> np.ndarray:
        """uint8 [h, w] person probabilities (0-255) in the model's input, as the page's engines give them."""
        pixels = sampling.model_view(rgb, "person", matrix, self.spec.height, self.spec.width)
        batch = (pixels.astype(np.float32) * np.float32(self.spec.scale) + np.float32(self.spec.offset))[None]
        mask = self.session.run([self.output_name], {self.input_name: batch})[0][0, :, :, 0]
        return np.round(mask * 255).astype(np.uint8)

    def mask(self, rgb: np.ndarray) -> np.ndarray:
        height, width = rgb.shape[:2]
        matrix = person.view(height, width, self.spec)
        return person.frame_mask(self.probabilities(rgb, matrix), height, width, self.spec)


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

    def __init__(self, manifest_path: Path = MANIFEST_PATH, find_faces: bool = True, threads: int = 0,
                 precision: str | None = None):
        manifest = json.loads(Path(manifest_path).read_text())
        self.parser = Parser(manifest, threads, precision)
        self.spec = self.parser.spec
        self.detector = Detector(manifest, threads) if find_faces else None
        self.person = PersonMask(manifest, threads)
        self.alignment = AlignmentSpec.from_manifest(manifest)

    def parse(self, rgb: np.ndarray, size: int, max_faces: int | None = None) -> FrameParse:
        """A photo: its faces' crops at `size`, over the whole photo parsed at `size` too."""
        kept, left_out = self.find_faces(rgb, max_faces)
        poses = [align.crop_pose(face["keypoints"], self.alignment) for face in kept]
        return self.compose(rgb, self.parse_crops(rgb, size, poses), kept, poses, left_out)

    def find_faces(self, rgb: np.ndarray, max_faces: int | None = None, tracks: list[dict] | None = None
                   ) -> tuple[list[dict], int]:
        """The largest faces and how many were left out. Each gets a second, closer look unless
        it continues one of `tracks` (video) and was seen large enough (faces.needs_closer_look);
        tracks None (a photo): every face is new."""
        if not self.detector:
            return [], 0
        found, view = self.detector.find(rgb)
        kept, left_out = faces.largest(found, max_faces or self.detector.spec.default_max_faces) if found else ([], 0)
        tracked = [tracks is not None and tracking.is_tracked(face, tracks, self.alignment) for face in kept]
        return [self.detector.refine(rgb, face) if faces.needs_closer_look(face, view, self.detector.spec, known) else face
                for face, known in zip(kept, tracked)], left_out

    def parse_crops(self, rgb: np.ndarray, size: int, poses, context_size: int | None = None
                    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(labels, frame -> labels matrix)]: each pose's crop parsed, then the whole frame (at
        context_size, default size), as align.crop_plans plans them."""
        height, width = rgb.shape[:2]
        parses = []
        for matrix, input_height, input_width, whole in align.crop_plans(poses, height, width, size, self.spec, self.alignment,
                                                                         context_size):
            picture = sampling.model_view(rgb, "context" if whole else "crop", matrix, input_height, input_width)
            parses.append((self.parser.labels(picture), matrix))
        return parses

    def compose(self, rgb: np.ndarray, parses, kept: list[dict], poses, left_out: int,
                person_mask: np.ndarray | None = None) -> FrameParse:
        """parses: parse_crops's, the crops then the whole frame; the person's body added
        (person_mask: bool [H, W], else the person mask's model looks at rgb)."""
        height, width = rgb.shape[:2]
        labels, counts = compose.compose(height, width, parses[:-1], len(self.spec.class_names), context=parses[-1],
                                         person=self.person.mask(rgb) if person_mask is None else person_mask, body_id=self.person.spec.body_id,
                                         garment_id=self.person.spec.garment_id, beyond_face=self.person.spec.beyond_face)
        parsed_faces = [{**face, "pose": [round(float(v), 3) for v in pose]} for face, pose in zip(kept, poses)]
        for face, count in zip(parsed_faces, counts):
            face["classes"] = pipeline.areas_from_counts(count, list(self.spec.class_names))
        return FrameParse(labels, parsed_faces, left_out)


class VideoParser:
    """A clip, frame by frame, as the page parses the camera: faces tracked from frame to frame
    (a still head keeps a still crop), the whole frame parsed under them at the context's video
    size, and with steady=True each parse's labels steadied."""

    def __init__(self, frame_parser: FrameParser, size: int, max_faces: int | None = None, steady: bool = True):
        self.frame_parser, self.size, self.max_faces, self.steady = frame_parser, size, max_faces, steady
        self.tracks: list[dict] = []
        self.states: list[dict | None] = []
        self.person_state: dict | None = None

    def parse(self, rgb: np.ndarray) -> FrameParse:
        parser = self.frame_parser
        kept, left_out = parser.find_faces(rgb, self.max_faces, self.tracks)
        self.tracks = tracking.update(self.tracks, kept, parser.alignment)
        poses = [track["pose"] for track in self.tracks]
        parses = parser.parse_crops(rgb, self.size, poses, parser.person.spec.context_video_size)
        if self.steady:
            previous = self.states if len(self.states) == len(parses) else [None] * len(parses)
            steadied = [steady.steady(labels, matrix, state) for (labels, matrix), state in zip(parses, previous)]
            parses = [(labels, matrix) for (labels, _), (_, matrix) in zip(steadied, parses)]
            self.states = [state for _, state in steadied]
        return parser.compose(rgb, parses, [track["face"] for track in self.tracks], poses, left_out, self.person_mask(rgb))

    def person_mask(self, rgb: np.ndarray) -> np.ndarray:
        """The person's pixels, steadied as the labels are."""
        masker, (height, width) = self.frame_parser.person, rgb.shape[:2]
        matrix = person.view(height, width, masker.spec)
        probabilities = masker.probabilities(rgb, matrix)
        if self.steady:
            probabilities, self.person_state = person.steady_mask(probabilities, matrix, self.person_state, masker.spec)
        return person.frame_mask(probabilities, height, width, masker.spec)
