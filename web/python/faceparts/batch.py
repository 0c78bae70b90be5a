"""Parsing many images and videos: in one process, on all local cores, or on a Ray cluster;
resumable, with progress in frames (an image is one). Native only (the CLI): each worker loads the
models once and runs the jobs (jobs.py), which write their outputs themselves, whole or not at
all, so a run's memory stays flat however many inputs it parses, and a run that is stopped leaves
complete outputs only and goes on where it stopped.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .jobs import PARTIAL, BatchError, Job, Options, is_video, make_parser, output_paths, run_job, write_atomically
from .native import threads_per_worker
from .videos import VIDEO_SUFFIXES, VideoError, probe

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}


@dataclass
class Summary:
    images: int = 0
    videos: int = 0
    frames: int = 0
    done_before: int = 0
    faces: int = 0
    whole_pictures: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    confusion: np.ndarray | None = None

    def add(self, result: dict) -> None:
        if is_video(Path(result["image"])):
            self.videos += 1
        else:
            self.images += 1
        if result.get("error"):
            self.failures.append(result["error"])
            return
        self.frames += result.get("frames", 1)
        self.faces += result["faces"]
        self.whole_pictures += result["whole"]
        if result.get("confusion") is not None:
            matrix = np.asarray(result["confusion"], dtype=np.int64)
            self.confusion = matrix if self.confusion is None else self.confusion + matrix


# ---- which inputs, and where their outputs go ----------------------------------------------------

def find_inputs(paths: list[Path], suffixes=IMAGE_SUFFIXES | VIDEO_SUFFIXES) -> list[tuple[Path, Path]]:
    """(image or video, its output stem relative to the output folder) for every file with one of
    `suffixes` under the paths; folders keep their layout below the folder given, so equal names in
    different folders stay apart."""
    found = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in suffixes and p.is_file())
            found.extend((file, file.relative_to(path).with_suffix("")) for file in files)
        else:
            found.append((path, Path(path.stem)))
    stems: dict[Path, int] = {}
    for _, stem in found:
        stems[stem] = stems.get(stem, 0) + 1
    # photo.jpg beside photo.png: each output keeps its own suffix in its name.
    return [(file, stem.with_name(file.name) if stems[stem] > 1 else stem) for file, stem in found]


def find_images(paths: list[Path]) -> list[tuple[Path, Path]]:
    return find_inputs(paths, IMAGE_SUFFIXES)


def is_done(out: Path, stem: Path, video: bool = False) -> bool:
    """Every output is written (each appears at once, whole)."""
    return all(path.is_file() for path in output_paths(out, stem, video))


def remove_partials(out: Path) -> int:
    """Files that a stopped run, or a killed worker, was writing when it stopped; -> how many."""
    removed = 0
    for partial in out.rglob(f"*{PARTIAL}") if out.is_dir() else []:
        partial.unlink(missing_ok=True)
        removed += 1
    return removed


def frames_expected(jobs: list[Job]) -> int:
    """The progress bar's total: an image is one frame, a video as many as it declares."""
    total = 0
    for kind, first, _ in jobs:
        try:
            total += max(1, probe(first).frames) if kind == "video" else 1
        except VideoError:
            total += 1
    return total


# ---- workers -------------------------------------------------------------------------------------

_worker = None  # in a worker process: (parser, options, queue of (job key, frames parsed))


def _start_worker(options: Options, queue) -> None:
    global _worker
    _worker = (make_parser(options), options, queue)


def _run_in_worker(job: Job) -> dict:
    parser, options, queue = _worker
    return run_job(parser, job, options, lambda frames: queue.put((str(job[1]), frames)))


