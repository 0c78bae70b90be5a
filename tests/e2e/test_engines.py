"""Every browser engine the README names, end to end: one list of checks run in Chromium, WebKit
(Safari's engine, WebKitGTK's MiniBrowser) and Firefox ESR, then what is true of one engine
only, tested where it happens. The engines and how they are driven: tests/support/engines.py.

WebKit and Firefox show a test pattern as their camera (no face in it); Chromium shows the
astronaut (conftest.py).
"""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image

from server import ROOT
from tests.e2e.conftest import ENGINES
from tests.support.clips import write_video
from tests.support.faces import assert_agrees_with_native, assert_plausible_face, moving_face

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

MANIFEST = json.loads((ROOT / "models" / "manifest.json").read_text())
SAFARI_RULE = "no WebGL in Web Workers (Safari): the model runs on the main thread."


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


def square(picture: np.ndarray, size: int) -> np.ndarray:
    """The picture at the model's input size, so that neither the page nor the CLI resamples it."""
    return np.asarray(Image.fromarray(picture).resize((size, size), Image.BILINEAR))


# ---- the shared checks ----------------------------------------------------------------------

def test_the_page_loads_offline_from_its_own_server(start_app, live_server, engine):
    app = start_app(engine, live_server.url)
    first = len(live_server.served)
    app.open(backend="wasm")
    served = live_server.served[first:]
    # Auto on WASM: ONNX Runtime Web and the int8 parser.
    for needed in ("/models/bisenetv2-celebamask/onnx-int8/", "/models/face-detector/onnx/", "/vendor/ort/", "/vendor/pyodide/", "/web/python/"):
        assert any(path.startswith(needed) for path in served), f"{needed} was not loaded from the app's server"
    requested = app.requested_urls()
    assert requested, "the page's requests were recorded"
    own = urlsplit(live_server.url).netloc
    foreign = [url for url in requested if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != own]
    assert not foreign, f"{engine} asked other hosts: {foreign}"


@pytest.mark.parametrize(("parser", "precision"), [("tfjs", "fp32"), ("ort", "int8")])
def test_a_photo_is_parsed_as_the_native_cli_parses_it(start_app, live_server, native_parser, webcam_frame, tmp_path, engine, parser, precision):
    photo = square(webcam_frame, 448)
    app = start_app(engine, live_server.url)
    app.open(engine=parser, backend="wasm", size=448, faces="off")
    labels = app.parse_photo(photo, tmp_path / "face.png")
    assert app.status()["precision"] == precision
    assert_plausible_face(labels)
    assert_agrees_with_native(labels, native_parser.labels(photo, precision), f"{parser} {precision} in {engine}")


def test_a_photo_with_its_face_found(start_app, live_server, webcam_frame, tmp_path, engine):
    app = start_app(engine, live_server.url)
    app.open()
    assert_plausible_face(app.parse_photo(webcam_frame, tmp_path / "astronaut.png"))
    assert app.status()["faces"] == "1"


def test_the_camera_keeps_running_across_size_and_engine_switches(start_app, live_server, engine):
    app = start_app(engine, live_server.url)
    app.open(engine="tfjs", backend="wasm", size=448)
    app.start_camera()
    app.wait_frames(2, size=448, engine="tfjs", backend="wasm")
    app.page.select_option("#size-select", "288")
    app.wait_frames(2, size=288, engine="tfjs")
    app.page.select_option("#engine-select", "ort")
    app.wait_frames(2, size=288, engine="ort")
    assert app.status()["state"] == "running"


def test_exports_download(start_app, live_server, webcam_frame, tmp_path, engine):
    app = start_app(engine, live_server.url)
    app.open(backend="wasm", size=288)
    labels = app.parse_photo(webcam_frame, tmp_path / "astronaut.png")  # the label PNG's download
    assert labels.shape == webcam_frame.shape[:2]
    colors = np.asarray(Image.open(io.BytesIO(app.export("#export-color"))).convert("RGB"))
    assert colors.shape == (*labels.shape, 3)
    assert tuple(colors[labels == 1][0]) == tuple(MANIFEST["classes"][1]["color"])
    areas = json.loads(app.export("#export-areas"))
    assert sum(part["pixels"] for part in areas["classes"].values()) == labels.size
    picture = Image.open(io.BytesIO(app.export("#save-picture")))
    assert picture.format == "PNG" and picture.size == labels.shape[::-1]


def test_a_video_file_plays_and_its_frames_are_parsed_or_the_codec_is_named(start_app, live_server, tmp_path, engine):
    clip = write_video(tmp_path / "swing.webm", moving_face(45), rate=15, codec="libvpx-vp9")
    app = start_app(engine, live_server.url)
    app.open(backend="wasm", size=288)
    app.open_photo(clip)
    app.page.wait_for_function(
        "(() => { const s = document.querySelector('#status').dataset, m = document.querySelector('#message');"
        " return (['running', 'paused'].includes(s.state) && Number(s.frames) >= 2) || (!m.hidden && m.textContent.includes('swing.webm')); })()")
    if app.status()["state"] == "ready":
        # This engine's build has no VP9 decoder: the page says so and how to convert.
        assert engine != "chromium", app.message()
        assert "cannot be played by this browser" in app.message() and "Convert it to" in app.message()
        return
    assert app.status()["faces"] == "1", f"the swinging face, found in {engine}"


