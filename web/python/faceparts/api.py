"""faceparts in Python: parse the faces in pictures from a notebook or a pipeline, natively.

    from faceparts import FaceParser

    parser = FaceParser(size=448)              # the models are loaded once, here
    result = parser.parse("photo.jpg")         # a path, a PIL image or an RGB uint8 numpy array
    result.labels                              # uint8 [H, W] class ids at the picture's own size
    lips = result.mask(["u_lip", "l_lip"])     # bool [H, W]
    result.areas()["hair"]["fraction"]
    result.faces[0].box, result.faces[0].areas["skin"]["pixels"]
    picture = result.overlay(0.6)              # RGB [H, W, 3]: the parse over the picture

    for frame in parser.parse_video("clip.mp4"):   # every frame, streamed, as the page parses a camera
        frame.time, frame.labels, frame.faces    # faces tracked from frame to frame, labels steadied

Each face is found, cropped onto the framing the model was trained on, parsed and pasted back
(native.FrameParser, the page's own geometry); `whole_frame=True` parses the whole picture at
once. The command line (cli.py, batch.py, jobs.py) runs on this class.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence, Union

import numpy as np
from PIL import Image

from . import pipeline
from .images import ImageError, load_rgb
from .native import MANIFEST_PATH, FrameParser, VideoParser, threads_per_worker

ImageInput = Union[str, os.PathLike, Image.Image, np.ndarray]

# Pillow modes that are pictures: converted to RGB (alpha dropped, as the model sees opaque photos).
PICTURE_MODES = {"1", "L", "LA", "P", "PA", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr"}


@dataclass(frozen=True)
class Face:
    """One parsed face, in the picture's pixels: its detector box [x0, y0, x1, y1] and score, six
    keypoints (the subject's right eye, left eye, nose tip, mouth, right ear, left ear), its crop
    [centre x, centre y, side, angle] and its per-class areas in the result."""

    box: tuple[float, float, float, float]
    score: float
    keypoints: tuple[tuple[float, float], ...]
    crop: tuple[float, float, float, float]
    areas: dict[str, dict[str, float]]

    @classmethod
    def from_parse(cls, face: dict) -> "Face":
        return cls(box=tuple(face["box"]), score=face["score"], keypoints=tuple(tuple(point) for point in face["keypoints"]),
                   crop=tuple(face["pose"]), areas=face["classes"])

    def as_dict(self) -> dict:
        """As the CLI's areas JSON and the page's export list it."""
        return {"box": list(self.box), "score": self.score, "keypoints": [list(point) for point in self.keypoints],
                "pose": list(self.crop), "classes": self.areas}


@dataclass(frozen=True)
class ParseResult:
    """A parsed picture: `labels` (uint8 [H, W] class ids, `class_names[id]` names each), the faces
    parsed (largest first; empty when none was found and the whole picture was parsed), and how
    many faces were found beyond the parser's max_faces."""

    labels: np.ndarray
    faces: list[Face]
    class_names: tuple[str, ...]
    image: np.ndarray  # the RGB picture parsed, uint8 [H, W, 3]
    palette: np.ndarray  # uint8 [256, 3], the class colours
    left_out: int = 0
    size: int = 448
    precision: str = "int8"
    time: float | None = None  # a video's frame: its time in seconds; None for a picture

    @property
    def whole_frame(self) -> bool:
        """True when no face was parsed and the labels are the whole picture's parse."""
        return not self.faces

    def colorize(self) -> np.ndarray:
        """uint8 RGB [H, W, 3]: each pixel in its class's colour (background black)."""
        return self.palette[self.labels]

    def overlay(self, opacity: float = 0.6) -> np.ndarray:
        """uint8 RGB [H, W, 3]: the class colours over the picture, at `opacity` (0..1); the
        background is left as it is."""
        if not 0 <= opacity <= 1:
            raise ValueError(f"opacity must lie in 0..1, got {opacity}")
        colors = pipeline.colorize(self.labels, self.palette)
        # In whole numbers: alpha in 0..256, where the background's is 0.
        alpha = (colors[..., 3:4] > 0) * np.uint16(round(opacity * 256))
        return ((self.image * (256 - alpha) + colors[..., :3] * alpha) >> 8).astype(np.uint8)

    def mask(self, parts: str | Iterable[str]) -> np.ndarray:
        """bool [H, W]: the pixels of the named parts, e.g. ["u_lip", "l_lip"]."""
        names = [parts] if isinstance(parts, str) else list(parts)
        unknown = [name for name in names if name not in self.class_names]
        if unknown:
            raise ValueError(f"unknown part(s) {', '.join(map(repr, unknown))}; the parts are {', '.join(self.class_names)}")
        return np.isin(self.labels, [self.class_names.index(name) for name in names])

    def areas(self) -> dict[str, dict[str, float]]:
        """{class: {"pixels", "fraction"}} over the whole picture, every class (zeros included)."""
        return pipeline.class_areas(self.labels, list(self.class_names))


def to_rgb(image: ImageInput) -> np.ndarray:
    """A path, a PIL image or a uint8 RGB array [H, W, 3] -> uint8 RGB [H, W, 3]; anything else
    is a ValueError that says what to pass instead (a missing file: FileNotFoundError)."""
    if isinstance(image, (str, os.PathLike)):
        path = Path(image)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file")
        try:
            return load_rgb(path)
        except ImageError as error:
            raise ValueError(str(error)) from None
    if isinstance(image, Image.Image):
        if image.mode not in PICTURE_MODES:
            raise ValueError(f"a PIL image in mode {image.mode!r} is not a picture faceparts reads: "
                             f"convert it first, e.g. image.convert('RGB')")
        return checked(np.asarray(image.convert("RGB")))
    if isinstance(image, np.ndarray):
        if image.dtype != np.uint8:
            raise ValueError(f"a numpy picture must be uint8 (0-255), got {image.dtype}: "
                             "e.g. (array * 255).clip(0, 255).astype(np.uint8) for floats in 0..1")
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"a numpy picture must be RGB, shape [height, width, 3], got {list(image.shape)}: "
                             "e.g. np.stack([grey] * 3, axis=-1) for a grey one, array[..., :3] to drop alpha")
        return checked(image)
    raise ValueError(f"cannot parse a {type(image).__name__}: pass a path, a PIL image or a uint8 RGB numpy array")


