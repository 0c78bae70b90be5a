"""Bad input, missing hardware, crashes and damaged files: each gets a clear message and the app
goes on (or, when it cannot start, says which file to fix and how)."""

from __future__ import annotations

import io
import time
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image

from tests.browser import CHROMIUM, CHROMIUM_FLAGS, fake_webcam_flags
from tests.e2e.app_driver import (
    assert_face_outline,
    exported_labels,
    open_app,
    start_camera,
    status,
    wait_frames,
)

pytestmark = pytest.mark.e2e


def message(page) -> str:
    return page.inner_text("#message") if page.is_visible("#message") else ""


def wait_message(page, text: str) -> str:
    page.wait_for_function(f"document.querySelector('#message').textContent.includes({text!r})")
    return message(page)


def open_photo(page, path):
    page.set_input_files("#photo-input", str(path))


def wait_parsed(page, name: str):
    page.wait_for_function(f"document.querySelector('#status-text').textContent === 'Parsed ' + {name!r}")


def encode(image: np.ndarray, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, format=fmt, **options)
    return out.getvalue()


# ---- uploads ---------------------------------------------------------------------------------

@pytest.fixture
def parsed_page(page, live_server, webcam_frame, tmp_path):
    """The app with a good photo already parsed: bad uploads must not lose it."""
    open_app(page, live_server, backend="wasm", size=288)
    good = tmp_path / "good.png"
    good.write_bytes(encode(webcam_frame, "PNG"))
    open_photo(page, good)
    wait_parsed(page, "good.png")
    page.good_labels = exported_labels(page)
    return page


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
def test_a_bad_upload_gets_a_message_and_the_last_parse_is_kept(parsed_page, webcam_frame, tmp_path, name):
    page = parsed_page
    data, expected = bad_files(webcam_frame)[name]
    (tmp_path / name).write_bytes(data)
    open_photo(page, tmp_path / name)
    assert expected in wait_message(page, expected[:12])
    assert status(page)["state"] == "parsed" and page.inner_text("#status-text") == "Parsed good.png"
    assert np.array_equal(exported_labels(page), page.good_labels), "the previous parse was lost"
    # ... and the app goes on: the camera still runs.
    start_camera(page)
    wait_frames(page, 1)


def test_a_huge_image_is_scaled_down_and_parsed(page, live_server, webcam_frame, tmp_path):
    open_app(page, live_server, backend="wasm", size=448)
    canvas = np.full((9000, 12000, 3), 235, dtype=np.uint8)
    canvas[:, 1500:10500] = np.asarray(Image.fromarray(webcam_frame).resize((9000, 9000)))
    (tmp_path / "poster.jpg").write_bytes(encode(canvas, "JPEG", quality=80))
    open_photo(page, tmp_path / "poster.jpg")
    wait_parsed(page, "poster.jpg")
    assert "12000×9000 pixels: scaled down to 4096×3072" in message(page)
    labels = exported_labels(page)
    assert labels.shape == (352, 448), "4:3 at 448 keeps the aspect ratio"
    assert (labels == 1).mean() > 0.05, "no skin found in the scaled-down poster"
    assert {4, 5, 10} & set(np.unique(labels).tolist()), "no eyes or nose in the scaled-down poster"


def test_png_with_alpha_is_parsed_on_white(page, live_server, webcam_frame, tmp_path):
    open_app(page, live_server, backend="wasm", size=288)
    rgba = np.dstack([webcam_frame, np.full(webcam_frame.shape[:2], 255, np.uint8)])
    rgba[:, :40, 3] = 0  # a transparent strip down the left edge
    rgba[:, :40, :3] = 0
    (tmp_path / "cutout.png").write_bytes(encode(rgba, "PNG"))
    open_photo(page, tmp_path / "cutout.png")
    wait_parsed(page, "cutout.png")
    shown = page.evaluate("Array.from(document.querySelector('#photo').getContext('2d').getImageData(5, 100, 1, 1).data)")
    assert shown == [255, 255, 255, 255], "transparent pixels are not composited on white"
    assert_face_outline(exported_labels(page))


