"""Soak test: the webcam runs for a long time in worker and main-thread modes; memory, FPS and
errors are sampled over time.

    .venv/bin/python -m bench.soak [--minutes 10] [--engines tfjs,ort] [--modes worker,main] [--size 448]
                                   [--clip talking-head] [--out bench/results/soak.json]

Memory is the page's whole footprint (page, worker and wasm heaps) from
performance.measureUserAgentSpecificMemory(), which the page's cross-origin isolation allows,
plus the tfjs tensor count. Goal: memory at the end within 10 % of the value after warm-up,
steady FPS, zero errors.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.clips import clips
from faceparts.model_manifest import ModelSpec
from server import ROOT
from tests.support.app import App
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS, fake_webcam_flags, live_server

WARMUP_S = 60
SAMPLE_EVERY_S = 30
MEMORY_TOLERANCE = 0.10

MEASURE_MEMORY = """async () => {
  const result = await performance.measureUserAgentSpecificMemory();
  const by = (scope) => result.breakdown
    .filter((entry) => entry.attribution.some((a) => a.scope === scope))
    .reduce((sum, entry) => sum + entry.bytes, 0);
  return { total: result.bytes, page: by('Window'), worker: by('DedicatedWorkerGlobalScope') };
}"""


def soak(browser, url: str, engine: str, size: int, where: str, minutes: float) -> dict:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    app = App(page, url).open(timeout_ms=180_000, engine=engine, backend="wasm", size=size, thread=where)
    app.start_camera()
    started = time.monotonic()
    samples = []
    last_frames, last_t = 0, started
    while (now := time.monotonic()) - started < minutes * 60:
        time.sleep(max(0.0, SAMPLE_EVERY_S - (time.monotonic() - last_t)))
        memory = page.evaluate(MEASURE_MEMORY)
        shown = app.status()
        now = time.monotonic()
        frames = int(shown.get("frames") or 0)
        message = app.message()
        if message and page.eval_on_selector("#message", "e => e.dataset.kind") == "error":
            errors.append(f"message at {now - started:.0f} s: {message}")
        if shown.get("state") not in ("running",):
            errors.append(f"state {shown.get('state')} at {now - started:.0f} s")
        samples.append({
            "t_s": round(now - started, 1),
            "frames": frames,
            "fps": round((frames - last_frames) / (now - last_t), 2),
            "memory_mb": round(memory["total"] / 1e6, 1),
            "page_mb": round(memory["page"] / 1e6, 1),
            "worker_mb": round(memory["worker"] / 1e6, 1),
            "tensors": int(shown["tensors"]) if shown.get("tensors") else None,
            "dropped": int(shown.get("dropped") or 0),
        })
        last_frames, last_t = frames, now
        print(f"{engine} {where:6} {samples[-1]}", file=sys.stderr, flush=True)
    context.close()

    steady = [s for s in samples if s["t_s"] >= WARMUP_S] or samples
    baseline, end = steady[0]["memory_mb"], steady[-1]["memory_mb"]
    fps = [s["fps"] for s in steady[1:]] or [s["fps"] for s in steady]
    growth = (end - baseline) / baseline if baseline else 0.0
    return {
        "engine": engine, "size": size, "where": where, "minutes": minutes,
        "frames": samples[-1]["frames"] if samples else 0,
        "memory_after_warmup_mb": baseline, "memory_end_mb": end,
        "memory_growth": round(growth, 4),
        "memory_flat": abs(growth) <= MEMORY_TOLERANCE,
        "tensors_start": steady[0]["tensors"], "tensors_end": steady[-1]["tensors"],
        "fps_min": min(fps), "fps_max": max(fps), "fps_mean": round(sum(fps) / len(fps), 2),
        "errors": errors,
        "samples": samples,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="per mode (default 10)")
    parser.add_argument("--engines", default="tfjs,ort", help="comma-separated: tfjs, ort")
    spec = ModelSpec.load(ROOT / "models" / "manifest.json")
    parser.add_argument("--size", type=int, choices=spec.sizes, default=spec.default_size)
    parser.add_argument("--modes", default="worker,main")
    parser.add_argument("--clip", choices=["astronaut", "talking-head"], default="astronaut")
    parser.add_argument("--out", type=Path, default=Path("bench/results/soak.json"))
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp, live_server() as server, sync_playwright() as playwright:
        y4m = clips(Path(tmp), args.clip)[args.clip]
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS + fake_webcam_flags(y4m))
        runs = [soak(browser, server.url, engine, args.size, where, args.minutes)
                for engine in args.engines.split(",") for where in args.modes.split(",")]
        browser.close()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"clip": args.clip, "runs": runs}, indent=2) + "\n")
    print("| engine | mode | minutes | frames | FPS min / mean / max | memory after warm-up → end (MB) | growth | tensors | errors |")
    print("|---|---|---:|---:|---|---|---:|---|---:|")
    for r in runs:
        # ONNX Runtime has no tensor count to show.
        tensors = "—" if r["tensors_start"] is None else f"{r['tensors_start']} → {r['tensors_end']}"
        print(f"| {r['engine']} | {r['where']} | {r['minutes']:g} | {r['frames']} | {r['fps_min']:.2f} / {r['fps_mean']:.2f} / {r['fps_max']:.2f} | "
              f"{r['memory_after_warmup_mb']:.1f} → {r['memory_end_mb']:.1f} | {100 * r['memory_growth']:+.1f} % | "
              f"{tensors} | {len(r['errors'])} |")
    ok = all(r["memory_flat"] and not r["errors"] for r in runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
