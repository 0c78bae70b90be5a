"""Batch throughput of `faceparts parse`: one process, all local cores, and Ray, on the same images.

    .venv/bin/python -m bench.batch [--images 2000] [--workers 2] [--modes one,workers,ray]
                                    [--size 448] [--precision int8|fp32] [--out bench/results/batch]

The images are ../shared's portraits and dev set, linked (not copied) over and over into a temp
folder up to --images. Each mode parses them all into a fresh output folder, in its own process
tree; the peak memory is the largest sum of the resident memory of that tree (the CLI, its worker
processes, and with Ray its raylet, object store and actors), sampled twice a second.

Writes OUT.json and OUT.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import write_report
from server import ROOT

SHARED = ROOT.parent / "shared" / "data"
SOURCES = [SHARED / "portraits", SHARED / "celebamask-dev" / "images"]
MODES = {
    "one": ["--workers", "1"],
    "workers": ["--workers", "{workers}"],
    "ray": ["--ray", "auto", "--workers", "{workers}"],
}


def link_images(folder: Path, count: int) -> int:
    sources = [path for source in SOURCES if source.is_dir() for path in sorted(source.iterdir()) if path.is_file()]
    if not sources:
        raise SystemExit(f"no images in {', '.join(map(str, SOURCES))}: this benchmark needs ../shared")
    for index in range(count):
        source = sources[index % len(sources)]
        (folder / f"{index:06d}-{source.name}").symlink_to(source)
    return len(sources)


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, in MB (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{entry}/statm").read_text().split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(status[1]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total / 1e6


def run_mode(name: str, images: Path, out: Path, size: int, workers: int, precision: str | None) -> dict:
    options = [option.format(workers=workers) for option in MODES[name]] + (["--precision", precision] if precision else [])
    command = [sys.executable, "-m", "faceparts.cli", "parse", str(images), "--out", str(out), "--size", str(size), *options]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(process.pid))
        time.sleep(0.5)
    seconds = time.perf_counter() - started
    summary = process.stdout.read().strip().splitlines()[-1] if process.stdout else ""
    parsed = sum(1 for _ in out.rglob("*.overlay.png"))
    return {"mode": name, "command": " ".join(["faceparts parse", "IMAGES", *options]), "exit": process.returncode,
            "images": parsed, "seconds": round(seconds, 1), "images_per_s": round(parsed / seconds, 2),
            "peak_memory_mb": round(peak), "summary": summary}


def markdown(result: dict) -> str:
    one = next((row for row in result["rows"] if row["mode"] == "one"), None)
    lines = [f"{result['images']} images ({result['unique']} distinct: ../shared's portraits and dev set), size {result['size']}, "
             f"precision {result['precision']}, {result['cores']} cores", "",
             "| mode | command | images/s | speed-up | wall s | peak memory MB |", "|---|---|---:|---:|---:|---:|"]
    for row in result["rows"]:
        speedup = f"{row['images_per_s'] / one['images_per_s']:.2f}x" if one else ""
        lines.append(f"| {row['mode']} | `{row['command']}` | {row['images_per_s']} | {speedup} | {row['seconds']} | {row['peak_memory_mb']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--modes", default="one,workers,ray")
    parser.add_argument("--size", type=int, default=448)
    parser.add_argument("--precision", choices=["int8", "fp32"], help="the parser's (default: the CLI's)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/batch"))
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        images = Path(tmp) / "images"
        images.mkdir()
        unique = link_images(images, args.images)
        for mode in args.modes.split(","):
            row = run_mode(mode, images, Path(tmp) / f"out-{mode}", args.size, args.workers, args.precision)
            print(json.dumps(row), file=sys.stderr, flush=True)
            rows.append(row)
    result = {"images": args.images, "unique": unique, "size": args.size, "precision": args.precision or "the CLI's default",
              "cores": os.cpu_count(), "rows": rows}
    write_report(args.out, result, markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
