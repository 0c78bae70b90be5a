"""Videos through the command line: frames per second, memory over a long clip, and flicker.

    .venv/bin/python -m bench.videos [--size 448] [--minutes 2] [--out bench/results/videos]

- Speed: `faceparts parse` on ../shared's talking-head clip (640x480, 25 fps), one process, and
  on a clip of it looped to --minutes (re-encoded once, here); frames per second over the whole
  run (models loaded, frames decoded, parsed, and the three outputs written).
- Memory: the run's resident memory (the process tree), sampled every half second: the peak, and
  the median of each tenth of the run, which stays flat when frames are streamed.
- Flicker: the talking head's exported labels (tracked and steadied) against each frame parsed
  alone (FaceParser.parse): bench.steady's measure.

Writes OUT.json and OUT.md.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from bench.batch import tree_rss_mb
from bench.clips import TALKING_HEAD
from bench.report import write_report
from faceparts import FaceParser
from faceparts.metrics import flicker
from faceparts.videos import VideoWriter, frames, probe


def looped(source: Path, target: Path, minutes: float) -> int:
    """`source` played over and over for `minutes`, as one H.264 file. -> its frame count."""
    info = probe(source)
    wanted = round(minutes * 60 * float(info.rate))
    writer, count = VideoWriter(target, info), 0
    while count < wanted:
        for rgb, _ in frames(source):
            writer.write(rgb, count / float(info.rate))
            count += 1
            if count == wanted:
                break
    writer.close()
    return count


def run_cli(video: Path, out: Path, size: int) -> dict:
    command = [sys.executable, "-m", "faceparts.cli", "parse", str(video), "--out", str(out), "--size", str(size), "--workers", "1"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    samples = []
    while process.poll() is None:
        samples.append(tree_rss_mb(process.pid))
        time.sleep(0.5)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"faceparts parse failed on {video}: {process.stdout.read()}")
    count = probe(out / f"{video.stem}.overlay.mp4").frames or len(zipfile.ZipFile(out / f"{video.stem}.labels.zip").namelist())
    tenths = [round(float(np.median(part))) for part in np.array_split(np.array(samples), 10)] if len(samples) >= 10 else []
    return {"video": video.name, "frames": count, "seconds": round(seconds, 1), "frames_per_s": round(count / seconds, 2),
            "peak_memory_mb": round(max(samples, default=0)), "memory_by_tenth_mb": tenths}


def exported_labels(zip_path: Path) -> list[np.ndarray]:
    with zipfile.ZipFile(zip_path) as archive:
        return [np.asarray(Image.open(io.BytesIO(archive.read(name)))) for name in sorted(archive.namelist())]


def markdown(result: dict) -> str:
    lines = [f"`faceparts parse VIDEO --size {result['size']} --workers 1`, {result['cores']} cores", "",
             "| clip | frames | frames/s | wall s | peak memory MB | memory by tenth of the run, MB |", "|---|---:|---:|---:|---:|---|"]
    lines += [f"| {row['video']} | {row['frames']} | {row['frames_per_s']} | {row['seconds']} | {row['peak_memory_mb']} | "
              f"{' '.join(map(str, row['memory_by_tenth_mb']))} |" for row in result["runs"]]
    flick = result["flicker"]
    lines += ["", "| talking head, labels | flicker |", "|---|---:|",
              f"| each frame parsed alone (`FaceParser.parse`) | {flick['each_frame_alone']:.4f} |",
              f"| exported by `faceparts parse` (tracked, steadied) | {flick['exported']:.4f} |"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=448)
    parser.add_argument("--minutes", type=float, default=2.0, help="the looped clip's length (0: none)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/videos"))
    args = parser.parse_args(argv)
    if not TALKING_HEAD.exists():
        raise SystemExit(f"{TALKING_HEAD} is absent: this benchmark needs ../shared")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        runs.append(run_cli(TALKING_HEAD, tmp / "out", args.size))
        print(runs[-1], file=sys.stderr, flush=True)
        exported = exported_labels(tmp / "out" / f"{TALKING_HEAD.stem}.labels.zip")
        face_parser = FaceParser(size=args.size)
        alone = [face_parser.parse(rgb).labels for rgb, _ in frames(TALKING_HEAD)]
        if args.minutes:
            long_clip = tmp / f"talking_head_{args.minutes:g}min.mp4"
            looped(TALKING_HEAD, long_clip, args.minutes)
            runs.append(run_cli(long_clip, tmp / "out", args.size))
            print(runs[-1], file=sys.stderr, flush=True)
    result = {"size": args.size, "cores": os.cpu_count(), "runs": runs,
              "flicker": {"each_frame_alone": round(flicker(alone), 4), "exported": round(flicker(exported), 4)}}
    write_report(args.out, result, markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
