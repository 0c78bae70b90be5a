"""Loopback load on the production server (waitress): server.py in its own process, and
concurrent clients that fetch the page and the files a page load needs for a fixed time.
Every response is checked: status 200 and the exact length of the file on disk.

Used by tests/integration/test_server_load.py and bench/load.py.
"""

from __future__ import annotations

import http.client
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from server import ROOT

# What one page load with the default settings (tfjs on WASM) fetches, by URL and file on disk.
PAGE_LOAD = {
    "/": ROOT / "web" / "index.html",
    "/web/style.css": ROOT / "web" / "style.css",
    "/web/js/app.js": ROOT / "web" / "js" / "app.js",
    "/web/js/ui.js": ROOT / "web" / "js" / "ui.js",
    "/web/pyscript.json": ROOT / "web" / "pyscript.json",
    "/web/python/main.py": ROOT / "web" / "python" / "main.py",
    "/web/python/faceparts/pipeline.py": ROOT / "web" / "python" / "faceparts" / "pipeline.py",
    "/worker/worker.js": ROOT / "worker" / "worker.js",
    "/worker/create-engine.js": ROOT / "worker" / "create-engine.js",
    "/worker/tfjs-engine.js": ROOT / "worker" / "tfjs-engine.js",
    "/models/manifest.json": ROOT / "models" / "manifest.json",
    "/vendor/assets.json": ROOT / "vendor" / "assets.json",
    "/vendor/pyscript/core.js": ROOT / "vendor" / "pyscript" / "core.js",
    "/vendor/tfjs/tf.min.js": ROOT / "vendor" / "tfjs" / "tf.min.js",
    "/vendor/tfjs/tfjs-backend-wasm-threaded-simd.wasm": ROOT / "vendor" / "tfjs" / "tfjs-backend-wasm-threaded-simd.wasm",
    "/vendor/pyodide/pyodide.asm.wasm": ROOT / "vendor" / "pyodide" / "pyodide.asm.wasm",
    "/models/bisenetv2-celebamask/tfjs/model.json": ROOT / "models" / "dist" / "bisenetv2-celebamask" / "tfjs" / "model.json",
    "/models/bisenetv2-celebamask/tfjs/group1-shard1of3.bin": ROOT / "models" / "dist" / "bisenetv2-celebamask" / "tfjs" / "group1-shard1of3.bin",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def production_server(threads: int = 16):
    """server.py (waitress) in its own process, so clients and server do not share a GIL."""
    port = free_port()
    # A file, not a pipe: an unread pipe fills with waitress' queue warnings and stalls the server.
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "server.py"), "--port", str(port), "--threads", str(threads)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"server.py did not start: {log.read().decode()[-2000:]}")
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def hammer(port: int, clients: int, seconds: float, paths: dict[str, Path] = PAGE_LOAD) -> dict:
    """`clients` threads, each with a keep-alive connection, fetch `paths` round-robin for `seconds`."""
    expected = {url: path.stat().st_size for url, path in paths.items()}
    urls = list(expected)
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    totals = {"requests": 0, "bytes": 0}
    stop_at = time.monotonic() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, sent, received = [], 0, 0
        i = index
        while time.monotonic() < stop_at:
            url = urls[i % len(urls)]
            i += 1
            started = time.perf_counter()
            try:
                connection.request("GET", url)
                response = connection.getresponse()
                body = response.read()
                if response.status != 200 or len(body) != expected[url]:
                    with lock:
                        errors.append(f"{url}: HTTP {response.status}, {len(body)} of {expected[url]} bytes")
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    errors.append(f"{url}: {type(error).__name__}: {error} after {time.perf_counter() - started:.1f} s, at {time.monotonic() - stop_at + seconds:.1f} s")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
            sent += 1
            received += len(body)
        connection.close()
        with lock:
            latencies.extend(mine)
            totals["requests"] += sent
            totals["bytes"] += received

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": totals["requests"],
        "errors": len(errors),
        "first_errors": errors[:5],
        "requests_per_s": round(totals["requests"] / elapsed, 1),
        "mb_per_s": round(totals["bytes"] / elapsed / 1e6, 1),
        "latency_ms_median": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "latency_ms_p99": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1) if latencies else None,
    }


