"""Browser speed of faceparts beside the peer and native ONNX Runtime, in one run.

    .venv/bin/python -m bench.fps [--budget 12] [--sizes 288,448,1024] [--clips astronaut,talking-head]
                                  [--gpu-size 288] [--gpu-frames 2] [--no-peer] [--faces on,off]
                                  [--engines tfjs,ort,peer] [--precisions int8,fp32] [--backends wasm,webgl,webgpu]
                                  [--threads worker,main] [--out bench/results/fps]

Drives the real app in headless Chromium (the tests' flags) with a fake webcam, one fresh page per
cell: engine (tfjs in float32, ORT in each of --precisions on WASM, float32 on a GPU) x backend x
size x worker/main (x faces on/off with --faces on,off). Each cell records model load and first
inference, steady end-to-end FPS over the timed frames, the per-stage medians the page reports
(capture, pre-processing, transfer, inference, post-processing, draw), main-thread long tasks, and
JS heap and tfjs tensors at start and end. The peer (bench/peer.py) runs in the same browser on the
same clip; native onnxruntime (CPU, this machine's cores) gives the floor. Software-GPU cells get
few frames.

Writes OUT.json (every cell), OUT.md (tables and the goals) and OUT.png (chart).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.clips import clips
from bench.peer import peer_server
from bench.report import write_report
from server import ROOT
from tests.support.app import App
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS, fake_webcam_flags, live_server

WARMUP_FRAMES = 2
# Software WebGL/WebGPU (SwiftShader here) take seconds to a minute a frame: they run at one
# size (--gpu-size), after one warm-up frame, for --gpu-frames frames.
SLOW_BACKENDS = [("tfjs", "webgl", "worker"), ("tfjs", "webgl", "main"), ("tfjs", "webgpu", "worker"),
                 ("ort", "webgl", "worker"), ("ort", "webgpu", "worker")]
# Longest wait for a model load or one frame: software WebGPU at 448 takes over a minute a frame
# here, and more to compile its shaders on the first one.
WAIT_MS = 900_000
STAGES = ["captureMs", "preMs", "transferMs", "inferenceMs", "postMs", "drawMs", "contextMs", "personMs"]

# From the first moment of the page: main-thread long tasks, and the page-clock time at which each
# frame finished (when #status counts it; both pages keep data-frames there). FPS comes from these
# times, not from polling: a poll from here is a task on the page, which with the model on the main
# thread waits behind a whole inference, so wall-clock polling under-counted main-thread FPS by ~15 %.
PAGE_PROBES_SCRIPT = """
window.__longTasks = [];
window.__frameTimes = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push([entry.startTime, entry.duration]);
}).observe({ type: 'longtask', buffered: true });
document.addEventListener('DOMContentLoaded', () => {
  const status = document.querySelector('#status');
  let counted = 0;
  new MutationObserver(() => {
    const frames = Number(status.dataset.frames || 0);
    for (; counted < frames; counted += 1) window.__frameTimes.push(performance.now());
  }).observe(status, { attributes: true, attributeFilter: ['data-frames'] });
});
"""
# How often the waits below look at the page: rarely, so that looking costs the page nothing.
POLL_MS = 500


def our_cells(sizes: list[int], gpu_size: int | None, faces: list[str], precisions: list[str]) -> list[tuple]:
    """(engine, precision, backend, size, where, faces) per cell: tfjs runs float32; int8 runs on ORT's WASM."""
    engines = [("tfjs", "fp32")] + [("ort", precision) for precision in precisions]
    cells = [(engine, precision, "wasm", size, where, mode) for engine, precision in engines for size in sizes
             for where in ("worker", "main") for mode in faces]
    return cells + ([(engine, "fp32", backend, gpu_size, where, faces[0]) for engine, backend, where in SLOW_BACKENDS] if gpu_size else [])


