"""Videos in the CLI and the Python API: every frame parsed as the page parses a camera (faces
tracked, the steady mask), written as labels, an overlay video at the source's size and times with
its sound, and a line of areas and faces per frame; a still clip steadier than parsing each frame
alone; a run killed half-way goes on; bad videos are reported and the rest of the batch goes on."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from faceparts import FaceParser, cli, jobs, videos, yuv
from faceparts.metrics import flicker
from tests.support.clips import read_video, swinging_then_cut, write_video, zipped_labels
from tests.support.faces import moving_face, no_face, noisy_still

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

FACEPARTS = [sys.executable, "-m", "faceparts.cli"]
SIZE = "288"


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return write_video(tmp_path_factory.mktemp("clip") / "swing.mp4", swinging_then_cut(), sound_seconds=2.0)


@pytest.fixture(scope="module")
def parsed(clip, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    assert cli.main(["parse", str(clip), "--size", SIZE, "--out", str(out), "--workers", "1"]) == 0
    return out


def test_every_frame_gets_its_labels_a_line_and_a_frame_of_the_overlay_video_with_the_sound(clip, parsed):
    source, source_times, _ = read_video(clip)
    labels = zipped_labels(parsed / "swing.labels.zip")
    assert len(labels) == len(source) == 30
    assert all(frame.shape == (240, 320) for frame in labels)
    with zipfile.ZipFile(parsed / "swing.labels.zip") as archive:
        assert Image.open(io.BytesIO(archive.read("000000.png"))).mode == "P", "palette PNGs: ids shown in colours"

    overlay, overlay_times, has_sound = read_video(parsed / "swing.overlay.mp4")
    assert len(overlay) == len(source) and overlay[0].shape == source[0].shape
    assert overlay_times == pytest.approx(source_times, abs=1e-3)
    assert has_sound, "the source's sound is kept"
    # The overlay shows the parse: where the labels say face, the overlay differs from the source.
    face = labels[5] == 1
    assert np.abs(overlay[5].astype(int) - source[5].astype(int))[face].mean() > 20

    lines = [json.loads(line) for line in (parsed / "swing.frames.jsonl").read_text().splitlines()]
    assert [line["frame"] for line in lines] == list(range(30))
    assert [line["time"] for line in lines] == pytest.approx(source_times, abs=1e-3)
    assert all(len(line["faces"]) == 1 for line in lines[:22]), "the swinging face, tracked"
    assert lines[3]["classes"]["skin"]["pixels"] == int((labels[3] == 1).sum())


def test_frames_are_converted_as_ffmpeg_would_within_its_rounding(clip):
    ours = [rgb for rgb, _ in videos.frames(clip)]
    ffmpeg, _, _ = read_video(clip)
    assert len(ours) == len(ffmpeg)
    difference = np.abs(np.stack(ours).astype(int) - np.stack(ffmpeg))
    # The same BT.601 equations (the clip declares no matrix); FFmpeg's default conversion rounds
    # more coarsely.
    assert difference.mean() < 1.5 and np.percentile(difference, 99.9) <= 3


def test_a_clip_that_declares_its_colour_matrix_is_converted_with_it(tmp_path):
    import av

    tagged = tmp_path / "tagged.mp4"
    with av.open(str(tagged), "w") as target:
        stream = target.add_stream("libx264", rate=15)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.options = {"x264-params": "colormatrix=bt709", "crf": "10"}
        for rgb in swinging_then_cut(10):
            target.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        target.mux(stream.encode())
    with av.open(str(tagged)) as container:
        frame = next(container.decode(video=0))
        assert frame.colorspace == 1, "tagged BT.709"
        planes = [np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, :p.width] for p in frame.planes]
    first, _ = next(iter(videos.frames(tagged)))
    assert np.array_equal(first, yuv.to_rgb(*planes, "bt709"))
    assert not np.array_equal(first, yuv.to_rgb(*planes, "bt601"))


def test_the_cli_writes_what_the_python_api_gives(clip, parsed):
    from_api = [(result.labels, result.time) for result in FaceParser(size=int(SIZE)).parse_video(clip)]
    assert [time for _, time in from_api] == pytest.approx(read_video(clip)[1], abs=1e-3)
    for written, (labels, _) in zip(zipped_labels(parsed / "swing.labels.zip"), from_api):
        assert np.array_equal(written, labels)


def test_a_still_clip_is_steadier_than_each_frame_parsed_alone(tmp_path):
    frames = noisy_still(16)
    clip = write_video(tmp_path / "still.mkv", frames, codec="ffv1")  # lossless: the noise stays
    assert cli.main(["parse", str(clip), "--size", SIZE, "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    steadied = flicker(zipped_labels(tmp_path / "out" / "still.labels.zip"))
    parser = FaceParser(size=int(SIZE))
    alone = flicker([parser.parse(frame).labels for frame in read_video(clip)[0]])
    assert alone > 0.003, f"each frame alone flickers on the noise ({alone:.4f})"
    assert steadied <= 0.5 * alone, f"flicker: {steadied:.4f} steadied, {alone:.4f} frame by frame"


def test_videos_spread_over_cores_and_ray_give_the_same_labels(tmp_path):
    ray = pytest.importorskip("ray")
    folder = tmp_path / "clips"
    folder.mkdir()
    for name, frames in (("swing", moving_face(20)), ("cut", swinging_then_cut(20))):
        write_video(folder / f"{name}.mp4", frames)
    outputs = {}
    for mode in (["--workers", "1"], ["--workers", "2"], ["--ray", "auto", "--workers", "2"]):
        out = tmp_path / "-".join(mode).strip("-")
        assert cli.main(["parse", str(folder), "--size", SIZE, "--out", str(out), *mode]) == 0, mode
        outputs[" ".join(mode)] = {path.name: path.read_bytes() for path in sorted(out.glob("*.labels.zip"))}
    ray.shutdown()
    one = outputs["--workers 1"]
    assert sorted(one) == ["cut.labels.zip", "swing.labels.zip"]
    assert outputs["--workers 2"] == one and outputs["--ray auto --workers 2"] == one, "the same labels, byte for byte"


def overlays(out: Path) -> list[str]:
    return sorted(path.name for path in out.glob("*.overlay.mp4"))


def test_a_run_killed_during_a_video_goes_on_where_it_stopped(tmp_path):
    folder, out = tmp_path / "clips", tmp_path / "out"
    folder.mkdir()
    for name in ("a", "b", "c"):
        write_video(folder / f"{name}.mp4", moving_face(24))
    run = subprocess.Popen([*FACEPARTS, "parse", str(folder), "--out", str(out), "--size", SIZE, "--workers", "1"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    # Killed while the second video is half-written.
    while not (overlays(out) and list(out.glob(f"b.*{jobs.PARTIAL}"))):
        assert time.monotonic() < deadline and run.poll() is None, "the run got to the second video"
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert overlays(out) == ["a.overlay.mp4"]
    assert not (out / "b.labels.zip").exists(), "a half-parsed video has no output that looks complete"

    again = subprocess.run([*FACEPARTS, "parse", str(folder), "--out", str(out), "--size", SIZE, "--workers", "2"],
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"1 of 3 inputs already have their outputs in {out}: skipped" in again.stderr
    assert "parsed 2 of 2 videos" in again.stdout and "48 frames" in again.stdout
    assert "parse: 100%" in again.stderr and "frame/s" in again.stderr, "a progress bar in frames"
    assert overlays(out) == ["a.overlay.mp4", "b.overlay.mp4", "c.overlay.mp4"]
    assert not list(out.rglob(f"*{jobs.PARTIAL}")), "no half-written file is left"
    for name in ("a", "b", "c"):
        assert len(zipped_labels(out / f"{name}.labels.zip")) == 24
        assert len((out / f"{name}.frames.jsonl").read_text().splitlines()) == 24


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    (folder / "notes.mp4").write_text("not a video")
    whole = write_video(folder / "whole.mp4", moving_face(20)).read_bytes()
    (folder / "whole.mp4").unlink()
    (folder / "cut-index.mp4").write_bytes(whole[: len(whole) // 2])
    streamed = write_video(folder / "streamed.mp4", moving_face(30), options={"movflags": "faststart"}).read_bytes()
    (folder / "streamed.mp4").unlink()
    (folder / "cut-frames.mp4").write_bytes(streamed[: len(streamed) * 2 // 3])
    write_video(folder / "coffee.mp4", [no_face()[:240, :320]] * 6)
    # A variable frame rate: frames at uneven times.
    write_video(folder / "uneven.mp4", moving_face(8), times=[0, 0.05, 0.2, 0.25, 0.6, 0.65, 0.7, 1.2])
    write_video(folder / "huge.mkv", [np.zeros((4330, 7690, 3), dtype=np.uint8)], codec="ffv1")
    return folder


def test_bad_videos_are_reported_and_the_rest_of_the_batch_goes_on(bad_folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["parse", str(bad_folder), "--size", SIZE, "--out", str(out), "--workers", "1"]) == 1
    stdout, stderr = capsys.readouterr()
    assert "notes.mp4: not a video FFmpeg can read" in stderr
    assert "cut-index.mp4: not a video FFmpeg can read, or truncated" in stderr
    assert "cut-frames.mp4: truncated or damaged" in stderr
    assert "huge.mkv: 7690x4330 is larger than 8K" in stderr and "scale it down" in stderr
    assert "coffee.mp4: no face found in any frame" in stderr
    assert "parsed 2 of 6 videos" in stdout and "4 failed" in stdout
    assert sorted(path.name for path in out.iterdir()) == sorted(
        f"{stem}.{suffix}" for stem in ("coffee", "uneven") for suffix in jobs.VIDEO_OUTPUTS), "nothing else, nothing half-written"
    _, times, _ = read_video(out / "uneven.overlay.mp4")
    assert times == pytest.approx([0, 0.05, 0.2, 0.25, 0.6, 0.65, 0.7, 1.2], abs=1e-3), "each frame at its own time"


def test_the_api_says_what_is_wrong_with_a_file_that_is_not_a_video(bad_folder):
    with pytest.raises(videos.VideoError, match="not a video FFmpeg can read"):
        next(FaceParser(size=int(SIZE)).parse_video(bad_folder / "notes.mp4"))
