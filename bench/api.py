"""The Python API as a user meets it: the wheel's size, the import, the first parse, and its speed
at 448 on one core beside the CLI's on the same pictures.

    .venv/bin/python -m bench.api [--images 40] [--out bench/results/api]

Each measure runs in a fresh process pinned to one core (taskset), ONNX Runtime on one thread: the
import of faceparts and its API; building FaceParser (the models loaded and checked); the first
parse; then images/s over --images of ../shared's dev faces (512x512), for FaceParser.parse on
arrays in memory and for `faceparts parse --workers 1` on the files (which also writes three
outputs per picture). Writes OUT.json and OUT.md.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.report import write_report
from scripts import wheel
from server import ROOT

DEV_IMAGES = ROOT.parent / "shared" / "data" / "celebamask-dev" / "images"
ONE_CORE = ["taskset", "-c", "0"]

API_RUN = """
import sys, time, json
started = time.perf_counter()
from faceparts import FaceParser
imported = time.perf_counter()
parser = FaceParser(size=448, threads=1)
loaded = time.perf_counter()
from PIL import Image
import numpy as np
pictures = [np.asarray(Image.open(path).convert("RGB")) for path in sys.argv[1:]]
first = time.perf_counter()
parser.parse(pictures[0])
parsed = time.perf_counter()
for picture in pictures[1:]:
    parser.parse(picture)
done = time.perf_counter()
print(json.dumps({"import_s": imported - started, "load_s": loaded - imported, "first_parse_s": parsed - first,
                  "images_per_s": (len(pictures) - 1) / (done - parsed)}))
"""


def run_api(images: list[Path]) -> dict:
    result = subprocess.run([*ONE_CORE, sys.executable, "-c", API_RUN, *map(str, images)], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def run_cli(images: list[Path], out: Path) -> float:
    result = subprocess.run([*ONE_CORE, sys.executable, "-m", "faceparts.cli", "parse", *map(str, images), "--out", str(out),
                             "--workers", "1", "--size", "448"], capture_output=True, text=True, check=True)
    return float(re.search(r"([\d.]+) images/s", result.stdout).group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=40)
    parser.add_argument("--out", type=Path, default=Path("bench/results/api"))
    args = parser.parse_args(argv)
    if not DEV_IMAGES.is_dir():
        raise SystemExit(f"{DEV_IMAGES} is absent: this benchmark needs ../shared's dev set")
    images = sorted(DEV_IMAGES.glob("*.jpg"))[: args.images]
    built = wheel.build()
    api = run_api(images)
    with tempfile.TemporaryDirectory() as tmp:
        cli_rate = run_cli(images, Path(tmp))
    result = {"wheel": built.name, "wheel_mb": round(built.stat().st_size / 1e6, 1), "images": len(images),
              **{key: round(value, 2 if key.endswith("per_s") else 3) for key, value in api.items()}, "cli_images_per_s": cli_rate}
    lines = ["| measure | value |", "|---|---:|",
             f"| wheel ({result['wheel']}) | {result['wheel_mb']} MB |",
             f"| `from faceparts import FaceParser` | {result['import_s'] * 1000:.0f} ms |",
             f"| `FaceParser()` (models loaded and checked) | {result['load_s'] * 1000:.0f} ms |",
             f"| first parse after that | {result['first_parse_s'] * 1000:.0f} ms |",
             f"| API, images/s at 448, one core | {result['images_per_s']} |",
             f"| CLI (`--workers 1`, outputs written), images/s at 448, one core | {result['cli_images_per_s']} |"]
    write_report(args.out, result, "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