def peer_cells(sizes: list[int]) -> list[tuple]:
    cells = [("peer", None, "wasm", size, where, None) for size in sizes if size <= 448 for where in ("worker", "main")]
    cells += [("peer", None, "wasm", 1024, "worker", None)] if 1024 in sizes else []
    cells += [("peer", None, "webgl", 288, "worker", None)] if 288 in sizes else []
    return cells


def dataset(page, selector: str) -> dict:
    return page.eval_on_selector(selector, "element => ({...element.dataset})")


def heap_mb(page) -> float:
    return round(page.evaluate("performance.memory.usedJSHeapSize") / 1e6, 1)


def time_frames(page, budget_s: float, min_frames: int, warmup_frames: int = WARMUP_FRAMES) -> tuple[dict, int, float, float]:
    """Waits for warm-up frames, then times frames on the page clock.

    -> (last status, timed frames, FPS, page time of the first timed frame's start).
    The timed frames are those finished after the last warm-up frame; FPS is their count over the
    time from that warm-up frame's end to the last one's end.
    """
    count = "window.__frameTimes.length"
    page.wait_for_function(f"{count} >= {warmup_frames}", timeout=WAIT_MS, polling=POLL_MS)
    first = page.evaluate(count) - 1
    time.sleep(budget_s)
    page.wait_for_function(f"{count} >= {first + 1 + min_frames}", timeout=WAIT_MS, polling=POLL_MS)
    times = page.evaluate(f"window.__frameTimes.slice({first})")
    frames = len(times) - 1
    return dataset(page, "#status"), frames, frames / ((times[-1] - times[0]) / 1000), times[0]


def long_tasks(page, since_ms: float) -> dict:
    tasks = [duration for start, duration in page.evaluate("window.__longTasks") if start >= since_ms]
    return {"long_tasks": len(tasks), "long_task_ms": round(sum(tasks)), "longest_task_ms": round(max(tasks, default=0))}


def measure_ours(browser, url, engine, precision, backend, size, where, faces, budget_s, min_frames, warmup_frames=WARMUP_FRAMES) -> dict:
    context = browser.new_context()
    context.add_init_script(PAGE_PROBES_SCRIPT)
    page = context.new_page()
    try:
        app = App(page, url).open(timeout_ms=WAIT_MS, engine=engine, precision=precision, backend=backend, size=size, thread=where,
                                  faces=faces)
        info = dataset(page, "#backend-info")
        heap_start = heap_mb(page)
        app.start_camera()
        last, frames, fps, page_t0 = time_frames(page, budget_s, min_frames, warmup_frames)
        return {
            "engine": engine, "precision": last["precision"], "backend": backend, "size": size, "where": where, "faces": faces,
            "faces_found": int(last["faces"]) if last.get("faces") else None,
            "detect_ms": float(last["detectMs"]) if faces == "on" else None,
            "ran_backend": info["backend"], "backend_info": page.inner_text("#backend-info"),
            "load_ms": int(info["loadMs"]), "first_inference_ms": int(info["firstInferenceMs"]),
            "frames": frames, "fps": round(fps, 2),
            **{stage.replace("Ms", "_ms"): float(last[stage]) for stage in STAGES if last.get(stage)},
            **long_tasks(page, page_t0),
            "heap_start_mb": heap_start, "heap_end_mb": heap_mb(page),
            "tensors": int(last["tensors"]) if last.get("tensors") else None,
            "dropped": int(last["dropped"]),
        }
    finally:
        context.close()


