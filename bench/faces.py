"""Faces where they really are: parsing accuracy with and without the face crop on the dev set and
on a face-in-context set built from it, the detector's speed, and its behaviour on video.

    .venv/bin/python -m bench.faces [--sizes 288,448,1024] [--zooms 1,1.5,2,3] [--limit N]
                                    [--precisions int8,fp32] [--modes crop,whole] [--video]
                                    [--out bench/results/faces]

The face-in-context set: each labelled 512x512 dev face placed, unscaled, in a 4:3 frame whose
height is z times the face's (z = 1, 1.5, 2, 3), at a random spot (seeded), the rest of the frame a
blurred stretch of the photo's border. Scores are mean IoU over the 16 merged classes, counted on
the face's own 512x512 region, natively (ONNX Runtime, the same Python geometry as the page).

--video runs the detector and the tracker over every frame of ../shared's talking-head clip
(ffmpeg decodes it): the share of frames with a face, and the jitter of the crop's centre
(the standard deviation of its position over the clip, and frame to frame) with and without the
tracker's smoothing.

Writes OUT.json and OUT.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from faceparts import align, metrics, tracking
from faceparts.native import FrameParser
from bench.report import write_report
from server import ROOT

DEV_SET = ROOT.parent / "shared" / "data" / "celebamask-dev"
TALKING_HEAD = ROOT.parent / "shared" / "data" / "video" / "talking_head_640x480.mp4"
FACE = 512
MODES = {"crop": "face crop", "whole": "whole frame"}


def in_context(rgb: np.ndarray, labels: np.ndarray, zoom: float, rng: np.random.Generator):
    """-> (frame, its labels, the face's region (x0, y0)): the face at a random spot of a 4:3
    frame zoom times its height, the rest the photo's border stretched outwards and blurred."""
    height = round(FACE * zoom)
    width = round(height * 4 / 3)
    x0, y0 = int(rng.integers(0, width - FACE + 1)), int(rng.integers(0, height - FACE + 1))
    padding = ((y0, height - FACE - y0), (x0, width - FACE - x0))
    frame = np.pad(rgb, padding + ((0, 0),), mode="edge")
    frame = np.array(Image.fromarray(frame).filter(ImageFilter.GaussianBlur(12)))
    frame[y0:y0 + FACE, x0:x0 + FACE] = rgb
    return frame, np.pad(labels, padding), (x0, y0)


def dev_pairs(limit: int):
    if not DEV_SET.exists():
        raise SystemExit(f"{DEV_SET} is absent: this benchmark needs ../shared's dev set")
    images = sorted((DEV_SET / "images").glob("*.jpg"))[: limit or None]
    for image in images:
        yield (np.asarray(Image.open(image).convert("RGB")),
               np.asarray(Image.open(DEV_SET / "labels" / f"{image.stem}.png")))


def accuracy(parser: FrameParser, size: int, zoom: float | None, limit: int) -> dict:
    """Mean IoU on the dev set (zoom None) or its face-in-context version at this zoom."""
    names = list(parser.spec.class_names)
    matrix = np.zeros((len(names), len(names)), dtype=np.int64)
    rng = np.random.default_rng(int((zoom or 0) * 1000) + size)
    whole = 0
    for rgb, truth in dev_pairs(limit):
        region = (0, 0)
        if zoom is not None:
            rgb, truth, region = in_context(rgb, truth, zoom, rng)
        parsed = parser.parse(rgb, size, max_faces=1)
        whole += parsed.whole_frame
        x0, y0 = region
        face = (slice(y0, y0 + FACE), slice(x0, x0 + FACE))
        matrix += metrics.confusion(truth[face], parsed.labels[face], len(names))
    merged, merged_names = metrics.merge_pairs(matrix, names)
    return {"mean_iou": round(metrics.scores(merged, merged_names)["mean_iou"], 4), "whole_frame": whole}


def detector_ms(parser: FrameParser, runs: int = 30) -> dict[str, float]:
    """Median ms of a detection natively: of a new face (the whole frame, then a closer look at
    the face) and of a face already tracked (the whole frame alone), as on video."""
    rgb = np.asarray(Image.open(ROOT / "web" / "assets" / "sample-astronaut.jpg").convert("RGB").resize((640, 480)))
    tracks = tracking.update([], parser.find_faces(rgb, 1)[0], parser.alignment)
    result = {}
    for name, known in (("new_face", None), ("tracked_face", tracks)):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            parser.find_faces(rgb, 1, known)
            times.append(1000 * (time.perf_counter() - started))
        result[name] = round(float(np.median(times)), 1)
    return result


def video_frames():
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg or not TALKING_HEAD.exists():
        raise SystemExit("--video needs ffmpeg (apt install ffmpeg) and ../shared's talking-head clip")
    raw = subprocess.run([ffmpeg, "-loglevel", "error", "-i", str(TALKING_HEAD), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, 480, 640, 3)


def video(parser: FrameParser) -> dict:
    """Detection on every frame as the page's video path looks (a closer look for new or small
    faces); the crop centre raw (each detection's own pose) and tracked."""
    frames = video_frames()
    found, raw, tracked, tracks = 0, [], [], []
    for frame in frames:
        faces, _ = parser.find_faces(frame, 1, tracks)
        found += bool(faces)
        if not faces:
            tracks = []
            continue
        face = faces[0]
        raw.append(align.crop_pose(face["keypoints"], parser.alignment)[:2])
        tracks = tracking.update(tracks, [face], parser.alignment)
        tracked.append(tracks[0]["pose"][:2])
    def jitter(centres):
        centres = np.asarray(centres)
        steps = np.linalg.norm(np.diff(centres, axis=0), axis=1)
        # Jitter: what is left of the centre's path once its motion (a 9-frame moving average) is
        # taken out; the speaker's own movement is slower than that.
        kernel = np.ones(9) / 9
        smooth = np.stack([np.convolve(centres[:, axis], kernel, mode="valid") for axis in (0, 1)], axis=1)
        residual = centres[4:-4] - smooth
        return {"jitter_px": round(float(np.linalg.norm(residual.std(axis=0))), 2), "std_px": round(float(np.linalg.norm(centres.std(axis=0))), 2),
                "step_median_px": round(float(np.median(steps)), 2), "still_steps": round(float((steps == 0).mean()), 3)}
    return {"frames": len(frames), "with_a_face": round(found / len(frames), 4), "raw": jitter(raw), "tracked": jitter(tracked)}


def markdown(result: dict) -> str:
    sizes = sorted({row["size"] for row in result["accuracy"]}) or [448]
    sets = list(dict.fromkeys((row["set"], row["precision"]) for row in result["accuracy"]))
    lines = ["| set | precision | " + " | ".join(f"{size} whole frame | {size} face crop" for size in sizes) + " |",
             "|---|---|" + "---:|---:|" * len(sizes)]
    by = {(row["set"], row["precision"], row["size"], row["mode"]): row for row in result["accuracy"]}
    for name, precision in sets:
        cells = []
        for size in sizes:
            for mode in ("whole frame", "face crop"):
                row = by.get((name, precision, size, mode))
                cells.append(f"{row['mean_iou']:.4f}" if row else "")
        lines.append(f"| {name} | {precision} | " + " | ".join(cells) + " |")
    lines.append("")
    detector = result["detector_ms"]
    lines.append(f"Detector, native ONNX Runtime, 640x480 frame, median ms per detection: {detector['new_face']} for a new "
                 f"face (two looks), {detector['tracked_face']} for a tracked one (one look).")
    if "video" in result:
        v = result["video"]
        lines.append(f"Talking head: a face in {v['with_a_face']:.1%} of {v['frames']} frames; crop centre jitter "
                     f"(std around its 9-frame moving average) {v['raw']['jitter_px']} px raw, {v['tracked']['jitter_px']} px "
                     f"tracked; median step {v['raw']['step_median_px']} px raw, {v['tracked']['step_median_px']} px tracked "
                     f"(still in {v['tracked']['still_steps']:.0%} of steps); centre std over the clip "
                     f"{v['raw']['std_px']} px raw, {v['tracked']['std_px']} px tracked.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="288,448,1024", help="'' for none (only --video)")
    parser.add_argument("--zooms", default="1,1.5,2,3")
    parser.add_argument("--limit", type=int, default=0, help="only the first N dev faces")
    parser.add_argument("--precisions", default="int8", help="the parser's: int8, fp32 or int8,fp32")
    parser.add_argument("--modes", default="crop,whole", help="face crops (the default path), the whole frame, or both")
    parser.add_argument("--video", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("bench/results/faces"))
    args = parser.parse_args(argv)
    precisions = args.precisions.split(",")
    modes = [MODES[mode] for mode in args.modes.split(",")]
    parsers = {(mode, precision): FrameParser(find_faces=mode == "face crop", precision=precision)
               for precision in precisions for mode in modes}
    rows = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        for zoom in [None] + [float(z) for z in args.zooms.split(",") if z]:
            for (mode, precision), frame_parser in parsers.items():
                name = "dev set" if zoom is None else f"in context, z = {zoom:g}"
                row = {"set": name, "precision": precision, "size": size, "mode": mode,
                       **accuracy(frame_parser, size, zoom, args.limit)}
                print(json.dumps(row), file=sys.stderr, flush=True)
                rows.append(row)
    face_crops = parsers.get(("face crop", precisions[0])) or FrameParser(precision=precisions[0])
    result = {"accuracy": rows, "detector_ms": detector_ms(face_crops)}
    if args.video:
        result["video"] = video(face_crops)
    write_report(args.out, result, markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