def test_a_damaged_model_file_is_named(start_app, damaged_model_server, engine):
    app = start_app(engine, damaged_model_server.url)
    message = app.open_failing(engine="tfjs", backend="wasm")
    assert "models/bisenetv2-celebamask/tfjs/group1-shard2of3.bin is damaged" in message, message
    assert "scripts/setup" in message, message


# ---- WebKit: Safari's rules -----------------------------------------------------------------

def test_webkit_moves_the_model_to_its_gpu_on_the_main_thread_by_itself_and_says_so(start_app, live_server, native_parser, webcam_frame, tmp_path):
    """The Safari rule, on Auto: WebGL exists on the page but not in a worker, so the model runs on
    the page. (WebKit names every GPU "Apple GPU", so Xvfb's llvmpipe cannot be told apart.)"""
    app = start_app("webkit", live_server.url)
    app.open(size=288, faces="off")
    assert SAFARI_RULE in app.message(), app.message()
    info = app.page.inner_text("#backend-info")
    assert info.startswith("Running on TensorFlow.js WebGL") and "on the main thread" in info, info
    assert "WebGL skipped: no WebGL2 context here" not in info, info
    photo = square(webcam_frame, 288)
    labels = app.parse_photo(photo, tmp_path / "face.png")
    assert (app.status()["where"], app.status()["backend"]) == ("main", "webgl")
    assert_agrees_with_native(labels, native_parser.labels(photo, "fp32"), "TensorFlow.js WebGL on WebKit's main thread")


def test_webkit_keeps_wasm_in_the_worker(start_app, live_server):
    app = start_app("webkit", live_server.url)
    app.open(backend="wasm")
    assert SAFARI_RULE not in app.message()
    assert "WASM" in app.page.inner_text("#backend-info") and "in a Web Worker" in app.page.inner_text("#backend-info")


def test_webkit_with_webgl_in_workers_keeps_the_model_in_the_worker(start_app, live_server, webcam_frame, tmp_path):
    app = start_app("webkit", live_server.url, features=("+AllowWebGLInWorkers",))
    app.open(backend="webgl", size=288)
    assert SAFARI_RULE not in app.message()
    assert_plausible_face(app.parse_photo(webcam_frame, tmp_path / "astronaut.png"))
    assert (app.status()["where"], app.status()["backend"]) == ("worker", "webgl")


@pytest.mark.parametrize("parser", ["tfjs", "ort"])
def test_webkit_without_shared_memory_runs_wasm_on_one_thread_and_says_so(start_app, live_server, webcam_frame, tmp_path, parser):
    app = start_app("webkit", live_server.url)
    app.open(engine=parser, backend="wasm", size=288)
    assert app.page.evaluate("typeof SharedArrayBuffer") == "undefined"
    info = app.page.inner_text("#backend-info")
    assert "1 thread (this browser has no SharedArrayBuffer here)" in info, info
    assert_plausible_face(app.parse_photo(webcam_frame, tmp_path / "astronaut.png"))


def test_webkit_with_shared_memory_runs_wasm_threads(start_app, live_server):
    app = start_app("webkit", live_server.url, shared_memory=True)
    app.open(backend="wasm", size=288)
    if app.page.evaluate("navigator.hardwareConcurrency") < 2:
        pytest.skip("one core: one thread either way")
    info = app.page.inner_text("#backend-info")
    assert " threads, " in info and "SharedArrayBuffer" not in info, info


# ---- Firefox --------------------------------------------------------------------------------

def test_firefox_headless_has_no_webgl_so_wasm_and_says_why(start_app, live_server):
    app = start_app("firefox", live_server.url)
    app.open()
    info = app.page.inner_text("#backend-info")
    assert app.page.eval_on_selector("#backend-info", "e => e.dataset.backend") == "wasm", info
    assert "WebGL skipped: no WebGL2 context here" in info, info


def test_firefox_with_a_display_has_webgl_and_its_labels_are_right(start_app, live_server, native_parser, webcam_frame, tmp_path):
    app = start_app("firefox", live_server.url, headless=False)
    app.open()
    info = app.page.inner_text("#backend-info")
    # Xvfb's WebGL is llvmpipe, the CPU emulating a GPU: Auto keeps WASM and says why.
    assert "WebGL skipped: software renderer" in info, info
    app.open(backend="webgl", size=288, faces="off")
    assert app.page.eval_on_selector("#backend-info", "e => e.dataset.backend") == "webgl"
    photo = square(webcam_frame, 288)
    labels = app.parse_photo(photo, tmp_path / "face.png")
    assert app.status()["where"] == "worker"
    assert_agrees_with_native(labels, native_parser.labels(photo, "fp32"), "TensorFlow.js WebGL in Firefox")
