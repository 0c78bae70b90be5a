"""Parsing many images: in one process, on all local cores, or on a Ray cluster; resumable, with
progress. Native only (the CLI): each worker loads the models once and writes its outputs
itself, atomically, so a run's memory stays flat however many images it parses, and a run that
is stopped leaves complete outputs only and goes on where it stopped.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from . import export, metrics
from .api import FaceParser
from .images import ImageError, load_rgb
from .native import ModelMissing, threads_per_worker

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
OUTPUTS = ("labels.png", "overlay.png", "areas.json")
PARTIAL = ".partial"


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


@dataclass
class Summary:
    images: int = 0
    done_before: int = 0
    faces: int = 0
    whole_pictures: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    confusion: np.ndarray | None = None

    def add(self, result: dict) -> None:
        self.images += 1
        if result.get("error"):
            self.failures.append(result["error"])
            return
        self.faces += result["faces"]
        self.whole_pictures += result["whole"]
        if result.get("confusion") is not None:
            matrix = np.asarray(result["confusion"], dtype=np.int64)
            self.confusion = matrix if self.confusion is None else self.confusion + matrix


# ---- which images, and where their outputs go ----------------------------------------------------

def find_images(paths: list[Path]) -> list[tuple[Path, Path]]:
    """(image, its output stem relative to the output folder) for every image under the paths;
    folders keep their layout below the folder given, so equal names in different folders stay
    apart."""
    found = []
    for path in paths:
        if path.is_dir():
            images = sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
            found.extend((image, image.relative_to(path).with_suffix("")) for image in images)
        else:
            found.append((path, Path(path.stem)))
    stems: dict[Path, int] = {}
    for _, stem in found:
        stems[stem] = stems.get(stem, 0) + 1
    # photo.jpg beside photo.png: each output keeps its own suffix in its name.
    return [(image, stem.with_name(image.name) if stems[stem] > 1 else stem) for image, stem in found]


def output_paths(out: Path, stem: Path) -> list[Path]:
    return [out / f"{stem}.{suffix}" for suffix in OUTPUTS]


def is_done(out: Path, stem: Path) -> bool:
    """Every output is written (each appears at once, whole: write_atomically)."""
    return all(path.is_file() for path in output_paths(out, stem))


def write_atomically(path: Path, data: bytes) -> None:
    """A file appears whole or not at all: written beside, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}{PARTIAL}")
    partial.write_bytes(data)
    os.replace(partial, path)


def remove_partials(out: Path) -> int:
    """Files a stopped run was writing when it stopped; -> how many."""
    removed = 0
    for partial in out.rglob(f"*{PARTIAL}") if out.is_dir() else []:
        partial.unlink(missing_ok=True)
        removed += 1
    return removed


# ---- one image -----------------------------------------------------------------------------------

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
    """Parses one image and writes its outputs. -> a small result: what happened, never the pixels."""
    try:
        rgb = load_rgb(image)
    except ImageError as error:
        return {"image": str(image), "error": str(error)}
    parsed = parser.parse(rgb)
    names, out = list(parsed.class_names), Path(options.out)
    extra = {"source": str(image), "size": parsed.size, "precision": parsed.precision, "faces": [face.as_dict() for face in parsed.faces]}
    labels_path, overlay_path, areas_path = output_paths(out, stem)
    write_atomically(labels_path, export.export_parse("label-png", parsed.labels, parsed.palette, names, extra))
    write_atomically(areas_path, export.export_parse("areas-json", parsed.labels, parsed.palette, names, extra))
    # Written last: a stem with its overlay is complete.
    write_atomically(overlay_path, export.png_bytes(Image.fromarray(parsed.overlay(0.6))))
    return {"image": str(image), "faces": len(parsed.faces), "whole": parsed.whole_frame, "note": faces_note(image, parsed, options)}


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
    return {"image": str(image), "faces": len(parsed.faces), "whole": parsed.whole_frame, "confusion": matrix}


# ---- workers -------------------------------------------------------------------------------------