def test_greyscale_photo_is_parsed(page, live_server, webcam_frame, tmp_path):
    open_app(page, live_server, backend="wasm", size=448)
    grey = np.asarray(Image.fromarray(webcam_frame).convert("L"))
    (tmp_path / "grey.png").write_bytes(encode(grey, "PNG"))
    open_photo(page, tmp_path / "grey.png")
    wait_parsed(page, "grey.png")
    # Without colour the model loses the (grey) hair, but finds the face and its parts.
    labels = exported_labels(page)
    assert (labels == 1).mean() > 0.05, "no skin in the greyscale parse"
    assert {4, 5, 10} & set(np.unique(labels).tolist()), "no eyes or nose in the greyscale parse"


def test_animated_gif_parses_its_first_frame_and_says_so(page, live_server, webcam_frame, tmp_path):
    open_app(page, live_server, backend="wasm", size=288)
    frames = [Image.fromarray(webcam_frame), Image.fromarray(webcam_frame[::-1].copy())]
    gif = io.BytesIO()
    frames[0].save(gif, format="GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    (tmp_path / "wave.gif").write_bytes(gif.getvalue())
    open_photo(page, tmp_path / "wave.gif")
    wait_parsed(page, "wave.gif")
    assert '"wave.gif" is animated: its first frame is parsed.' in message(page)
    assert_face_outline(exported_labels(page))  # upright: the first frame, not the flipped second


# ---- the camera ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("error_name", "expected"),
    [
        ("NotAllowedError", "Camera permission was denied. Allow the camera for this site"),
        ("NotFoundError", "No camera was found. Plug one in and press Start again"),
        ("NotReadableError", "The camera is busy in another application"),
    ],
)
def test_camera_failures_get_a_message_and_photos_still_work(page, live_server, webcam_frame, tmp_path, error_name, expected):
    page.add_init_script(f"""
        navigator.mediaDevices.getUserMedia = async () => {{
            throw new DOMException('refused by the test', {error_name!r});
        }};
    """)
    open_app(page, live_server, backend="wasm", size=288)
    page.click("#camera-start")
    assert expected in wait_message(page, expected[:20])
    assert status(page)["state"] == "ready"
    (tmp_path / "face.png").write_bytes(encode(webcam_frame, "PNG"))
    open_photo(page, tmp_path / "face.png")
    wait_parsed(page, "face.png")


def test_camera_unplugged_while_running_stops_cleanly_and_can_restart(page, live_server):
    open_app(page, live_server, backend="wasm", size=288)
    start_camera(page)
    wait_frames(page, 1)
    page.evaluate("document.querySelector('#video').srcObject.getVideoTracks()[0].dispatchEvent(new Event('ended'))")
    page.wait_for_function("document.querySelector('#status').dataset.state === 'stopped'")
    assert "The camera stopped (unplugged or taken by another app). Press Start to resume." in page.inner_text("#status-text")
    assert page.is_disabled("#camera-stop")
    start_camera(page)
    wait_frames(page, 1)


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
    page = gpuless_browser.new_page()
    try:
        open_app(page, live_server, backend=requested, size=288)
        info = page.inner_text("#backend-info")
        assert page.eval_on_selector("#backend-info", "e => e.dataset.backend") == "wasm"
        if requested == "auto":
            assert "WebGL skipped: no WebGL2 context here" in info, info
            assert "WebGPU skipped: " in info, info
        else:
            label = {"webgl": "WebGL", "webgpu": "WebGPU"}[requested]
            assert f"{label} was chosen but does not work here (" in info and "WASM runs instead" in info, info
        start_camera(page)
        wait_frames(page, 1, backend="wasm")
    finally:
        page.close()


def inference_worker(page, timeout_s: float = 10.0):
    """The one live inference worker. A terminated worker leaves page.workers only when Playwright
    has seen it close, a moment after the page terminated it: so wait for exactly one."""
    deadline = time.monotonic() + timeout_s
    while True:
        page.wait_for_function("true")  # let Playwright see workers started or closed so far
        workers = [w for w in page.workers if urlsplit(w.url).path == "/worker/worker.js"]
        if len(workers) == 1 or time.monotonic() > deadline:
            break
        page.wait_for_timeout(100)
    assert len(workers) == 1, [w.url for w in page.workers]
    return workers[0]


