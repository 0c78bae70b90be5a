"""What each effect costs per frame on the page, on both painters, and whether effects on the
camera ever hold the main thread long.

    .venv/bin/python -m bench.effects [--sizes 640x480,1280x720] [--paints 20] [--camera-s 8]
                                      [--out bench/results/effects]

Painting: the page's own painters (web/js/effects/), imported into the real page in headless
Chromium, paint a noisy picture under a label map with a face-sized blob of each class group
(a fresh label array each time, as each parsed frame brings one), after three warm-up paints;
each timing ends when the pixels are done (a one-pixel read). Here WebGL2 is SwiftShader, the
CPU emulating a GPU: its figures are upper bounds for a real GPU.

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
from bench.report import write_report
from tests.support.app import App
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS, fake_webcam_flags, live_server

EFFECTS = ["none", "blur", "replace", "hair", "lips", "anonymise"]

PAINT_TIMES = """async ({ height, width, paints, effects }) => {
  const { planEffect } = await import('/web/js/effects/effects.js');
  const { GlPainter } = await import('/web/js/effects/gl-painter.js');
  const { CanvasPainter } = await import('/web/js/effects/canvas-painter.js');
  const manifest = await (await fetch('/models/manifest.json')).json();
  const picture = document.createElement('canvas');
  Object.assign(picture, { width, height });
  const context = picture.getContext('2d');
  const noise = context.createImageData(width, height);
  for (let i = 0; i < noise.data.length; i++) noise.data[i] = i % 4 === 3 ? 255 : (i * 2654435761) >>> 24;
  context.putImageData(noise, 0, 0);
  // Background, a person (cloth), a face (skin) with hair above and lips inside.
  const labels = new Uint8Array(height * width);
  const ids = Object.fromEntries(manifest.classes.map((cls) => [cls.name, cls.id]));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x - width / 2) / (width / 6), dy = (y - height / 2) / (height / 3);
      let id = 0;
      if (y > height * 0.7 && Math.abs(dx) < 2.5) id = ids.cloth;
      if (dx * dx + dy * dy < 1) id = dy < -0.5 ? ids.hair : Math.abs(dy - 0.5) < 0.08 && Math.abs(dx) < 0.3 ? ids.u_lip : ids.skin;
      labels[y * width + x] = id;
    }
  }
  const results = {};
  for (const kind of ['webgl', '2d']) {
    const canvas = document.createElement('canvas');
    const painter = kind === 'webgl' ? new GlPainter(canvas) : new CanvasPainter(canvas);
    const done = kind === 'webgl'
      ? () => painter.gl.readPixels(0, 0, 1, 1, painter.gl.RGBA, painter.gl.UNSIGNED_BYTE, new Uint8Array(4))
      : () => painter.context.getImageData(0, 0, 1, 1);
    for (const effect of effects) {
      const plan = planEffect({ effect, strength: 60, color: '#3366ff' }, manifest, { height, width, size: 448 });
      const times = [];
      for (let i = 0; i < paints + 3; i++) {
        const fresh = labels.slice();
        const started = performance.now();
        painter.paint({ picture, height, width, labels: fresh, plan, background: null });
        done();
        if (i >= 3) times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      results[`${kind} ${effect}`] = times[Math.floor(times.length / 2)];
    }
    painter.dispose();
  }
  return results;
}"""

LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
}).observe({ type: 'longtask', buffered: true });
"""


def paint_costs(app: App, sizes: list[tuple[int, int]], paints: int) -> list[dict]:
    rows = []
    for width, height in sizes:
        times = app.page.evaluate(PAINT_TIMES, {"height": height, "width": width, "paints": paints, "effects": EFFECTS})
        for effect in EFFECTS:
            rows.append({"size": f"{width}x{height}", "effect": effect,
                         "webgl_ms": round(times[f"webgl {effect}"], 2), "canvas2d_ms": round(times[f"2d {effect}"], 2)})
            print(rows[-1], file=sys.stderr, flush=True)
    return rows


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
    lines = ["Effect cost per frame, ms (median; WebGL2 is SwiftShader here)", "",
             "| frame | effect | WebGL2 | Canvas 2D |", "|---|---|---:|---:|"]
    lines += [f"| {r['size']} | {r['effect']} | {r['webgl_ms']:.2f} | {r['canvas2d_ms']:.2f} |" for r in result["paint"]]
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
        result = {"paint": paint_costs(app, sizes, args.paints)}
        if args.camera_s:
            result["camera"] = camera_run(app, args.camera_s)
        browser.close()
    write_report(args.out, result, markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
