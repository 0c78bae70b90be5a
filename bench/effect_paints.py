"""The paint timing that bench/effects.py (Playwright, the app's server) and bench/effects_gpu.py
(a bare Chromium on a GPU machine) both run in the page: the page's own painters
(web/js/effects/) paint a noisy picture under a label map with a face-sized blob of each class
group (a fresh label array each time, as each parsed frame brings one), after three warm-up
paints; each timing ends when the pixels are done (a one-pixel read).
"""

from __future__ import annotations

import sys

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
    if (kind === 'webgl') results.renderer = painter.renderer;
    painter.dispose();
  }
  return results;
}"""


def paint_rows(times: dict, width: int, height: int) -> list[dict]:
    """PAINT_TIMES' answer for one frame size as table rows."""
    rows = []
    for effect in EFFECTS:
        rows.append({"size": f"{width}x{height}", "effect": effect,
                     "webgl_ms": round(times[f"webgl {effect}"], 2), "canvas2d_ms": round(times[f"2d {effect}"], 2)})
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def paint_table(rows: list[dict], renderer: str) -> list[str]:
    lines = [f"Effect cost per frame, ms (median; WebGL2 on {renderer})", "",
             "| frame | effect | WebGL2 | Canvas 2D |", "|---|---|---:|---:|"]
    return lines + [f"| {r['size']} | {r['effect']} | {r['webgl_ms']:.2f} | {r['canvas2d_ms']:.2f} |" for r in rows]