def measure_peer(browser, url, backend, size, where, budget_s, min_frames) -> dict:
    context = browser.new_context()
    context.add_init_script(PAGE_PROBES_SCRIPT)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    wasm_fetched: list[int] = []
    page.on("response", lambda response: wasm_fetched.append(response.status) if response.url.endswith("tfjs-backend-wasm.wasm") else None)
    try:
        page.goto(f"{url}?backend={backend}&size={size}&thread={where}")
        page.wait_for_function("['running', 'error'].includes(document.querySelector('#status').dataset.state)", timeout=WAIT_MS)
        if dataset(page, "#status")["state"] == "error":
            raise RuntimeError(page.inner_text("#status"))
        heap_start = heap_mb(page)
        last, frames, fps, page_t0 = time_frames(page, budget_s, min_frames)
        failed_wasm = any("wasm" in line.lower() and ("fail" in line.lower() or "error" in line.lower()) for line in console)
        ran = backend if backend != "wasm" or (wasm_fetched == [200] and not failed_wasm) else "not wasm (fell back)"
        return {
            "engine": "peer", "precision": "fp32", "backend": backend, "size": size, "where": where,
            "ran_backend": ran, "backend_info": "tfjs 3.9.0 " + ("WASM (plain: setWasmPath disables SIMD and threads)" if backend == "wasm" else "WebGL"),
            "load_ms": int(last["loadMs"]), "first_inference_ms": int(last["firstInferenceMs"]),
            "frames": frames, "fps": round(fps, 2),
            "inference_ms": float(last["inferenceMs"]),
            **long_tasks(page, page_t0),
            "heap_start_mb": heap_start, "heap_end_mb": heap_mb(page),
            "dropped": int(last["dropped"]),
        }
    finally:
        context.close()


