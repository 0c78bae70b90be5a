"""The fake-webcam clips the benchmarks play to Chromium, as .y4m files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support.browser import astronaut_face, write_y4m

TALKING_HEAD = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "video" / "talking_head_640x480.mp4"


def astronaut_clip(folder: Path) -> Path:
    """skimage's astronaut face, still: the clip the e2e tests use."""
    return write_y4m(folder / "astronaut.y4m", [astronaut_face()] * 2)


def talking_head_clip(folder: Path) -> tuple[Path | None, str]:
    """../shared's talking-head video as .y4m, or (None, why not)."""
    if not TALKING_HEAD.exists():
        return None, f"{TALKING_HEAD} is absent"
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        return None, "ffmpeg is not installed (apt install ffmpeg)"
    out = folder / "talking_head.y4m"
    subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-i", str(TALKING_HEAD), "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", str(out)], check=True)
    return out, ""


def clips(folder: Path, wanted: str = "all") -> dict[str, Path]:
    """{name: y4m}; `wanted` is 'astronaut', 'talking-head' or 'all' (what is available)."""
    found = {}
    if wanted in ("astronaut", "all"):
        found["astronaut"] = astronaut_clip(folder)
    if wanted in ("talking-head", "all"):
        path, why = talking_head_clip(folder)
        if path:
            found["talking-head"] = path
        elif wanted == "talking-head":
            raise SystemExit(f"no talking-head clip: {why}")
        else:
            print(f"talking-head clip skipped: {why}", flush=True)
    return found
