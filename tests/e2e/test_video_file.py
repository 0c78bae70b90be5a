"""A video file in the page: opened like a photo, it plays through the camera's frame path (faces
tracked, parsed frame after frame) with Play/Pause and a position slider; a frame shown while
paused is parsed; a video the browser cannot decode gets a message that says what to do."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.clips import write_video
from tests.support.faces import moving_face

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    # VP9 in WebM: a codec every browser the README names decodes.
    return write_video(tmp_path_factory.mktemp("clip") / "swing.webm", moving_face(60), rate=15, codec="libvpx-vp9")


def test_a_video_file_plays_through_the_frame_path_and_pauses_and_seeks(app, clip):
    app.open(backend="wasm", size=288)
    app.open_photo(clip)
    app.wait_state("running")
    assert app.page.is_visible("#video-controls")
    status = app.wait_frames(3)
    assert status["faces"] == "1", "the swinging face is found and tracked"
    assert app.page.inner_text("#status-text") == "Playing swing.webm"
    assert float(status["fps"]) > 0

    app.page.click("#video-play")
    app.wait_state("paused")
    assert app.page.inner_text("#video-play") == "Play"
    app.page.wait_for_timeout(1500)  # a frame in flight finishes
    paused_at = int(app.status()["frames"])
    app.page.wait_for_timeout(1500)
    assert int(app.status()["frames"]) == paused_at, "no frame is parsed while the video stands still"

    # Moved while paused: the frame now on show is parsed, once.
    before = app.labels()
    app.page.eval_on_selector("#video-position", "(slider, value) => { slider.value = value; slider.dispatchEvent(new Event('input')); }", "750")
    app.wait_frames(1)
    assert app.status()["state"] == "paused"
    moved = app.labels()
    # Three quarters in, the head has swung to the far left of the frame.
    columns = lambda labels: float(np.nonzero(labels == 1)[1].mean())  # noqa: E731
    assert abs(columns(moved) - columns(before)) > 10, (columns(before), columns(moved))

    app.page.click("#video-play")
    app.wait_state("running")
    app.page.click("#camera-stop")
    app.wait_state("stopped")
    assert not app.page.is_visible("#video-controls")


def test_a_video_the_browser_cannot_decode_gets_a_message_and_the_app_goes_on(app, tmp_path):
    app.open(backend="wasm", size=288)
    lossless = write_video(tmp_path / "lossless.mkv", moving_face(4), codec="ffv1")
    app.open_photo(lossless)
    message = app.wait_message("cannot be played by this browser")
    assert "lossless.mkv" in message and "Convert it to MP4 (H.264) or WebM (VP9)" in message
    assert app.status()["state"] == "ready"

    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(2000))
    app.open_photo(broken)
    assert "broken.mp4" in app.wait_message("broken.mp4")
    app.page.click("#sample-photo")
    app.wait_state("parsed")