def run_local(jobs: list[Job], options: Options, workers: int, progress=lambda key, frames: None):
    """Yields each job's result as it finishes: in this process, or in `workers` processes;
    progress(job's input, frames) hears of each frame parsed, from any process."""
    options = Options(**{**options.__dict__, "threads": threads_per_worker(workers)})
    if workers <= 1:
        parser = make_parser(options)
        for job in jobs:
            yield run_job(parser, job, options, lambda frames, key=str(job[1]): progress(key, frames))
        return
    import multiprocessing

    # Spawned, not forked: ONNX Runtime's threads do not survive a fork.
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()

    def relay():
        for item in iter(queue.get, None):
            progress(*item)

    relaying = threading.Thread(target=relay, daemon=True)
    relaying.start()
    try:
        with context.Pool(workers, initializer=_start_worker, initargs=(options, queue)) as pool:
            yield from pool.imap_unordered(_run_in_worker, jobs, chunksize=1)
    finally:
        queue.put(None)
        relaying.join(timeout=10)


def run_ray(jobs: list[Job], options: Options, address: str, workers: int):
    """Yields each job's result as it finishes, from an actor pool on a Ray cluster (a local one
    for address 'auto'): each actor loads the models once; Ray restarts an actor that dies and
    runs its jobs again."""
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

class FrameCount:
    """The progress bar in frames: told of frames as the workers parse them, and of each job's
    own count when it finishes (Ray tells only then), from any thread."""

    def __init__(self, bar):
        self.bar, self.counted, self.finished, self.lock = bar, {}, set(), threading.Lock()

    def frames(self, key: str, count: int) -> None:
        with self.lock:
            if key not in self.finished:
                self.counted[key] = self.counted.get(key, 0) + count
                self.bar.update(count)

    def finish(self, key: str, frames: int) -> None:
        with self.lock:
            self.finished.add(key)
            rest = frames - self.counted.pop(key, 0)
            if rest > 0:
                self.bar.update(rest)


def run(jobs: list[Job], options: Options, workers: int, ray_address: str | None, summary: Summary, progress_label: str):
    """Runs the jobs with a progress bar (frames, rate, ETA) on stderr; notes and failures are
    printed as they come. Fills `summary`."""
    from tqdm import tqdm

    videos = any(kind == "video" for kind, _, _ in jobs)
    started = time.perf_counter()
    with tqdm(total=frames_expected(jobs) if videos else len(jobs), desc=progress_label, unit="frame" if videos else "image",
              file=sys.stderr, dynamic_ncols=True, mininterval=0.5, disable=None if sys.stderr.isatty() else False) as bar:
        count = FrameCount(bar)
        results = run_ray(jobs, options, ray_address, workers) if ray_address else run_local(jobs, options, workers, count.frames)
        for result in results:
            summary.add(result)
            count.finish(result["image"], result.get("frames", 1))
            message = result.get("error") and f"skipped {result['error']}" or result.get("note")
            if message:
                bar.write(f"faceparts: {message}", file=sys.stderr)
            bar.set_postfix(faces=summary.faces, failed=len(summary.failures), refresh=False)
        # Frames a video declared but did not hold, or that a failed one did not reach.
        bar.total = bar.n
        bar.refresh()
    summary.seconds = time.perf_counter() - started


def summary_line(summary: Summary, what: str) -> str:
    count = lambda n, thing: f"{n} {thing}{'' if n == 1 else 's'}"  # noqa: E731
    total = summary.images + summary.videos
    done = f" ({summary.done_before} done before: skipped)" if summary.done_before else ""
    if summary.images and summary.videos:
        things = f"{total} inputs ({count(summary.images, 'image')}, {count(summary.videos, 'video')})"
    else:
        things = count(summary.videos, "video") if summary.videos else count(summary.images, "image")
    parts = [f"{what} {total - len(summary.failures)} of {things}{done}",
             f"{summary.frames} frames" if summary.videos else None,
             count(summary.faces, "face") + (" (most in a frame, per video)" if summary.videos else ""),
             f"{summary.whole_pictures} parsed whole (no face found)" if summary.whole_pictures else None,
             f"{len(summary.failures)} failed"]
    if summary.seconds:
        parts.append(f"{summary.frames / summary.seconds:.2f} frames/s" if summary.videos else f"{summary.images / summary.seconds:.2f} images/s")
    return ", ".join(part for part in parts if part)


def write_json(path: Path, document: dict) -> None:
    write_atomically(path, (json.dumps(document, indent=2) + "\n").encode())
