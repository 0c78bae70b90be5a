"""Videos, parsed by the command line and exported by the page: frames per second, memory over a
long clip, and flicker.

    .venv/bin/python -m bench.videos [--where cli,page] [--size 448] [--minutes 2] [--out bench/results/videos]

- Speed: ../shared's talking-head clip (640x480, 25 fps), and that clip looped to --minutes
  (re-encoded once, here), through `faceparts parse VIDEO --workers 1` (cli: models loaded,
  frames decoded, parsed, the three outputs written) and through the page's Export video in
  headless Chromium (page: WASM, every frame parsed, drawn, encoded, its labels zipped); frames
  per second over the whole run, and the frame counts written.
- Memory: the run's resident memory (the process tree: the command, or Playwright's driver and
  Chromium's processes), sampled every half second: the peak, and the median of each tenth of
  the run, which stays flat when frames are streamed.
- Flicker (cli): the talking head's exported labels (tracked and steadied) against each frame
  parsed alone (FaceParser.parse): bench.steady's measure.
- Agreement (cli and page): per frame, the share of pixels whose label the page's export and the
  command give alike: the lowest, the median, and the frames under 99 %.

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
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS, LiveServer
from tests.support.clips import zipped_labels

SAMPLE_S = 0.5


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


def row(where: str, video: Path, labels: Path, written: Path, seconds: float, samples: list[float]) -> dict:
    with zipfile.ZipFile(labels) as archive:
        count = len(archive.namelist())
    tenths = [round(float(np.median(part))) for part in np.array_split(np.array(samples), 10)] if len(samples) >= 10 else []
    return {"where": where, "video": video.name, "frames": count, "written": f"{written.name}: {probe(written).frames} frames",
            "seconds": round(seconds, 1), "frames_per_s": round(count / seconds, 2),
            "peak_memory_mb": round(max(samples, default=0)), "memory_by_tenth_mb": tenths}


def agreement(page_zip: Path, cli_zip: Path) -> dict:
    """Per frame, the share of pixels labelled alike in two label zips, read a frame at a time."""
    shares = []
    with zipfile.ZipFile(page_zip) as page, zipfile.ZipFile(cli_zip) as cli:
        for name in sorted(page.namelist()):
            mine, theirs = (np.asarray(Image.open(io.BytesIO(archive.read(name)))) for archive in (page, cli))
            shares.append(float((mine == theirs).mean()))
    return {"frames": len(shares), "lowest": round(min(shares), 4), "median": round(float(np.median(shares)), 4),
            "under_99": sum(share < 0.99 for share in shares)}


def run_cli(video: Path, out: Path, size: int) -> dict:
    command = [sys.executable, "-m", "faceparts.cli", "parse", str(video), "--out", str(out), "--size", str(size), "--workers", "1"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    samples = []
    while process.poll() is None:
        samples.append(tree_rss_mb(process.pid))
        time.sleep(SAMPLE_S)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"faceparts parse failed on {video}: {process.stdout.read()}")
    return row("cli", video, out / f"{video.stem}.labels.zip", out / f"{video.stem}.overlay.mp4", seconds, samples)


def run_page(video: Path, out: Path, size: int) -> dict:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with LiveServer() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_context(accept_downloads=True).new_page()
        page.set_default_timeout(3_600_000)
        page.goto(f"{server.url}/?backend=wasm&size={size}")
        page.wait_for_function("document.querySelector('#status').dataset.state === 'ready'")
        page.set_input_files("#photo-input", str(video))
        page.wait_for_function("['running', 'paused'].includes(document.querySelector('#status').dataset.state)")
        downloads, samples = [], []
        page.on("download", lambda download: downloads.append(download))
        started = time.perf_counter()
        page.click("#export-video")
        while len(downloads) < 2:
            samples.append(tree_rss_mb(os.getpid()))
            message = page.inner_text("#message") if page.is_visible("#message") else ""
            if message and "Exported" not in message:
                raise SystemExit(f"the page's export failed: {message}")
            page.wait_for_timeout(SAMPLE_S * 1000)
        seconds = time.perf_counter() - started
        files = {}
        for download in downloads:
            files[download.suggested_filename] = out / download.suggested_filename
            download.save_as(files[download.suggested_filename])
        browser.close()
    labels = next(path for name, path in files.items() if name.endswith(".labels.zip"))
    written = next(path for name, path in files.items() if ".faceparts." in name)
    return row("page", video, labels, written, seconds, samples)


def markdown(result: dict) -> str:
    lines = [f"At {result['size']}, {result['cores']} cores: cli = `faceparts parse VIDEO --workers 1`, page = Export video "
             "in headless Chromium (WASM)", "",
             "| where | clip | frames | written | frames/s | wall s | peak memory MB | memory by tenth of the run, MB |",
             "|---|---|---:|---|---:|---:|---:|---|"]
    lines += [f"| {r['where']} | {r['video']} | {r['frames']} | {r['written']} | {r['frames_per_s']} | {r['seconds']} | "
              f"{r['peak_memory_mb']} | {' '.join(map(str, r['memory_by_tenth_mb']))} |" for r in result["runs"]]
    if result.get("flicker"):
        flick = result["flicker"]
        lines += ["", "| talking head, labels | flicker |", "|---|---:|",
                  f"| each frame parsed alone (`FaceParser.parse`) | {flick['each_frame_alone']:.4f} |",
                  f"| exported by `faceparts parse` (tracked, steadied) | {flick['exported']:.4f} |"]
    if result.get("agreement"):
        lines += ["", "| clip | frames | page vs cli, lowest | median | frames under 99 % |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {clip} | {a['frames']} | {a['lowest']:.4f} | {a['median']:.4f} | {a['under_99']} |"
                  for clip, a in result["agreement"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--where", default="cli,page", help="cli, page or both (default)")
    parser.add_argument("--size", type=int, default=448)
    parser.add_argument("--minutes", type=float, default=2.0, help="the looped clip's length (0: none)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/videos"))
    args = parser.parse_args(argv)
    if not TALKING_HEAD.exists():
        raise SystemExit(f"{TALKING_HEAD} is absent: this benchmark needs ../shared")
    runners = {"cli": run_cli, "page": run_page}
    wheres = [where for where in args.where.split(",") if where]
    result = {"size": args.size, "cores": os.cpu_count(), "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        clips = [TALKING_HEAD]
        if args.minutes:
            clips.append(tmp / f"talking_head_{args.minutes:g}min.mp4")
            looped(TALKING_HEAD, clips[-1], args.minutes)
        for clip in clips:
            for where in wheres:
                result["runs"].append(runners[where](clip, tmp / f"{where}-{clip.stem}", args.size))
                print(result["runs"][-1], file=sys.stderr, flush=True)
            if {"cli", "page"} <= set(wheres):
                page, cli = (tmp / f"{where}-{clip.stem}" / f"{clip.stem}.labels.zip" for where in ("page", "cli"))
                result.setdefault("agreement", {})[clip.name] = agreement(page, cli)
        if "cli" in wheres:
            exported = zipped_labels(tmp / f"cli-{TALKING_HEAD.stem}" / f"{TALKING_HEAD.stem}.labels.zip")
            face_parser = FaceParser(size=args.size)
            alone = [face_parser.parse(rgb).labels for rgb, _ in frames(TALKING_HEAD)]
            result["flicker"] = {"each_frame_alone": round(flicker(alone), 4), "exported": round(flicker(exported), 4)}
    write_report(args.out, result, markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