def native_ms(sizes: list[int], runs: int = 5) -> dict[int, float]:
    """Median onnxruntime (CPU, all cores) ms per frame: the same ONNX model, same input sizes."""
    import numpy as np
    import onnxruntime as ort

    manifest = json.loads((ROOT / "models" / "manifest.json").read_text())
    options = ort.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    session = ort.InferenceSession(str(ROOT / "models" / "dist" / manifest["onnx"]["dir"] / manifest["onnx"]["model"]), options,
                                   providers=["CPUExecutionProvider"])
    result = {}
    for size in sizes:
        frame = np.random.default_rng(0).uniform(-1, 1, (1, size, size, 3)).astype(np.float32)
        session.run([manifest["onnx"]["labels_output"]], {manifest["onnx"]["input"]: frame})
        times = []
        for _ in range(runs if size < 1024 else 3):
            start = time.perf_counter()
            session.run([manifest["onnx"]["labels_output"]], {manifest["onnx"]["input"]: frame})
            times.append(1000 * (time.perf_counter() - start))
        result[size] = round(sorted(times)[len(times) // 2], 1)
    return result


def goals(rows: list[dict], native: dict[int, float]) -> list[dict]:
    """The speed goals of issue 22 (real time on a CPU), computed from one run."""
    ours = [r for r in rows if r["engine"] != "peer" and r["ran_backend"] == "wasm"]
    workers = [r for r in ours if r["where"] == "worker"]
    faces_on = lambda size: [r for r in workers if r["size"] == size and r["faces"] in ("on", None)]  # noqa: E731
    out = []
    for size, target in ((448, 5.0), (288, 9.0)):
        if faces_on(size):
            best = max(faces_on(size), key=lambda r: r["fps"])
            out.append({"goal": f"{size} WASM worker, faces on: FPS >= {target:g}", "value": best["fps"], "target": target,
                        "met": best["fps"] >= target, "detail": f"{best['engine']} {best['precision']}"})
    peer = [r for r in rows if r["engine"] == "peer" and r["size"] == 448]
    if faces_on(448) and peer:
        best, best_peer = max(faces_on(448), key=lambda r: r["fps"]), max(peer, key=lambda r: r["fps"])
        out.append({"goal": "448 faces on >= 6x the peer's best at 448", "value": round(best["fps"] / best_peer["fps"], 2), "target": 6.0,
                    "met": best["fps"] >= 6 * best_peer["fps"],
                    "detail": f"{best['engine']} {best['precision']} {best['fps']} FPS vs peer {best_peer['where']} {best_peer['fps']} FPS"})
    for r in workers:
        ratio = r["fps"] * r["inference_ms"] / 1000
        out.append({"goal": f"pipelined FPS >= 0.85 / inference ({r['engine']} {r['precision']} {r['size']} faces {r['faces']})",
                    "value": round(ratio, 2), "target": 0.85, "met": ratio >= 0.85, "detail": f"{r['fps']} FPS x {r['inference_ms']:.0f} ms"})
    off = {(r["engine"], r["precision"], r["backend"], r["size"], r["where"]): r for r in rows if r.get("faces") == "off"}
    for r in rows:
        base = off.get((r["engine"], r["precision"], r["backend"], r["size"], r["where"])) if r.get("faces") == "on" else None
        if base:
            ratio = r["fps"] / base["fps"]
            out.append({"goal": f"faces on: FPS >= 0.9 x faces off ({r['engine']} {r['precision']} {r['size']} {r['where']})",
                        "value": round(ratio, 2), "target": 0.9, "met": ratio >= 0.9,
                        "detail": f"{r['fps']} vs {base['fps']} FPS, detector {r['detect_ms']:.0f} ms per detection"})
    if workers:
        worst = max(workers, key=lambda r: r["longest_task_ms"])
        out.append({"goal": "worker mode: no main-thread long task > 50 ms", "value": worst["longest_task_ms"], "target": 50,
                    "met": worst["longest_task_ms"] <= 50, "detail": f"longest in {worst['engine']} {worst['backend']} {worst['size']}"})
    return out


def markdown(result: dict) -> str:
    lines = [f"Machine: {result['machine']}", ""]
    for clip, rows in result["clips"].items():
        lines += [f"### Clip: {clip}", "",
                  "| engine | precision | backend | size | thread | faces | FPS | inference ms | detect ms | whole frame ms | person ms | capture | pre | transfer | post | draw | load ms | first inference ms | long tasks (longest ms) | heap MB start→end | frames |",
                  "|---|---|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|"]
        detect = lambda r: "–" if r.get("detect_ms") is None else f"{r['detect_ms']:.0f}"  # noqa: E731
        for r in rows:
            stage = lambda name: f"{r[name]:.1f}" if name in r else "–"  # noqa: E731
            lines.append(
                f"| {r['engine']} | {r['precision']} | {r['ran_backend']} | {r['size']} | {r['where']} | {r.get('faces') or ''} | {r['fps']:.2f} | "
                f"{r['inference_ms']:.0f} | {detect(r)} | "
                f"{stage('context_ms')} | {stage('person_ms')} | "
                f"{stage('capture_ms')} | {stage('pre_ms')} | {stage('transfer_ms')} | {stage('post_ms')} | {stage('draw_ms')} | "
                f"{r['load_ms']} | {r['first_inference_ms']} | {r['long_tasks']} ({r['longest_task_ms']}) | "
                f"{r['heap_start_mb']}→{r['heap_end_mb']} | {r['frames']} |")
        lines += ["", "| goal | value | target | met | detail |", "|---|---:|---:|---|---|"]
        lines += [f"| {g['goal']} | {g['value']} | {g['target']} | {'yes' if g['met'] else 'NO'} | {g['detail']} |" for g in result["goals"][clip]]
        lines.append("")
    lines.append("Native onnxruntime (CPU): " + ", ".join(f"{size}: {ms:.0f} ms" for size, ms in result["native_ms"].items()))
    return "\n".join(lines)


def chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    clip, rows = next(iter(result["clips"].items()))
    rows = [r for r in rows if r["ran_backend"] in ("wasm", "webgl", "webgpu")] or rows
    labels = [f"{r['engine']} {r['precision']} {r['ran_backend']} {r['size']} {r['where']}{' faces ' + r['faces'] if r.get('faces') else ''}" for r in rows]
    colors = ["#d1495b" if r["engine"] == "peer" else "#00798c" if r["engine"] == "tfjs" else "#edae49" for r in rows]
    fig, ax = plt.subplots(figsize=(10, 0.32 * len(rows) + 1.6))
    ax.barh(range(len(rows)), [r["fps"] for r in rows], color=colors)
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.invert_yaxis()
    for size, ms in result["native_ms"].items():
        ax.axvline(1000 / ms, linestyle="--", linewidth=1, color="grey")
        ax.text(1000 / ms, len(rows) - 0.5, f" native {size}", fontsize=7, color="grey", rotation=90, va="bottom")
    ax.set_xlabel("end-to-end FPS (dashed: native onnxruntime 1/inference)")
    ax.set_title(f"faceparts (tfjs teal, ORT amber) vs peer (red) — {clip} clip, {result['machine_short']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=12.0, help="seconds of timed frames per cell (default 12)")
    parser.add_argument("--min-frames", type=int, default=3)
    parser.add_argument("--sizes", default="288,448,1024")
    parser.add_argument("--clips", default="astronaut", help="astronaut, talking-head or all")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--gpu-size", type=int, default=288, help="size of the software WebGL/WebGPU cells; 0 skips them")
    parser.add_argument("--gpu-frames", type=int, default=2, help="timed frames of each software-GPU cell")
    parser.add_argument("--engines", default="tfjs,ort,peer", help="which of tfjs, ort, peer to run")
    parser.add_argument("--precisions", default="int8,fp32", help="ORT's on WASM: int8, fp32 or both")
    parser.add_argument("--threads", default="worker,main", help="which of worker, main to run")
    parser.add_argument("--faces", default="on", help="find faces: on, off or on,off (both, to compare)")
    parser.add_argument("--backends", default="wasm,webgl,webgpu", help="which backends to run")
    parser.add_argument("--out", type=Path, default=Path("bench/results/fps"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    native = native_ms(sizes)
    print(f"native onnxruntime: {native}", file=sys.stderr, flush=True)
    result = {"clips": {}, "goals": {}, "native_ms": native}
    with tempfile.TemporaryDirectory() as tmp, live_server() as server, peer_server() as peer_url, sync_playwright() as playwright:
        for clip, y4m in clips(Path(tmp), args.clips).items():
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=CHROMIUM_FLAGS + ["--enable-precise-memory-info"] + fake_webcam_flags(y4m))
            rows = []
            cells = [cell for cell in our_cells(sizes, args.gpu_size, args.faces.split(","), args.precisions.split(","))
                     + ([] if args.no_peer else peer_cells(sizes))
                     if cell[0] in args.engines.split(",") and cell[2] in args.backends.split(",")
                     and cell[4] in args.threads.split(",")]
            for engine, precision, backend, size, where, faces in cells:
                try:
                    if engine == "peer":
                        row = measure_peer(browser, peer_url, backend, size, where, args.budget, args.min_frames)
                    elif backend == "wasm":
                        row = measure_ours(browser, server.url, engine, precision, backend, size, where, faces, args.budget, args.min_frames)
                    else:
                        row = measure_ours(browser, server.url, engine, precision, backend, size, where, faces, 0, args.gpu_frames,
                                           warmup_frames=1)
                except Exception as error:  # one broken cell must not lose the run
                    print(f"{engine} {backend} {size} {where}: FAILED {error}", file=sys.stderr, flush=True)
                    continue
                print(f"{clip:12} {engine:4} {row['precision']:4} {row['ran_backend']:6} {size:5} {where:6} faces {faces or '-':3} {row['fps']:6.2f} FPS  "
                      f"inference {row['inference_ms']:.0f} ms  longest task {row['longest_task_ms']} ms", file=sys.stderr, flush=True)
                rows.append(row)
            browser.close()
            result["clips"][clip] = rows
            result["goals"][clip] = goals(rows, native)

    result["machine_short"] = f"{platform.machine()}, {os.cpu_count()} cores, no GPU"
    result["machine"] = f"{result['machine_short']}, headless Chromium ({CHROMIUM}); software WebGL/WebGPU is SwiftShader"
    write_report(args.out, result, markdown(result))
    chart(result, args.out.with_suffix(".png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
