"""Bad input, missing hardware, crashes and damaged files: each gets a clear message and the app
goes on (or, when it cannot start, says which file to fix and how)."""

from __future__ import annotations

import io
import time
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError

from tests.support.app import App
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS, fake_webcam_flags
from tests.support.faces import assert_face_outline

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def encode(image: np.ndarray, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, format=fmt, **options)
    return out.getvalue()


# ---- uploads ---------------------------------------------------------------------------------

@pytest.fixture
def parsed_app(app, webcam_frame, tmp_path):
    """The app with a good photo already parsed, and its labels: bad uploads must not lose them."""
    app.open(backend="wasm", size=288)
    good = tmp_path / "good.png"
    good.write_bytes(encode(webcam_frame, "PNG"))
    app.open_photo(good)
    app.wait_parsed("good.png")
    return app, app.labels()


def bad_files(face: np.ndarray) -> dict[str, tuple[bytes, str]]:
    jpeg, png = encode(face, "JPEG"), encode(face, "PNG")
    return {
        "notes.png": (b"this is text, not a picture\n", '"notes.png" is not an image'),
        "cut.jpg": (jpeg[: len(jpeg) // 2], '"cut.jpg" looks like a JPEG but could not be decoded: the file is truncated or damaged'),
        "cut.png": (png[: len(png) // 2], '"cut.png" looks like a PNG but could not be decoded'),
        "empty.jpg": (b"", '"empty.jpg" is empty (0 bytes)'),
        "huge.jpg": (b"\xff\xd8\xff" + bytes(51 * 1024 * 1024), "photos up to 50 MB are accepted"),
    }


@pytest.mark.parametrize("name", ["notes.png", "cut.jpg", "cut.png", "empty.jpg", "huge.jpg"])
def test_a_bad_upload_gets_a_message_and_the_last_parse_is_kept(parsed_app, webcam_frame, tmp_path, name):
    app, good_labels = parsed_app
    data, expected = bad_files(webcam_frame)[name]
    (tmp_path / name).write_bytes(data)
    app.open_photo(tmp_path / name)
    assert expected in app.wait_message(expected[:12])
    assert app.status()["state"] == "parsed" and app.page.inner_text("#status-text") == "Parsed good.png"
    assert np.array_equal(app.labels(), good_labels), "the previous parse was lost"
    # ... and the app goes on: the camera still runs.
    app.start_camera()
    app.wait_frames(1)


def test_a_huge_image_is_scaled_down_and_parsed(app, webcam_frame, tmp_path):
    app.open(backend="wasm", size=448)
    canvas = np.full((9000, 12000, 3), 235, dtype=np.uint8)
    canvas[:, 1500:10500] = np.asarray(Image.fromarray(webcam_frame).resize((9000, 9000)))
    (tmp_path / "poster.jpg").write_bytes(encode(canvas, "JPEG", quality=80))
    app.open_photo(tmp_path / "poster.jpg")
    app.wait_parsed("poster.jpg")
    assert "12000×9000 pixels: scaled down to 4096×3072" in app.message()
    labels = app.labels()
    assert labels.shape == (3072, 4096), "exports are at the (scaled-down) photo's size"
    assert (labels == 1).mean() > 0.05, "no skin found in the scaled-down poster"
    assert {4, 5, 10} & set(np.unique(labels).tolist()), "no eyes or nose in the scaled-down poster"


def test_png_with_alpha_is_parsed_on_white(app, webcam_frame, tmp_path):
    app.open(backend="wasm", size=288)
    rgba = np.dstack([webcam_frame, np.full(webcam_frame.shape[:2], 255, np.uint8)])
    rgba[:, :40, 3] = 0  # a transparent strip down the left edge
    rgba[:, :40, :3] = 0
    (tmp_path / "cutout.png").write_bytes(encode(rgba, "PNG"))
    app.open_photo(tmp_path / "cutout.png")
    app.wait_parsed("cutout.png")
    shown = app.page.evaluate("Array.from(document.querySelector('#photo').getContext('2d').getImageData(5, 100, 1, 1).data)")
    assert shown == [255, 255, 255, 255], "transparent pixels are not composited on white"
    assert_face_outline(app.labels())


def test_greyscale_photo_is_parsed(app, webcam_frame, tmp_path):
    app.open(backend="wasm", size=448)
    grey = np.asarray(Image.fromarray(webcam_frame).convert("L"))
    (tmp_path / "grey.png").write_bytes(encode(grey, "PNG"))
    app.open_photo(tmp_path / "grey.png")
    app.wait_parsed("grey.png")
    # Without colour the model loses the (grey) hair, but finds the face and its parts.
    labels = app.labels()
    assert (labels == 1).mean() > 0.05, "no skin in the greyscale parse"
    assert {4, 5, 10} & set(np.unique(labels).tolist()), "no eyes or nose in the greyscale parse"


def test_animated_gif_parses_its_first_frame_and_says_so(app, webcam_frame, tmp_path):
    app.open(backend="wasm", size=288)
    frames = [Image.fromarray(webcam_frame), Image.fromarray(webcam_frame[::-1].copy())]
    gif = io.BytesIO()
    frames[0].save(gif, format="GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    (tmp_path / "wave.gif").write_bytes(gif.getvalue())
    app.open_photo(tmp_path / "wave.gif")
    app.wait_parsed("wave.gif")
    assert '"wave.gif" is animated: its first frame is parsed.' in app.message()
    assert_face_outline(app.labels())  # upright: the first frame, not the flipped second


# ---- the camera ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("error_name", "expected"),
    [
        ("NotAllowedError", "Camera permission was denied. Allow the camera for this site"),
        ("NotFoundError", "No camera was found. Plug one in and press Start again"),
        ("NotReadableError", "The camera is busy in another application"),
    ],
)
def test_camera_failures_get_a_message_and_photos_still_work(app, webcam_frame, tmp_path, error_name, expected):
    app.page.add_init_script(f"""
        navigator.mediaDevices.getUserMedia = async () => {{
            throw new DOMException('refused by the test', {error_name!r});
        }};
    """)
    app.open(backend="wasm", size=288)
    app.page.click("#camera-start")
    assert expected in app.wait_message(expected[:20])
    assert app.status()["state"] == "ready"
    (tmp_path / "face.png").write_bytes(encode(webcam_frame, "PNG"))
    app.open_photo(tmp_path / "face.png")
    app.wait_parsed("face.png")


def test_camera_unplugged_while_running_stops_cleanly_and_can_restart(app):
    app.open(backend="wasm", size=288)
    app.start_camera()
    app.wait_frames(1)
    app.page.evaluate("document.querySelector('#video').srcObject.getVideoTracks()[0].dispatchEvent(new Event('ended'))")
    app.wait_state("stopped")
    assert "The camera stopped (unplugged or taken by another app). Press Start to resume." in app.page.inner_text("#status-text")
    assert app.page.is_disabled("#camera-stop")
    app.start_camera()
    app.wait_frames(1)


# ---- missing GPUs, lost contexts, crashed workers --------------------------------------------

@pytest.fixture(scope="module")
def gpuless_browser(playwright, webcam_y4m):
    """Chromium with no GPU process: no WebGL and no WebGPU anywhere, as on a machine without a GPU."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=CHROMIUM_FLAGS + ["--disable-gpu", "--disable-software-rasterizer"] + fake_webcam_flags(webcam_y4m),
    )
    yield browser
    browser.close()


@pytest.mark.parametrize("requested", ["auto", "webgl", "webgpu"])
def test_without_a_gpu_the_app_falls_back_to_wasm_and_says_why(gpuless_browser, live_server, requested):
    app = App(gpuless_browser.new_page(), live_server.url)
    try:
        app.open(backend=requested, size=288)
        info = app.page.inner_text("#backend-info")
        assert app.page.eval_on_selector("#backend-info", "e => e.dataset.backend") == "wasm"
        if requested == "auto":
            assert "WebGL skipped: no WebGL2 context here" in info, info
            assert "WebGPU skipped: " in info, info
        else:
            label = {"webgl": "WebGL", "webgpu": "WebGPU"}[requested]
            assert f"{label} was chosen but does not work here (" in info and "WASM runs instead" in info, info
        app.start_camera()
        app.wait_frames(1, backend="wasm")
    finally:
        app.page.close()


class InferenceWorkers:
    """The page's inference workers as Playwright reports them starting and closing. A worker the
    page terminated stays in page.workers until Playwright has seen it close, which on a loaded
    machine can take many seconds: so the waits below wait for those events, not for a time."""

    def __init__(self, page):
        self.page = page
        self.closed: list = []
        for worker in page.workers:
            self.watch(worker)
        page.on("worker", self.watch)

    def watch(self, worker):
        worker.on("close", lambda closed: self.closed.append(closed))

    def live(self) -> list:
        return [w for w in self.page.workers if urlsplit(w.url).path == "/worker/worker.js" and w not in self.closed]

    def wait(self, condition, what: str, timeout_s: float = 90.0):
        deadline = time.monotonic() + timeout_s
        while not condition():
            assert time.monotonic() < deadline, f"waited {timeout_s:.0f} s for {what}; live workers: {[w.url for w in self.live()]}"
            self.page.wait_for_timeout(100)  # lets Playwright report workers started or closed

    def the_one(self):
        """The one live inference worker, once every other one (the capability probe's) has closed."""
        self.wait(lambda: len(self.live()) == 1, "exactly one live inference worker")
        return self.live()[0]


def test_a_crashed_worker_is_restarted_and_the_app_goes_on(app):
    app.open(backend="wasm", size=288)
    workers = InferenceWorkers(app.page)
    app.start_camera()
    app.wait_frames(1, where="worker")
    broken = workers.the_one()
    # From now on every message makes the worker throw: the page sees the worker fail.
    broken.evaluate("() => { self.onmessage = () => { throw new Error('forced failure for the test'); }; }")
    notice = app.wait_message("The model stopped working")
    assert "the inference worker crashed" in notice and "forced failure for the test" in notice, notice
    assert "restarted the model and goes on" in notice, notice
    app.wait_frames(2, where="worker", backend="wasm")
    assert app.status()["state"] == "running"
    workers.wait(lambda: broken in workers.closed, "the crashed worker to be terminated")
    assert workers.the_one() is not broken


def test_a_lost_webgl_context_switches_to_wasm(app):
    app.open(backend="webgl", size=288)
    app.start_camera()
    app.wait_frames(1, backend="webgl")
    InferenceWorkers(app.page).the_one().evaluate("() => { tf.backend().gpgpu.gl.getExtension('WEBGL_lose_context').loseContext(); }")
    notice = app.wait_message("The model stopped working")
    assert "the WebGL context was lost" in notice and "switched from WebGL to WASM" in notice, notice
    app.wait_frames(2, backend="wasm")
    assert app.page.eval_on_selector("#backend-select", "e => e.value") == "wasm"


# ---- damaged or missing files ----------------------------------------------------------------

def corrupt(route):
    try:
        body = bytearray(route.fetch().body())
    except PlaywrightError:
        return  # the test ended (its page closed) while the file was on its way

    body[len(body) // 2] ^= 0xFF  # one flipped byte, same length
    route.fulfill(status=200, body=bytes(body), headers={"Content-Type": "application/octet-stream"})


@pytest.mark.parametrize(
    ("settings", "pattern", "broken", "expected"),
    [
        ({"engine": "tfjs", "backend": "wasm"}, "**/tfjs/group1-shard2of3.bin", "corrupt", "models/bisenetv2-celebamask/tfjs/group1-shard2of3.bin is damaged: its sha256 differs"),
        ({"engine": "tfjs", "backend": "wasm"}, "**/tfjs/model.json", "missing", "models/bisenetv2-celebamask/tfjs/model.json is missing on the server (HTTP 404)"),
        ({"engine": "tfjs", "backend": "wasm"}, "**/tfjs-backend-wasm-threaded-simd.wasm", "corrupt", "vendor/tfjs/tfjs-backend-wasm-threaded-simd.wasm is damaged"),
        ({"backend": "wasm"}, "**/onnx-int8/model-int8.onnx", "corrupt", "models/bisenetv2-celebamask/onnx-int8/model-int8.onnx is damaged"),
        ({"backend": "wasm", "precision": "fp32"}, "**/onnx/model.onnx", "corrupt", "models/bisenetv2-celebamask/onnx/model.onnx is damaged"),
        ({"backend": "wasm"}, "**/ort-wasm-simd-threaded.wasm", "missing", "vendor/ort/ort-wasm-simd-threaded.wasm is missing on the server"),
        ({"backend": "wasm"}, "**/pyodide/pyodide.asm.wasm", "missing", "vendor/pyodide/pyodide.asm.wasm is missing on the server"),
        ({"backend": "wasm"}, "**/pyodide/numpy-*.whl", "corrupt", "vendor/pyodide/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl is damaged"),
        ({"engine": "tfjs", "backend": "wasm"}, "**/face-detector/tfjs/weights.bin", "corrupt", "models/face-detector/tfjs/weights.bin is damaged"),
        ({"backend": "wasm"}, "**/face-detector/onnx/detector.onnx", "missing", "models/face-detector/onnx/detector.onnx is missing on the server"),
        ({"backend": "wasm"}, "**/person-mask/onnx/person.onnx", "corrupt", "models/person-mask/onnx/person.onnx is damaged"),
        ({"engine": "tfjs", "backend": "wasm"}, "**/person-mask/tfjs/weights.bin", "missing", "models/person-mask/tfjs/weights.bin is missing on the server"),
    ],
    ids=["tfjs-shard-corrupt", "tfjs-model-missing", "tfjs-wasm-corrupt", "int8-corrupt", "onnx-corrupt", "ort-wasm-missing",
         "pyodide-wasm-missing", "numpy-wheel-corrupt", "detector-weights-corrupt", "detector-onnx-missing", "person-onnx-corrupt",
         "person-weights-missing"],
)
def test_a_damaged_or_missing_file_is_named_with_the_fix(failing_app, settings, pattern, broken, expected):
    app = failing_app
    app.page.route(pattern, corrupt if broken == "corrupt" else lambda route: route.fulfill(status=404, body="not found"))
    shown = app.open_failing(**settings)
    assert expected in shown, shown
    assert "Run scripts/setup on the server, then reload the page." in shown, shown


def test_python_failing_to_start_is_reported(failing_app):
    app = failing_app
    app.page.route("**/web/python/main.py", lambda route: route.fulfill(
        status=200, body="raise RuntimeError('python broke for the test')\n", headers={"Content-Type": "text/x-python"}))
    shown = app.open_failing(backend="wasm")
    assert "Python failed to start" in shown and "python broke for the test" in shown, shown