def test_a_crashed_worker_is_restarted_and_the_app_goes_on(page, live_server):
    open_app(page, live_server, backend="wasm", size=288)
    start_camera(page)
    wait_frames(page, 1, where="worker")
    broken = inference_worker(page)
    # From now on every message makes the worker throw: the page sees the worker fail.
    broken.evaluate("() => { self.onmessage = () => { throw new Error('forced failure for the test'); }; }")
    notice = wait_message(page, "The model stopped working")
    assert "the inference worker crashed" in notice and "forced failure for the test" in notice, notice
    assert "restarted the model and goes on" in notice, notice
    wait_frames(page, 2, where="worker", backend="wasm")
    assert status(page)["state"] == "running"
    assert inference_worker(page) is not broken


def test_a_lost_webgl_context_switches_to_wasm(page, live_server):
    open_app(page, live_server, backend="webgl", size=288)
    start_camera(page)
    wait_frames(page, 1, backend="webgl")
    inference_worker(page).evaluate("() => { tf.backend().gpgpu.gl.getExtension('WEBGL_lose_context').loseContext(); }")
    notice = wait_message(page, "The model stopped working")
    assert "the WebGL context was lost" in notice and "switched from WebGL to WASM" in notice, notice
    wait_frames(page, 2, backend="wasm")
    assert page.eval_on_selector("#backend-select", "e => e.value") == "wasm"


# ---- damaged or missing files ----------------------------------------------------------------

def open_failing_app(page, live_server, **settings) -> str:
    query = "&".join(f"{key}={value}" for key, value in settings.items())
    page.goto(f"{live_server.url}/?{query}")
    page.wait_for_function("document.querySelector('#status').dataset.state === 'error'", timeout=60_000)
    return page.inner_text("#message")


def corrupt(route):
    body = bytearray(route.fetch().body())
    body[len(body) // 2] ^= 0xFF  # one flipped byte, same length
    route.fulfill(status=200, body=bytes(body), headers={"Content-Type": "application/octet-stream"})


@pytest.mark.parametrize(
    ("settings", "pattern", "broken", "expected"),
    [
        ({"backend": "wasm"}, "**/tfjs/group1-shard2of3.bin", "corrupt", "models/bisenetv2-celebamask/tfjs/group1-shard2of3.bin is damaged: its sha256 differs"),
        ({"backend": "wasm"}, "**/tfjs/model.json", "missing", "models/bisenetv2-celebamask/tfjs/model.json is missing on the server (HTTP 404)"),
        ({"backend": "wasm"}, "**/tfjs-backend-wasm-threaded-simd.wasm", "corrupt", "vendor/tfjs/tfjs-backend-wasm-threaded-simd.wasm is damaged"),
        ({"engine": "ort", "backend": "wasm"}, "**/onnx/model.onnx", "corrupt", "models/bisenetv2-celebamask/onnx/model.onnx is damaged"),
        ({"engine": "ort", "backend": "wasm"}, "**/ort-wasm-simd-threaded.jsep.wasm", "missing", "vendor/ort/ort-wasm-simd-threaded.jsep.wasm is missing on the server"),
        ({"backend": "wasm"}, "**/pyodide/pyodide.asm.wasm", "missing", "vendor/pyodide/pyodide.asm.wasm is missing on the server"),
        ({"backend": "wasm"}, "**/pyodide/numpy-*.whl", "corrupt", "vendor/pyodide/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl is damaged"),
    ],
    ids=["tfjs-shard-corrupt", "tfjs-model-missing", "tfjs-wasm-corrupt", "onnx-corrupt", "ort-wasm-missing", "pyodide-wasm-missing", "numpy-wheel-corrupt"],
)
def test_a_damaged_or_missing_file_is_named_with_the_fix(failing_page, live_server, settings, pattern, broken, expected):
    page = failing_page
    page.route(pattern, corrupt if broken == "corrupt" else lambda route: route.fulfill(status=404, body="not found"))
    shown = open_failing_app(page, live_server, **settings)
    assert expected in shown, shown
    assert "Run scripts/setup on the server, then reload the page." in shown, shown


def test_python_failing_to_start_is_reported(failing_page, live_server):
    page = failing_page
    page.route("**/web/python/main.py", lambda route: route.fulfill(
        status=200, body="raise RuntimeError('python broke for the test')\n", headers={"Content-Type": "text/x-python"}))
    shown = open_failing_app(page, live_server, backend="wasm")
    assert "Python failed to start" in shown and "python broke for the test" in shown, shown
