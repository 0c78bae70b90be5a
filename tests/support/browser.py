"""Drives the real app in headless Chromium: the server in a thread, the browser, a fake webcam.

Shared by the end-to-end tests and the benchmarks in bench/.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from werkzeug.serving import WSGIRequestHandler, make_server

from server import create_app

CHROMIUM = "/usr/bin/chromium"
# Without the networking flags Chromium keeps calling home, which this offline machine refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Exposes the SwiftShader WebGPU adapter; the app still prefers WASM over it on Auto.
    "--enable-unsafe-webgpu",
]


def fake_webcam_flags(y4m_path: Path) -> list[str]:
    return [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={y4m_path}",
    ]


class QuietRequestHandler(WSGIRequestHandler):
    """Logs errors only: a page load makes ~50 requests, which would bury test output. Each path
    asked for is kept in the server's `served` list."""

    served: list[str]

    def log_request(self, code="-", size="-"):
        self.served.append(self.path)
        if str(code).startswith(("4", "5")):
            super().log_request(code, size)


class LiveServer:
    """The Flask app on 127.0.0.1 and a free port, in a background thread. `served` lists every
    path it was asked for, in order."""

    def __init__(self, config: dict | None = None):
        self.served: list[str] = []
        handler = type("RecordingRequestHandler", (QuietRequestHandler,), {"served": self.served})
        self.server = make_server("127.0.0.1", 0, create_app(config), threaded=True, request_handler=handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@contextmanager
def live_server(config: dict | None = None):
    with LiveServer(config) as server:
        yield server


def astronaut_face() -> np.ndarray:
    """The face of skimage's public-domain astronaut photo, 256x256 RGB.

    Cropped as tightly as CelebAMask-HQ's training faces: on the whole 512x512
    picture the face is too small for the model to find the eyes.
    """
    from skimage import data

    return data.astronaut()[0:256, 106:362].copy()


def rgb_to_yuv420(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BT.601 limited range, as cameras and Chromium's fake capture use; chroma averaged 2x2."""
    r, g, b = (rgb[..., i].astype(np.float64) / 255 for i in range(3))
    y = 16 + 65.481 * r + 128.553 * g + 24.966 * b
    u = 128 - 37.797 * r - 74.203 * g + 112.0 * b
    v = 128 + 112.0 * r - 93.786 * g - 18.214 * b
    def subsample(plane):
        h, w = plane.shape
        return plane[: h // 2 * 2, : w // 2 * 2].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
    to_u8 = lambda plane: np.clip(np.round(plane), 0, 255).astype(np.uint8)  # noqa: E731
    return to_u8(y), to_u8(subsample(u)), to_u8(subsample(v))


def write_y4m(path: Path, frames: list[np.ndarray], fps: int = 30) -> Path:
    """Writes RGB frames (even width and height) as a YUV4MPEG2 4:2:0 file for the fake webcam."""
    height, width = frames[0].shape[:2]
    if height % 2 or width % 2:
        raise ValueError("y4m 4:2:0 needs an even width and height")
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            f.write(b"FRAME\n")
            for plane in rgb_to_yuv420(frame):
                f.write(plane.tobytes())
    return path
