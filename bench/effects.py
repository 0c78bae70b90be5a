"""What each effect costs per frame on the page, on both painters, and whether effects on the
camera ever hold the main thread long.

    .venv/bin/python -m bench.effects [--sizes 640x480,1280x720] [--paints 20] [--camera-s 8]
                                      [--out bench/results/effects]

Painting: bench/effect_paints.py's timing, in the real page in headless Chromium. Here WebGL2 is
SwiftShader, the CPU emulating a GPU; bench/effects_gpu.py runs the same timing on a real GPU.

Camera: the app on the fake webcam (the e2e astronaut clip), TensorFlow.js WASM at 448 in the
worker, each effect in turn for --camera-s seconds: frames, and the longest main-thread task
(PerformanceObserver 'longtask').

Writes OUT.json and OUT.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.clips import astronaut_clip
from bench.effect_paints import EFFECTS, PAINT_TIMES, paint_rows, paint_table
from bench.report import write_report
from tests.support.app import App
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS, fake_webcam_flags, live_server

LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
}).observe({ type: 'longtask', buffered: true });
"""


def paint_costs(app: App, sizes: list[tuple[int, int]], paints: int) -> tuple[list[dict], str]:
    rows, renderer = [], ""
    for width, height in sizes:
        times = app.page.evaluate(PAINT_TIMES, {"height": height, "width": width, "paints": paints, "effects": EFFECTS})
        rows += paint_rows(times, width, height)
        renderer = times["renderer"]
    return rows, renderer


def camera_run(app: App, seconds: float) -> list[dict]:
    app.start_camera()
    app.wait_frames(3)
    rows = []
    for effect in EFFECTS:
        app.page.select_option("#effect-select", effect)
        app.wait_frames(1)
        app.page.evaluate("window.__longTasks = []")
        start = int(app.status()["frames"])
        app.page.wait_for_timeout(seconds * 1000)
        status = app.status()
        longest = app.page.evaluate("Math.max(0, ...window.__longTasks)")
        rows.append({"effect": effect, "frames": int(status["frames"]) - start, "effect_ms": float(status["effectMs"]),
                     "longest_task_ms": round(longest, 1), "render": status["render"]})
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def markdown(result: dict) -> str:
    lines = paint_table(result["paint"], result["renderer"])
    if result.get("camera"):
        lines += ["", "On the camera (tfjs WASM 448, worker): frames in the window, the effect stage's median, the longest main-thread task", "",
                  "| effect | painter | frames | effect stage ms | longest task ms |", "|---|---|---:|---:|---:|"]
        lines += [f"| {r['effect']} | {r['render']} | {r['frames']} | {r['effect_ms']:.1f} | {r['longest_task_ms']:.0f} |" for r in result["camera"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="640x480,1280x720")
    parser.add_argument("--paints", type=int, default=20)
    parser.add_argument("--camera-s", type=float, default=8, help="0: no camera run")
    parser.add_argument("--out", type=Path, default=Path("bench/results/effects"))
    args = parser.parse_args(argv)
    sizes = [tuple(int(v) for v in size.split("x")) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp, live_server() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS + fake_webcam_flags(astronaut_clip(Path(tmp))))
        page = browser.new_page()
        page.add_init_script(LONG_TASKS)
        page.set_default_timeout(180_000)
        app = App(page, server.url).open(backend="wasm", size=448)
        paint, renderer = paint_costs(app, sizes, args.paints)
        result = {"renderer": renderer, "paint": paint}
        if args.camera_s:
            result["camera"] = camera_run(app, args.camera_s)
        browser.close()
    write_report(args.out, result, markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