def checked(rgb: np.ndarray) -> np.ndarray:
    if rgb.shape[0] < 2 or rgb.shape[1] < 2:
        raise ValueError(f"the picture is too small to parse ({rgb.shape[1]}x{rgb.shape[0]} pixels)")
    return np.ascontiguousarray(rgb)


class FaceParser:
    """The face parser with its models loaded once.

    size: the side of each face's crop (or, parsing the whole picture, its longer side): one of
    the model's sizes (288, 448, 1024). max_faces: at most this many faces are parsed, the largest.
    whole_frame: parse the whole picture at once instead of finding faces. precision: 'int8' (its
    quantised copy, faster on a CPU) or 'fp32'. threads: ONNX Runtime's threads (0: its default).
    """

    def __init__(self, size: int = 448, max_faces: int = 4, whole_frame: bool = False, precision: str | None = None,
                 threads: int = 0, manifest_path: str | os.PathLike = MANIFEST_PATH):
        manifest = json.loads(Path(manifest_path).read_text())
        faces = manifest["detector"]["faces"]
        if size not in manifest["sizes"]:
            raise ValueError(f"size must be one of {', '.join(map(str, manifest['sizes']))}, got {size!r}")
        if not isinstance(max_faces, int) or not 1 <= max_faces <= faces["max"]:
            raise ValueError(f"max_faces must be a whole number from 1 to {faces['max']}, got {max_faces!r}")
        precision = precision or manifest["default_precision"]
        if precision not in manifest["precisions"]:
            raise ValueError(f"precision must be one of {', '.join(manifest['precisions'])}, got {precision!r}")
        self.size, self.max_faces, self.whole_frame, self.precision = size, max_faces, whole_frame, precision
        self.threads, self.manifest_path = threads, str(manifest_path)
        self.frame_parser = FrameParser(Path(manifest_path), find_faces=not whole_frame, threads=threads, precision=precision)
        self.class_names = self.frame_parser.spec.class_names

    def parse(self, image: ImageInput) -> ParseResult:
        """One picture -> its ParseResult, labels at the picture's own size."""
        rgb = to_rgb(image)
        return self._result(rgb, self.frame_parser.parse(rgb, self.size, self.max_faces))

    def parse_video(self, video: str | os.PathLike, steady: bool = True) -> Iterator[ParseResult]:
        """Every frame of a video file, in order, parsed as the page parses a camera: faces tracked
        from frame to frame (a still head keeps a still crop), the whole frame parsed under them,
        and with steady=True each parse steadied (a pixel changes class once the model says so two
        frames running). Streamed: one frame is held at a time. Each result's `time` is its
        frame's, in seconds. A file that is not a video, or that breaks off: videos.VideoError."""
        from .videos import frames, probe

        probe(Path(video))
        video_parser = VideoParser(self.frame_parser, self.size, self.max_faces, steady=steady)
        for rgb, time in frames(Path(video)):
            yield self._result(rgb, video_parser.parse(rgb), time)

    def _result(self, rgb: np.ndarray, parsed, time: float | None = None) -> ParseResult:
        return ParseResult(labels=parsed.labels, faces=[Face.from_parse(face) for face in parsed.faces],
                           class_names=self.class_names, image=rgb, palette=self.frame_parser.spec.palette,
                           left_out=parsed.left_out, size=self.size, precision=self.precision, time=time)

    def parse_many(self, images: Sequence[ImageInput], workers: int = 1) -> list[ParseResult]:
        """Many pictures -> their ParseResults, in the same order. workers > 1 parses in that many
        processes (each loads the models once), with ONNX Runtime's threads shared out so that
        together they use each core once."""
        images = list(images)
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        workers = min(workers, len(images))
        if workers <= 1:
            return [self.parse(image) for image in images]
        import multiprocessing

        settings = {"size": self.size, "max_faces": self.max_faces, "whole_frame": self.whole_frame,
                    "precision": self.precision, "threads": threads_per_worker(workers), "manifest_path": self.manifest_path}
        # Spawned, not forked: ONNX Runtime's threads do not survive a fork.
        with multiprocessing.get_context("spawn").Pool(workers, initializer=_start_worker, initargs=(settings,)) as pool:
            return pool.map(_parse_in_worker, images, chunksize=1)


_worker: FaceParser | None = None


def _start_worker(settings: dict) -> None:
    global _worker
    _worker = FaceParser(**settings)


def _parse_in_worker(image: ImageInput) -> ParseResult:
    return _worker.parse(image)
