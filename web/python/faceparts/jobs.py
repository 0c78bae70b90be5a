"""What is done to one input of a batch: an image parsed, an image scored, a video parsed. Each job
writes its own outputs, each file whole or not at all, and returns a small result (what happened,
never the pixels). The local runner (batch.py) and the Ray runner (ray_parser.py) both run these.

A job is (kind, input, second): ("parse", image, output stem), ("video", video, output stem),
("eval", image, label PNG).
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from . import export, metrics
from .api import FaceParser
from .images import ImageError, load_rgb
from .native import ModelMissing
from .videos import VIDEO_SUFFIXES, VideoError, VideoWriter, probe

# Per image; per video: every frame's labels (palette PNGs in a zip), its areas and faces (JSON
# Lines, one frame a line), and the parse over the video. The overlay is written last: a stem
# with its overlay is complete.
OUTPUTS = ("labels.png", "areas.json", "overlay.png")
VIDEO_OUTPUTS = ("labels.zip", "frames.jsonl", "overlay.mp4")
PARTIAL = ".partial"
OVERLAY_OPACITY = 0.6
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# A video whose decodable frames fall short of this share of the count it declares breaks off.
TRUNCATED = 0.98

Job = tuple[str, Path, Path]
Progress = Callable[[int], None]  # told of each frame parsed


class BatchError(Exception):
    """A problem the user can fix; the CLI prints it without a traceback."""


@dataclass(frozen=True)
class Options:
    """What every worker needs to parse: sent to each once."""

    size: int
    find_faces: bool
    max_faces: int
    manifest: str
    out: str = ""  # parse: the output folder
    threads: int = 0  # ONNX Runtime threads per worker; 0: its default
    precision: str | None = None  # the parser's: 'int8' or 'fp32'; None: the manifest's default


def make_parser(options: Options) -> FaceParser:
    try:
        return FaceParser(size=options.size, max_faces=options.max_faces, whole_frame=not options.find_faces,
                          precision=options.precision, threads=options.threads, manifest_path=options.manifest)
    except ModelMissing as error:
        raise BatchError(str(error)) from None


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES


def output_paths(out: Path, stem: Path, video: bool = False) -> list[Path]:
    return [out / f"{stem}.{suffix}" for suffix in (VIDEO_OUTPUTS if video else OUTPUTS)]


def partial_path(path: Path) -> Path:
    """Where `path` is written before it is complete (this process's own name)."""
    return path.with_name(f"{path.name}.{os.getpid()}{PARTIAL}")


def write_atomically(path: Path, data: bytes) -> None:
    """A file appears whole or not at all: written beside, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(path)
    partial.write_bytes(data)
    os.replace(partial, path)


def run_job(parser: FaceParser, job: Job, options: Options, progress: Progress = lambda frames: None) -> dict:
    kind, first, second = job
    if kind == "eval":
        return score_image(parser, first, second, options)
    if kind == "video":
        return parse_video(parser, first, second, options, progress)
    result = parse_image(parser, first, second, options)
    progress(1)
    return result


# ---- an image ------------------------------------------------------------------------------------

def faces_note(path: Path, parsed, options: Options) -> str | None:
    """What the user should know about the faces in one image, or None."""
    if not options.find_faces:
        return None
    if parsed.whole_frame:
        return f"{path}: no face found (faces below about 6 % of the picture's width are missed): parsed the whole picture"
    if parsed.left_out:
        return (f"{path}: {len(parsed.faces) + parsed.left_out} faces found: parsed the {len(parsed.faces)} largest "
                f"(--max-faces {options.max_faces})")
    return None


def parse_image(parser: FaceParser, image: Path, stem: Path, options: Options) -> dict:
    """Parses one image and writes its outputs."""
    try:
        rgb = load_rgb(image)
    except ImageError as error:
        return {"image": str(image), "error": str(error)}
    parsed = parser.parse(rgb)
    names, out = list(parsed.class_names), Path(options.out)
    extra = {"source": str(image), "size": parsed.size, "precision": parsed.precision, "faces": [face.as_dict() for face in parsed.faces]}
    labels_path, areas_path, overlay_path = output_paths(out, stem)
    write_atomically(labels_path, export.export_parse("label-png", parsed.labels, parsed.palette, names, extra))
    write_atomically(areas_path, export.export_parse("areas-json", parsed.labels, parsed.palette, names, extra))
    write_atomically(overlay_path, export.png_bytes(Image.fromarray(parsed.overlay(OVERLAY_OPACITY))))
    return {"image": str(image), "faces": len(parsed.faces), "whole": parsed.whole_frame, "frames": 1,
            "note": faces_note(image, parsed, options)}


def score_image(parser: FaceParser, image: Path, label: Path, options: Options) -> dict:
    """Parses one labelled image (its largest face: the parser's max_faces is 1) and counts
    agreement: a confusion matrix."""
    try:
        rgb = load_rgb(image)
        truth = np.asarray(Image.open(label))
    except (ImageError, OSError) as error:
        return {"image": str(image), "error": str(error)}
    parsed = parser.parse(rgb)
    prediction = parsed.labels
    if prediction.shape != truth.shape[:2]:
        prediction = np.asarray(Image.fromarray(prediction).resize(truth.shape[1::-1], Image.NEAREST))
    matrix = metrics.confusion(truth, prediction, len(parsed.class_names))
    return {"image": str(image), "faces": len(parsed.faces), "whole": parsed.whole_frame, "frames": 1, "confusion": matrix}


# ---- a video -------------------------------------------------------------------------------------

def parse_video(parser: FaceParser, video: Path, stem: Path, options: Options, progress: Progress) -> dict:
    """Parses every frame of one video, as the page parses a camera (faces tracked, the steady
    mask), and writes its outputs as it goes: the frames are streamed, never all held. A video that
    breaks off leaves no output at all."""
    try:
        info = probe(video)
    except VideoError as error:
        return {"image": str(video), "error": str(error)}
    finals = output_paths(Path(options.out), stem, video=True)
    partials = [partial_path(path) for path in finals]
    finals[0].parent.mkdir(parents=True, exist_ok=True)
    frames = most_faces = frames_without_face = 0
    writer, sound_dropped = None, False
    try:
        writer = VideoWriter(partials[2], info, audio_from=video if info.has_audio else None, named=f"{video} (its overlay)")
        with zipfile.ZipFile(partials[0], "w", zipfile.ZIP_STORED) as labels_zip, open(partials[1], "w") as lines:
            for result in parser.parse_video(video):
                # A fixed date: the same video gives the same bytes, run after run.
                labels_zip.writestr(zipfile.ZipInfo(f"{frames:06d}.png", date_time=ZIP_DATE),
                                    export.label_png(result.labels, result.palette))
                lines.write(json.dumps({"frame": frames, "time": round(result.time, 6), "width": int(result.labels.shape[1]),
                                        "height": int(result.labels.shape[0]),
                                        "faces": [face.as_dict() for face in result.faces],
                                        "classes": result.areas()}) + "\n")
                writer.write(result.overlay(OVERLAY_OPACITY), result.time)
                frames += 1
                most_faces = max(most_faces, len(result.faces))
                frames_without_face += not result.faces
                progress(1)
        if not frames:
            raise VideoError(f"{video}: no frame could be decoded")
        if frames < info.frames * TRUNCATED:
            raise VideoError(f"{video}: truncated or damaged: {frames} of the {info.frames} frames it declares could be decoded")
        sound_dropped = info.has_audio and not writer.has_audio
        writer.close()
        writer = None
        # The overlay last: a stem with its overlay is complete.
        for partial, final in zip(partials, finals):
            os.replace(partial, final)
    except VideoError as error:
        return {"image": str(video), "error": str(error), "frames": frames}
    finally:
        if writer is not None:
            writer.abort()
        for partial in partials:
            partial.unlink(missing_ok=True)
    return {"image": str(video), "faces": most_faces, "whole": options.find_faces and frames_without_face == frames,
            "frames": frames, "note": video_note(video, frames, frames_without_face, sound_dropped, options)}


def video_note(video: Path, frames: int, frames_without_face: int, sound_dropped: bool, options: Options) -> str | None:
    """What the user should know about one video, or None."""
    notes = ["its sound is in a codec MP4 cannot hold: the overlay video is silent"] if sound_dropped else []
    if options.find_faces and frames_without_face == frames:
        notes.append("no face found in any frame (faces below about 6 % of the frame's width are missed): parsed whole frames")
    elif options.find_faces and frames_without_face:
        notes.append(f"no face found in {frames_without_face} of {frames} frames: those were parsed whole")
    return f"{video}: {'; '.join(notes)}" if notes else None
