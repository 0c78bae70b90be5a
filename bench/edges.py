"""Crop edges and bodies: how often labels change across each face crop's border against across
squares a little inside it (tests/support/edges.py), and how much of the person is left
background, with the crops pasted onto nothing (as before the context parse) and as the app
composes them now (over the whole frame's parse, with the person mask's body).

    .venv/bin/python -m bench.edges [--size 448] [--out bench/results/edges]

On ../shared's portraits and the whole skimage astronaut photo, natively. Writes OUT.json, OUT.md
and, per picture, OUT-NAME.png: the photo, its labels before and now, side by side.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

from bench.report import write_report
from faceparts import align, compose
from faceparts.images import load_rgb
from faceparts.native import FrameParser
from server import ROOT
from tests.support.edges import border_and_inside

PORTRAITS = ROOT.parent / "shared" / "data" / "portraits"


def pictures() -> dict[str, np.ndarray]:
    found = {"astronaut": data.astronaut()}
    for path in sorted(PORTRAITS.glob("*.jpg")) if PORTRAITS.is_dir() else []:
        found[path.stem] = load_rgb(path)
    return found


def measure(parser: FrameParser, rgb: np.ndarray, size: int) -> tuple[dict, np.ndarray, np.ndarray]:
    height, width = rgb.shape[:2]
    faces, _ = parser.find_faces(rgb)
    poses = [align.crop_pose(face["keypoints"], parser.alignment) for face in faces]
    parses = parser.parse_crops(rgb, size, poses)
    crops = [(matrix, size) for _, matrix in parses[:-1]]
    before = compose.compose(height, width, parses[:-1] or parses, len(parser.spec.class_names))[0]
    now = parser.compose(rgb, parses, faces, poses, 0).labels
    person = parser.person.mask(rgb)
    row = {"faces": len(faces)}
    for name, labels in (("before", before), ("now", now)):
        border, inside = border_and_inside(labels, crops) if crops else (0.0, 0.0)
        row[name] = {"border": round(border, 3), "inside": round(inside, 3),
                     "person_left_background": round(float((labels[person] == 0).mean()), 3) if person.any() else None}
    return row, before, now


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=448)
    parser.add_argument("--out", type=Path, default=Path("bench/results/edges"))
    args = parser.parse_args(argv)
    frame_parser = FrameParser()
    rows = {}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    palette = frame_parser.spec.palette
    for name, rgb in pictures().items():
        rows[name], before, now = measure(frame_parser, rgb, args.size)
        print(name, rows[name], file=sys.stderr, flush=True)
        strip = np.concatenate([rgb, palette[before], palette[now]], axis=1)
        Image.fromarray(strip).resize((strip.shape[1] * 360 // strip.shape[0], 360)).save(f"{args.out}-{name}.png")
    lines = ["| picture | faces | across the border, before | inside, before | across the border, now | inside, now | "
             "person left background, before | now |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, row in rows.items():
        b, n = row["before"], row["now"]
        lines.append(f"| {name} | {row['faces']} | {b['border']} | {b['inside']} | {n['border']} | {n['inside']} | "
                     f"{b['person_left_background']} | {n['person_left_background']} |")
    write_report(args.out, {"size": args.size, "pictures": rows}, "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
