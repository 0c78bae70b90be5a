"""Browser FPS per engine x backend x size x worker/main, driving the real app in headless Chromium.

    .venv/bin/python -m bench.fps [--budget SECONDS] [--out bench/results/fps.json]

The fake webcam shows skimage's astronaut (the clip the e2e tests use). Each cell loads
the page fresh, starts the camera, skips warm-up frames, then times frames for up to
--budget seconds (at least --min-frames). Software-GPU cells get few frames. Prints a
Markdown table and writes every cell as JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_FLAGS, astronaut_face, fake_webcam_flags, live_server, write_y4m

# Software WebGL/WebGPU (SwiftShader here) take seconds a frame: they get 288 only.
CELLS = (
    [("tfjs", "wasm", size, where) for size in (288, 448, 1024) for where in ("worker", "main")]
    + [("tfjs", "webgl", 288, "worker"), ("tfjs", "webgl", 288, "main"), ("tfjs", "webgpu", 288, "worker")]
    # ORT runs on WASM only (its GPU backends give wrong labels for this model).
    + [("ort", "wasm", size, where) for size in (288, 448) for where in ("worker", "main")]
)
WARMUP_FRAMES = 2


def status(page) -> dict:
    return page.eval_on_selector("#status", "element => ({...element.dataset})")


def wait_frames(page, count: int, timeout_ms: float) -> dict:
    page.wait_for_function(f"Number(document.querySelector('#status').dataset.frames) >= {count}", timeout=timeout_ms)
    return status(page)


def measure_cell(browser, url: str, engine: str, backend: str, size: int, where: str, budget_s: float, min_frames: int) -> dict:
    context = browser.new_context()
    page = context.new_page()
    try:
        load_start = time.perf_counter()
        page.goto(f"{url}/?engine={engine}&backend={backend}&size={size}&thread={where}")
        page.wait_for_function("document.querySelector('#status').dataset.state === 'ready'", timeout=180_000)
        load_s = time.perf_counter() - load_start
        page.click("#camera-start")
        first = wait_frames(page, WARMUP_FRAMES, 180_000)
        start_frames, start_t = int(first["frames"]), time.perf_counter()
        frames, deadline = start_frames, start_t + budget_s
        while frames - start_frames < min_frames or time.perf_counter() < deadline:
            last = wait_frames(page, frames + 1, 180_000)
            frames = int(last["frames"])
        elapsed = time.perf_counter() - start_t
        timed = frames - start_frames
        return {
            "engine": engine, "backend": backend, "size": size, "where": where,
            "ran_backend": last["backend"],
            "backend_info": page.inner_text("#backend-info"),
            "load_s": round(load_s, 2),
            "frames": timed,
            "fps": round(timed / elapsed, 2),
            "pre_ms": float(last["preMs"]), "inference_ms": float(last["inferenceMs"]), "post_ms": float(last["postMs"]),
            "dropped": int(last["dropped"]),
            "tensors": int(last["tensors"]) if last["tensors"] else None,
        }
    finally:
        context.close()


def markdown(rows: list[dict]) -> str:
    lines = [
        "| engine | backend | size | thread | FPS | inference ms | pre ms | post ms | load s | frames |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['engine']} | {r['ran_backend']} | {r['size']} | {r['where']} | {r['fps']:.2f} | {r['inference_ms']:.0f} | "
            f"{r['pre_ms']:.1f} | {r['post_ms']:.1f} | {r['load_s']:.1f} | {r['frames']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=20.0, help="seconds of timed frames per cell (default 20)")
    parser.add_argument("--min-frames", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/results/fps.json"))
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp, live_server() as server, sync_playwright() as playwright:
        y4m = write_y4m(Path(tmp) / "astronaut.y4m", [astronaut_face()] * 2)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS + fake_webcam_flags(y4m))
        rows = []
        for engine, backend, size, where in CELLS:
            row = measure_cell(browser, server.url, engine, backend, size, where, args.budget, args.min_frames)
            print(f"{engine:4} {backend:6} {size:5} {where:6} {row['fps']:6.2f} FPS  inference {row['inference_ms']:.0f} ms", file=sys.stderr)
            rows.append(row)
        browser.close()

    machine = f"{platform.machine()}, {__import__('os').cpu_count()} cores, headless Chromium ({CHROMIUM})"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": machine, "cells": rows}, indent=2) + "\n")
    print(f"Machine: {machine}\n\n{markdown(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