def make_parser(options: Options) -> FaceParser:
    try:
        return FaceParser(size=options.size, max_faces=options.max_faces, whole_frame=not options.find_faces,
                          precision=options.precision, threads=options.threads, manifest_path=options.manifest)
    except ModelMissing as error:
        raise BatchError(str(error)) from None


_worker: tuple[FaceParser, Options] | None = None


def _start_worker(options: Options) -> None:
    global _worker
    _worker = (make_parser(options), options)


def _run_in_worker(job: tuple[str, Path, Path]) -> dict:
    kind, first, second = job
    parser, options = _worker
    return parse_image(parser, first, second, options) if kind == "parse" else score_image(parser, first, second, options)


def run_local(jobs: list[tuple[str, Path, Path]], options: Options, workers: int):
    """Yields each job's result as it finishes: in this process, or in `workers` processes."""
    options = Options(**{**options.__dict__, "threads": threads_per_worker(workers)})
    if workers <= 1:
        parser = make_parser(options)
        for kind, first, second in jobs:
            yield parse_image(parser, first, second, options) if kind == "parse" else score_image(parser, first, second, options)
        return
    import multiprocessing

    # Spawned, not forked: ONNX Runtime's threads do not survive a fork.
    with multiprocessing.get_context("spawn").Pool(workers, initializer=_start_worker, initargs=(options,)) as pool:
        yield from pool.imap_unordered(_run_in_worker, jobs, chunksize=1)


def run_ray(jobs: list[tuple[str, Path, Path]], options: Options, address: str, workers: int):
    """Yields each job's result as it finishes, from an actor pool on a Ray cluster (a local one
    for address 'auto'): each actor loads the models once; Ray restarts an actor that dies and
    runs its images again."""
    try:
        import ray
    except ImportError:
        raise BatchError("--ray needs Ray: pip install 'faceparts[ray]' (or .venv/bin/pip install -e '.[ray]')") from None
    from .ray_parser import parse_with_ray

    if not ray.is_initialized():
        if address == "auto":
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
    # Each actor holds one CPU: one ONNX Runtime thread each, or they fight over the cores.
    yield from parse_with_ray(jobs, Options(**{**options.__dict__, "threads": 1}), workers)


# ---- the whole batch -------------------------------------------------------------------------------

def run(jobs: list[tuple[str, Path, Path]], options: Options, workers: int, ray_address: str | None, summary: Summary,
        progress_label: str):
    """Runs the jobs with a progress bar (count, rate, ETA) on stderr; notes and failures are
    printed as they come. Fills `summary`."""
    from tqdm import tqdm

    results = run_ray(jobs, options, ray_address, workers) if ray_address else run_local(jobs, options, workers)
    started = time.perf_counter()
    with tqdm(total=len(jobs), desc=progress_label, unit="image", file=sys.stderr, dynamic_ncols=True,
              mininterval=0.5, disable=None if sys.stderr.isatty() else False) as bar:
        for result in results:
            summary.add(result)
            message = result.get("error") and f"skipped {result['error']}" or result.get("note")
            if message:
                bar.write(f"faceparts: {message}", file=sys.stderr)
            bar.set_postfix(faces=summary.faces, failed=len(summary.failures), refresh=False)
            bar.update()
    summary.seconds = time.perf_counter() - started


def summary_line(summary: Summary, what: str) -> str:
    rate = summary.images / summary.seconds if summary.seconds else 0.0
    count = lambda n, thing: f"{n} {thing}{'' if n == 1 else 's'}"  # noqa: E731
    done = f" ({summary.done_before} done before: skipped)" if summary.done_before else ""
    parts = [f"{what} {summary.images - len(summary.failures)} of {count(summary.images, 'image')}{done}",
             count(summary.faces, "face"),
             f"{summary.whole_pictures} parsed whole (no face found)" if summary.whole_pictures else None,
             f"{len(summary.failures)} failed", f"{rate:.2f} images/s"]
    return ", ".join(part for part in parts if part)


def write_json(path: Path, document: dict) -> None:
    write_atomically(path, (json.dumps(document, indent=2) + "\n").encode())
