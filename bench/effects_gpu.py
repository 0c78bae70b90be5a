"""What each effect costs on a real GPU: bench/effect_paints.py's timing in a Chromium given by its
path, on the GPU its flags select, with nothing but the standard library (no Playwright, no
Flask), for a machine that has a GPU and little else.

    python3 -m bench.effects_gpu --chromium PATH [--flags="--use-angle=vulkan ..."]...
                                 [--sizes 640x480,1280x720] [--paints 20] [--out bench/results/effects-gpu]

Each --flags is one set of Chromium flags, tried in turn: each run first reports the WebGL2
renderer and WebGPU adapter it got, and the timing runs with the first set whose renderer is not
a software one (with every set when --all). Writes OUT.json and OUT.md.

A Chromium for such a machine: npm's `@sparticuz/chromium` (153.0.0) holds a headless Chromium
that needs only NSS and Expat (in its `bin/al2023.tar.br`) and brings its own Vulkan loader (in
`bin/swiftshader.tar.br`); unpack the three with Node's zlib (brotli), put the libraries beside
the binary and in LD_LIBRARY_PATH, and point VK_DRIVER_FILES at the GPU driver's Vulkan ICD for
`--use-angle=vulkan`. Checked here on the CPU (SwiftShader), not yet on a GPU.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.effect_paints import EFFECTS, PAINT_TIMES, paint_rows, paint_table
from bench.report import write_report

ROOT = Path(__file__).resolve().parent.parent
# The page's painters and the manifest, at the paths the app's server gives them.
SERVED = re.compile(r"^/(web/js/.+\.js|models/manifest\.json)$")
SOFTWARE = re.compile(r"swiftshader|llvmpipe|softpipe|software", re.I)

PAGE = """<!doctype html><meta charset="utf-8"><title>effects on the GPU</title>
<script type="module">
const paintTimes = %(paint_times)s;
const post = (body) => fetch('/result', { method: 'POST', body: JSON.stringify(body) });
try {
  const gl = document.createElement('canvas').getContext('webgl2');
  const debug = gl && gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = gl ? String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : 'no WebGL2';
  const adapter = navigator.gpu ? await navigator.gpu.requestAdapter() : null;
  const webgpu = adapter ? [adapter.info?.vendor, adapter.info?.architecture, adapter.info?.description].filter(Boolean).join(' ') || 'an adapter' : 'no WebGPU adapter';
  const result = { renderer, webgpu, sizes: {} };
  if (%(time_it)s) {
    for (const [width, height] of %(sizes)s) result.sizes[`${width}x${height}`] = await paintTimes({ height, width, paints: %(paints)d, effects: %(effects)s });
  }
  await post(result);
} catch (error) {
  await post({ error: String(error && error.stack || error) });
}
</script>"""


class Handler(SimpleHTTPRequestHandler):
    page = ""
    results: list = []

    def log_message(self, *args):
        pass

    def end_headers(self):
        # Cross-origin isolation: performance.now() at microseconds, not a tenth of a millisecond.
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

    def do_GET(self):
        if self.path == "/":
            body = self.page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif SERVED.match(self.path):
            super().do_GET()
        else:
            self.send_error(404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.results.append(json.loads(body))
        self.send_response(204)
        self.end_headers()


def run_page(chromium: str, flags: list[str], page: str, timeout_s: float) -> dict:
    results: list = []
    handler = type("PageHandler", (Handler,), {"page": page, "results": results})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(ROOT)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    with tempfile.TemporaryDirectory() as profile:
        command = [chromium, "--headless=new", "--no-sandbox", "--no-first-run", f"--user-data-dir={profile}", *flags, url]
        browser = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + timeout_s
        while not results and time.monotonic() < deadline and browser.poll() is None:
            time.sleep(0.2)
        browser.kill()
        log = browser.stderr.read()
    server.shutdown()
    if results:
        return results[0]
    return {"error": f"no answer in {timeout_s:.0f} s", "log": log[-3000:]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--flags", action="append", default=[], help="one set of Chromium flags (repeatable)")
    parser.add_argument("--sizes", default="640x480,1280x720")
    parser.add_argument("--paints", type=int, default=20)
    parser.add_argument("--all", action="store_true", help="time every flag set, software ones too")
    parser.add_argument("--timeout-s", type=float, default=120)
    parser.add_argument("--out", type=Path, default=Path("bench/results/effects-gpu"))
    args = parser.parse_args(argv)
    sizes = [[int(v) for v in size.split("x")] for size in args.sizes.split(",")]
    flag_sets = [flags.split() for flags in args.flags] or [[]]

    def page(time_it: bool) -> str:
        return PAGE % {"paint_times": PAINT_TIMES, "time_it": json.dumps(time_it), "sizes": json.dumps(sizes),
                       "paints": args.paints, "effects": json.dumps(EFFECTS)}

    runs = []
    for flags in flag_sets:
        probe = run_page(args.chromium, flags, page(False), args.timeout_s)
        print(json.dumps({"flags": flags, **probe}), file=sys.stderr, flush=True)
        hardware = "renderer" in probe and not SOFTWARE.search(probe["renderer"]) and probe["renderer"] != "no WebGL2"
        if not (hardware or args.all):
            runs.append({"flags": flags, **probe})
            continue
        timed = run_page(args.chromium, flags, page(True), args.timeout_s)
        rows = [row for size, times in timed.get("sizes", {}).items() for row in paint_rows(times, *map(int, size.split("x")))]
        runs.append({"flags": flags, **{k: v for k, v in timed.items() if k != "sizes"}, "paint": rows})
        if hardware and not args.all:
            break
    lines = []
    for run in runs:
        lines += [f"Flags: `{' '.join(run['flags']) or '(none)'}` — WebGL2: {run.get('renderer')}; WebGPU: {run.get('webgpu')}"
                  + (f"; error: {run['error']}" if run.get("error") else ""), ""]
        if run.get("paint"):
            lines += paint_table(run["paint"], run["renderer"]) + [""]
    write_report(args.out, {"runs": runs}, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
