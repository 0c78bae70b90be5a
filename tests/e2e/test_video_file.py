"""A video file in the page: opened like a photo, it plays through the camera's frame path (faces
tracked, parsed frame after frame) with Play/Pause and a position slider; a frame shown while
paused is parsed; a video the browser cannot decode gets a message that says what to do. Export
video writes every frame, as the view shows it and as labels equal to the command line's."""

from __future__ import annotations

import numpy as np
import pytest

from faceparts import cli
from tests.support.clips import read_video, swinging_then_cut, write_video, zipped_labels
from tests.support.faces import moving_face

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SWING = 60  # frames of one swing of the head (tests.support.faces.moving_face), at 15 fps


def face_centre(at_frame: int) -> float:
    """Where the swinging head's centre is, in frame columns, at a frame of the clip."""
    return 60 + 58 * np.sin(2 * np.pi * at_frame / SWING) + 100


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    # 12 s of the head swinging (three swings), as VP9 in WebM: a codec every browser the README names decodes.
    return write_video(tmp_path_factory.mktemp("clip") / "swing.webm", moving_face(SWING) * 3, rate=15, codec="libvpx-vp9")


def settled_frames(app, quiet_ms: int = 2000) -> int:
    """The frame count once it has not changed for quiet_ms (a slow machine finishes late)."""
    count = int(app.status()["frames"])
    while True:
        app.page.wait_for_timeout(quiet_ms)
        now = int(app.status()["frames"])
        if now == count:
            return count
        count = now


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
    paused_at = settled_frames(app)  # the frames in flight finish
    app.page.wait_for_timeout(1500)
    assert int(app.status()["frames"]) == paused_at, "no frame is parsed while the video stands still"

    # Moved while paused: the frame now on show is parsed, once. A quarter or three quarters into
    # the clip the head is at one side or the other: where it is not now.
    skin_column = lambda labels: float(np.nonzero(labels == 1)[1].mean())  # noqa: E731
    before = skin_column(app.labels())
    steps = max((250, 750), key=lambda step: abs(face_centre(round(step / 1000 * 12 * 15)) - before))
    expected = face_centre(round(steps / 1000 * 12 * 15))
    app.page.eval_on_selector("#video-position", "(slider, value) => { slider.value = value; slider.dispatchEvent(new Event('input')); }", str(steps))
    app.wait_frames(1)
    assert app.status()["state"] == "paused"
    moved = skin_column(app.labels())
    assert abs(moved - expected) < abs(before - expected) - 20, f"the face was at {before:.0f}, is at {moved:.0f}, expected near {expected:.0f}"

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


def start_export(app, clip) -> list:
    """Opens the clip in the page and starts Export video. -> the downloads, as they come."""
    app.open(backend="wasm", size=288)
    app.open_photo(clip)
    app.wait_frames(1)
    downloads = []
    app.page.on("download", lambda download: downloads.append(download))
    app.page.click("#export-video")
    app.page.wait_for_selector("#export-progress", state="visible")
    return downloads


def test_export_video_writes_every_frame_as_shown_and_labels_as_the_cli_parses_them(app, tmp_path):
    # The astronaut swinging, then a cut to another picture: 3 s at 15 fps, with sound.
    clip = write_video(tmp_path / "cut.webm", swinging_then_cut(45), rate=15, codec="libvpx-vp9", sound_seconds=3.0)
    downloads = start_export(app, clip)
    app.wait_message("Exported 45 frames of cut.webm")
    assert app.page.is_hidden("#export-progress")
    names = sorted(download.suggested_filename for download in downloads)
    assert names in (["cut.faceparts.mp4", "cut.labels.zip"], ["cut.faceparts.webm", "cut.labels.zip"]), names
    files = {download.suggested_filename.split(".", 1)[1]: download.path() for download in downloads}

    video_key = next(key for key in files if key.startswith("faceparts."))
    frames, times, has_sound = read_video(files[video_key])
    assert len(frames) == 45 and frames[0].shape == (240, 320, 3), "every frame, at the source's size"
    assert times == pytest.approx([index / 15 for index in range(45)], abs=0.01), "at the source's frame rate"
    assert has_sound, "the sound is kept"
    page_labels = zipped_labels(files["labels.zip"])
    assert len(page_labels) == 45

    precision = app.status()["precision"]
    assert cli.main(["parse", str(clip), "--size", "288", "--precision", precision, "--out", str(tmp_path / "cli"), "--workers", "1"]) == 0
    cli_labels = zipped_labels(tmp_path / "cli" / "cut.labels.zip")
    agreement = [float((mine == theirs).mean()) for mine, theirs in zip(page_labels, cli_labels)]
    shown = [round(share, 4) for share in agreement]
    # The page's export hands each frame's decoded planes to Python, which converts and resamples
    # them as the command does (faceparts.yuv, faceparts.sampling): only the engines differ (ONNX
    # Runtime Web against ONNX Runtime).
    assert min(agreement) >= 0.99, f"the page's labels against the CLI's, per frame: {shown}"
    # What the view shows: the overlay's colours over the face.
    face = page_labels[10] == 1
    source, _, _ = read_video(clip)
    assert np.abs(frames[10].astype(int) - source[10].astype(int))[face].mean() > 15


def test_an_export_can_be_cancelled_and_saves_nothing(app, tmp_path):
    clip = write_video(tmp_path / "long.webm", moving_face(60) * 3, rate=15, codec="libvpx-vp9")
    downloads = start_export(app, clip)
    app.page.wait_for_function("/Exporting: [1-9]/.test(document.querySelector('#export-status').textContent)")
    assert app.page.is_disabled("#export-video"), "one export at a time"
    app.page.click("#export-cancel")
    app.wait_message("Export cancelled: nothing was saved.")
    assert app.page.is_hidden("#export-progress") and not downloads
    # The video goes on playing and parsing afterwards.
    app.page.click("#video-play")
    app.wait_state("running")
    app.wait_frames(2)
