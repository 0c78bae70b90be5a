"""Video files for the native path, through PyAV (FFmpeg inside its wheels): a video's frames read
one at a time as RGB with their times (4:2:0 frames converted by faceparts.yuv, as the page's
Export video converts them; other formats by FFmpeg), and a video written frame by frame at the
source's size and times (a variable frame rate stays variable), the source's sound copied into
it. Native only.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import numpy as np

from . import yuv

VIDEO_SUFFIXES = {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".wmv", ".flv", ".3gp", ".ogv"}
# 8K UHD: a frame of more pixels is refused (each frame is parsed and written at the source's size).
MAX_PIXELS = 7680 * 4320
# The written video: H.264, which every player and browser plays.
CODEC = "libx264"


class VideoError(Exception):
    """One video that cannot be parsed: reported, skipped, and a batch goes on."""


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    frames: int  # as the file declares it, else estimated from its duration; 0 when unknown
    rate: Fraction  # frames per second, on average
    time_base: Fraction
    has_audio: bool


def _av():
    try:
        import av
    except ImportError:
        raise VideoError("parsing videos needs PyAV: pip install 'faceparts[cli]' (or .venv/bin/pip install av)") from None
    return av


def _open(path: Path):
    av = _av()
    if not Path(path).is_file():
        raise VideoError(f"{path}: no such file")
    try:
        container = av.open(str(path))
    except av.error.InvalidDataError:
        raise VideoError(f"{path}: not a video FFmpeg can read, or truncated (its index is missing)") from None
    except av.error.FFmpegError as error:
        raise VideoError(f"{path}: unreadable video ({error})") from None
    if not container.streams.video:
        container.close()
        raise VideoError(f"{path}: holds no video stream")
    return container


def frame_rate(stream) -> Fraction:
    """A video stream's frames per second on average, as the file says or FFmpeg guesses (25 if neither)."""
    return Fraction(stream.average_rate or stream.guessed_rate or 25)


def probe(path: Path) -> VideoInfo:
    """What the file says of its video, checked: VideoError if it cannot be parsed."""
    with _open(path) as container:
        stream = container.streams.video[0]
        context = stream.codec_context
        if context is None or not getattr(context, "name", None):
            raise VideoError(f"{path}: its video codec ({stream.codec_tag or 'unknown'}) has no decoder in FFmpeg here")
        width, height = int(context.width), int(context.height)
        if width < 2 or height < 2:
            raise VideoError(f"{path}: no frame size in the file ({width}x{height}): damaged or not a video")
        if width * height > MAX_PIXELS:
            raise VideoError(f"{path}: {width}x{height} is larger than 8K (7680x4320): scale it down first, "
                             f"e.g. ffmpeg -i in.mp4 -vf scale=3840:-2 out.mp4")
        rate = frame_rate(stream)
        frames = int(stream.frames or 0)
        if not frames and stream.duration and stream.time_base:
            frames = round(float(stream.duration * stream.time_base * rate))
        elif not frames and container.duration:
            frames = round(container.duration / 1_000_000 * float(rate))
        return VideoInfo(width, height, frames, rate, Fraction(stream.time_base or Fraction(1, 90000)), bool(container.streams.audio))


def frames(path: Path) -> Iterator[tuple[np.ndarray, float]]:
    """(uint8 RGB [H, W, 3], time in seconds) for each frame in order, decoded one at a time;
    VideoError when the file breaks off or is damaged part-way."""
    av = _av()
    with _open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        count, last, step = 0, None, 1 / float(frame_rate(stream))
        try:
            for frame in container.decode(stream):
                time = float(frame.time) if frame.time is not None else (0.0 if last is None else last + step)
                last = time
                count += 1
                yield to_rgb(frame), time
        except av.error.FFmpegError as error:
            raise VideoError(f"{path}: damaged or truncated after {count} frames ({error})") from None


def to_rgb(frame) -> np.ndarray:
    """A decoded PyAV frame as uint8 RGB [H, W, 3]."""
    if frame.format.name not in ("yuv420p", "yuvj420p"):
        return frame.to_ndarray(format="rgb24")
    y, u, v = (np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, :plane.width] for plane in frame.planes[:3])
    matrix = yuv.matrix_for(yuv.FFMPEG_MATRICES.get(frame.colorspace), frame.height, frame.width)
    # FFmpeg's AVCOL_RANGE_JPEG (2), which the yuvj formats imply.
    full_range = frame.color_range == 2 or frame.format.name == "yuvj420p"
    return yuv.to_rgb(y, u, v, matrix, full_range)


class VideoWriter:
    """A video written frame by frame, at `info`'s size and time base, each frame at its own time;
    H.264 (4:2:0 where the size is even, 4:4:4 otherwise), and the sound of `audio_from` copied
    as it is (not re-encoded) where the container can hold its codec (`has_audio` says). Closed by
    close(), which writes the sound after the frames."""

    def __init__(self, path: Path, info: VideoInfo, audio_from: Path | None = None, container_format: str = "mp4",
                 named: str | None = None):
        """named: what the messages call the video (default its path)."""
        av = _av()
        self.named = named or str(path)
        self.container = av.open(str(path), "w", format=container_format)
        self.stream = self.container.add_stream(CODEC, rate=info.rate)
        self.stream.width, self.stream.height = info.width, info.height
        self.stream.pix_fmt = "yuv420p" if info.width % 2 == 0 and info.height % 2 == 0 else "yuv444p"
        # The source's own clock, so that each frame keeps its time (a variable rate stays so).
        self.stream.time_base = self.stream.codec_context.time_base = self.time_base = info.time_base
        # No B-frames: their decode times are made up for a constant rate, and a variable one breaks them.
        self.stream.options = {"crf": "20", "preset": "veryfast", "bf": "0"}
        self.last_pts = -1
        self.audio_from, self.audio = audio_from, None
        if audio_from is not None:
            with av.open(str(audio_from)) as source:
                if source.streams.audio:
                    try:
                        self.audio = self.container.add_stream_from_template(source.streams.audio[0])
                    except (ValueError, av.error.FFmpegError):
                        self.audio = None

    @property
    def has_audio(self) -> bool:
        return self.audio is not None

    def write(self, rgb: np.ndarray, time: float) -> None:
        av = _av()
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        # In the encoder's clock (the container may choose another for the stream once it starts);
        # strictly increasing, as the encoder needs even where two frames share a rounded time.
        pts = max(round(time / self.time_base), self.last_pts + 1)
        frame.pts, frame.time_base, self.last_pts = pts, self.time_base, pts
        try:
            self.container.mux(self.stream.encode(frame))
        except av.error.FFmpegError as error:
            raise VideoError(f"{self.named}: the video could not be written ({error})") from None

    def abort(self) -> None:
        """Stops writing (the file is left incomplete, for the caller to remove)."""
        try:
            self.container.close()
        except Exception:  # noqa: BLE001 - a half-written file is thrown away anyway
            pass

    def close(self) -> None:
        av = _av()
        try:
            self.container.mux(self.stream.encode())
            if self.audio is not None:
                with av.open(str(self.audio_from)) as source:
                    for packet in source.demux(source.streams.audio[0]):
                        if packet.dts is None:  # the demuxer's last, empty packet
                            continue
                        packet.stream = self.audio
                        self.container.mux(packet)
            self.container.close()
        except av.error.FFmpegError as error:
            raise VideoError(f"{self.named}: the video could not be written ({error})") from None
