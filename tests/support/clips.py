"""Video files the tests make, with PyAV: frames at given times, optionally with sound; and the
clips in them."""

from __future__ import annotations

import io
import zipfile
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image

from tests.support.faces import moving_face, two_scenes


def swinging_then_cut(frames: int = 30) -> list[np.ndarray]:
    """320x240: the astronaut's head swinging, then a cut to another scene (her head, mirrored,
    on orange) for the last 8 frames."""
    swing = moving_face(frames)[: frames - 8]
    _, right = two_scenes()
    other = np.asarray(Image.fromarray(right).resize((320, 240), Image.BILINEAR))
    return swing + [other] * 8


def write_video(path: Path, frames: list[np.ndarray], rate: int = 15, times: list[float] | None = None,
                codec: str = "libx264", sound_seconds: float = 0.0, options: dict | None = None) -> Path:
    """frames (uint8 RGB, one size) as a video at `rate`, or at `times` (seconds: a variable rate);
    with `sound_seconds` of a quiet tone (AAC, or Opus in WebM). ffv1 (in .mkv) is lossless."""
    import av

    height, width = frames[0].shape[:2]
    with av.open(str(path), "w", options=options or {}) as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p" if codec == "libx264" else "yuv444p" if codec == "ffv1" else stream.pix_fmt
        if codec == "libx264":
            stream.options = {"crf": "10", "preset": "veryfast", "bf": "0"}
        # Milliseconds (the container may choose another clock for the stream once it starts).
        clock = stream.time_base = stream.codec_context.time_base = Fraction(1, 1000)
        webm = Path(path).suffix == ".webm"
        sound = container.add_stream("libopus" if webm else "aac", rate=48000 if webm else 16000) if sound_seconds else None
        for index, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            frame.pts = round(1000 * (times[index] if times else index / rate))
            frame.time_base = clock
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
        if sound:
            rate = sound.codec_context.sample_rate
            tone = (0.1 * np.sin(2 * np.pi * 440 * np.arange(int(rate * sound_seconds)) / rate)).astype(np.float32)[None]
            audio = av.AudioFrame.from_ndarray(tone, format="flt" if webm else "fltp", layout="mono")
            audio.sample_rate, audio.pts = rate, 0
            container.mux(sound.encode(audio))
            container.mux(sound.encode())
    return path


def read_video(path: Path) -> tuple[list[np.ndarray], list[float], bool]:
    """A video's frames (RGB), their times in seconds, and whether it has sound."""
    import av

    with av.open(str(path)) as container:
        decoded = [(frame.to_ndarray(format="rgb24"), float(frame.time)) for frame in container.decode(video=0)]
        return [rgb for rgb, _ in decoded], [time for _, time in decoded], bool(container.streams.audio)


def zipped_labels(path: Path) -> list[np.ndarray]:
    """The label maps in a labels zip (one palette PNG per frame), in frame order."""
    with zipfile.ZipFile(path) as archive:
        return [np.asarray(Image.open(io.BytesIO(archive.read(name)))) for name in sorted(archive.namelist())]
