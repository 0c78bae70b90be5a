"""Serves the faceparts page and every file it needs, and nothing else.

The page runs entirely in the browser; this server only hands out static files
from a few allow-listed folders. Run `python server.py --help` for the flags.
"""

from __future__ import annotations

import argparse
import mimetypes
from pathlib import Path

from flask import Flask, abort, request, send_from_directory

ROOT = Path(__file__).resolve().parent

# Browsers refuse module scripts and streaming wasm compilation unless these
# two are labelled exactly so; Python's mimetypes table varies by platform.
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/x-python", ".py")

# Each URL prefix maps to one folder. Anything outside these folders, or with
# a suffix the page never loads, is a 404: no source tree, no listing.
SERVED_SUFFIXES = {
    ".html", ".js", ".mjs", ".css", ".json", ".wasm", ".bin", ".onnx",
    ".py", ".whl", ".zip", ".png", ".jpg", ".svg", ".ico",
}

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    # Pyodide and the tfjs wasm backend compile WebAssembly at run time; the
    # threaded wasm backend starts its pthreads from blob: workers.
    "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval' blob:",
    "worker-src 'self' blob:",
    "connect-src 'self' blob: data:",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
])


def default_config(root: Path = ROOT) -> dict:
    return {
        "WEB_DIR": root / "web",
        "WORKER_DIR": root / "worker",
        "VENDOR_DIR": root / "vendor",
        "MODELS_DIR": root / "models",
        "MODELS_DIST_DIR": root / "models" / "dist",
    }


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.update(default_config())
    if config:
        app.config.update(config)

    def serve(folder_key: str, path: str):
        if Path(path).suffix.lower() not in SERVED_SUFFIXES:
            abort(404)
        # send_from_directory refuses any path that escapes the folder
        # (.., absolute paths, encoded variants after URL decoding).
        return send_from_directory(Path(app.config[folder_key]), path)

    @app.get("/")
    def index():
        return serve("WEB_DIR", "index.html")

    @app.get("/web/<path:path>")
    def web(path):
        return serve("WEB_DIR", path)

    @app.get("/worker/<path:path>")
    def worker(path):
        return serve("WORKER_DIR", path)

    @app.get("/vendor/<path:path>")
    def vendor(path):
        return serve("VENDOR_DIR", path)

    @app.get("/models/manifest.json")
    def model_manifest():
        return serve("MODELS_DIR", "manifest.json")

    @app.get("/models/<path:path>")
    def model_files(path):
        return serve("MODELS_DIST_DIR", path)

    @app.after_request
    def add_headers(response):
        # Cross-origin isolation unlocks SharedArrayBuffer, which the
        # multi-threaded wasm backends need.
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Embedder-Policy"] = "require-corp"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        if request.path == "/" or request.path.endswith((".html", ".js", ".mjs", ".py", ".css")):
            # Code changes with every checkout; revalidate instead of going stale.
            response.headers["Cache-Control"] = "no-cache"
        return response

    return app


def serve_production(app: Flask, host: str, port: int, threads: int = 16) -> None:
    """Serves with waitress: a production WSGI server with a fixed pool of worker threads."""
    from waitress import serve

    serve(app, host=host, port=port, threads=threads, ident="faceparts")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the faceparts web app.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--threads", type=int, default=16, help="waitress worker threads (default 16)")
    parser.add_argument("--dev", action="store_true", help="Flask's development server instead of waitress")
    args = parser.parse_args(argv)
    missing = [p for p in ("VENDOR_DIR", "MODELS_DIST_DIR") if not default_config()[p].is_dir()]
    if missing:
        raise SystemExit("The browser assets are not built yet. Run `scripts/setup` first, then start again.")
    print(f"faceparts: open http://{args.host}:{args.port}/ in Chrome, Edge, Firefox or Safari", flush=True)
    app = create_app()
    if args.dev:
        app.run(host=args.host, port=args.port, threaded=True)
    else:
        serve_production(app, args.host, args.port, args.threads)


if __name__ == "__main__":
    main()
