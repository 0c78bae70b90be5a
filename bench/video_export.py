"""Export video in the page: frames per second and memory, in headless Chromium.

    .venv/bin/python -m bench.video_export [--size 448] [--minutes 0] [--out bench/results/video_export]

Opens the page (WASM, the default engine), opens ../shared's talking-head clip (640x480, 25 fps),
or that clip looped to --minutes (bench.videos makes it), and exports it: frames per second over
the export (every frame parsed, drawn, encoded, its labels zipped), and the memory of this process
tree (Chromium's processes with it), sampled every second, by tenth of the export. The export's two files are checked for
their frame count.

Writes OUT.json and OUT.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.batch import tree_rss_mb
from bench.clips import TALKING_HEAD
from bench.report import write_report
from bench.videos import looped
from faceparts.videos import probe
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS, LiveServer
from tests.support.clips import zipped_labels


def browser_rss_mb() -> float:
    """Resident memory of this process and its descendants (Playwright's driver, Chromium and its
    renderer, GPU and utility processes), in MB."""
    return tree_rss_mb(os.getpid())


def export(video: Path, size: int, folder: Path) -> dict:
    from playwright.sync_api import sync_playwright

    frames_declared = probe(video).frames
    with LiveServer() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_context(accept_downloads=True).new_page()
        page.set_default_timeout(3_600_000)
        page.goto(f"{server.url}/?backend=wasm&size={size}")
        page.wait_for_function("document.querySelector('#status').dataset.state === 'ready'")
        page.set_input_files("#photo-input", str(video))
        page.wait_for_function("['running', 'paused'].includes(document.querySelector('#status').dataset.state)")
        downloads = []
        page.on("download", lambda download: downloads.append(download))
        samples = []
        started = time.perf_counter()
        page.click("#export-video")
        while len(downloads) < 2:
            samples.append(browser_rss_mb())
            message = page.inner_text("#message") if page.is_visible("#message") else ""
            if message and "Exported" not in message:
                raise SystemExit(f"the export failed: {message}")
            page.wait_for_timeout(1000)
        seconds = time.perf_counter() - started
        status = page.eval_on_selector("#status", "element => ({...element.dataset})")
        files = {}
        for download in downloads:
            files[download.suggested_filename] = folder / download.suggested_filename
            download.save_as(files[download.suggested_filename])
        browser.close()
    labels = next(path for name, path in files.items() if name.endswith(".labels.zip"))
    exported = next(path for name, path in files.items() if ".faceparts." in name)
    count = len(zipped_labels(labels))
    tenths = [round(float(np.median(part))) for part in np.array_split(np.array(samples), 10)] if len(samples) >= 10 else []
    return {"video": video.name, "frames": count, "frames_declared": frames_declared, "video_frames": probe(exported).frames,
            "written": exported.suffix, "engine": status.get("engine"), "backend": status.get("backend"),
            "precision": status.get("precision"), "seconds": round(seconds, 1), "frames_per_s": round(count / seconds, 2),
            "peak_memory_mb": round(max(samples, default=0)), "memory_by_tenth_mb": tenths}


def markdown(result: dict) -> str:
    lines = [f"Export video in headless Chromium, size {result['size']}, {result['cores']} cores", "",
             "| clip | frames | written | engine | frames/s | wall s | peak memory MB (the process tree) | memory by tenth of the export, MB |",
             "|---|---:|---|---|---:|---:|---:|---|"]
    lines += [f"| {row['video']} | {row['frames']} | {row['written']} | {row['engine']} {row['precision']} {row['backend']} | "
              f"{row['frames_per_s']} | {row['seconds']} | {row['peak_memory_mb']} | {' '.join(map(str, row['memory_by_tenth_mb']))} |"
              for row in result["runs"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=448)
    parser.add_argument("--minutes", type=float, default=0.0, help="also export the clip looped to this length (0: not)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/video_export"))
    args = parser.parse_args(argv)
    if not TALKING_HEAD.exists():
        raise SystemExit(f"{TALKING_HEAD} is absent: this benchmark needs ../shared")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        clips = [TALKING_HEAD]
        if args.minutes:
            clips.append(tmp / f"talking_head_{args.minutes:g}min.mp4")
            looped(TALKING_HEAD, clips[-1], args.minutes)
        for clip in clips:
            runs.append(export(clip, args.size, tmp))
            print(runs[-1], file=sys.stderr, flush=True)
    write_report(args.out, {"size": args.size, "cores": os.cpu_count(), "runs": runs}, markdown({"size": args.size, "cores": os.cpu_count(), "runs": runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
