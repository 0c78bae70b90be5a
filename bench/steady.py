"""A steady mask on video: label flicker with and without the steadying (faceparts/steady.py),
how fast a cut to another face is followed, and what it does to accuracy.

    .venv/bin/python -m bench.steady [--size 448] [--limit 40] [--out bench/results/steady]

Natively (ONNX Runtime), through faceparts.native.VideoParser: the page's video path (faces
detected and tracked, each crop parsed and steadied in its own frame, pasted back), frame by frame.

- Flicker: the share of face-region pixels (not background in either frame) whose label changes
  between consecutive frames, on a still photo fed as a clip (a 640x480 frame of the astronaut,
  with fresh camera-like noise on each of 60 frames: ideally 0) and on ../shared's talking-head
  clip (ffmpeg decodes it).
- Step response: a clip that cuts from one face to another; frames after the cut until the
  steadied labels agree with the unsteadied ones as well as before the cut.
- Persistence: of the label changes in the talking-head clip (unsteadied), the share undone the
  next frame or the one after: what a steadying that lets real changes through can remove.
- Accuracy: each of the first --limit dev faces as a 4-frame noisy still clip; mean IoU (16 merged
  classes) of its last frame, with and without.

Writes OUT.json and OUT.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

from bench.faces import TALKING_HEAD, dev_pairs, video_frames
from bench.report import write_report
from faceparts import metrics
from faceparts.metrics import flicker
from faceparts.native import FrameParser, VideoParser

NOISE = 4.0  # grey levels, the standard deviation of a webcam's noise in good light


def noisy(frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.clip(frame + rng.normal(0, NOISE, frame.shape), 0, 255).astype(np.uint8)


def webcam_still() -> np.ndarray:
    frame = np.full((480, 640, 3), (96, 104, 110), dtype=np.uint8)
    frame[40:440, 120:520] = np.asarray(Image.fromarray(data.astronaut()).resize((400, 400), Image.BILINEAR))
    return frame


def labels_over(parser: FrameParser, size: int, frames, steady: bool) -> list[np.ndarray]:
    video = VideoParser(parser, size, max_faces=1, steady=steady)
    return [video.parse(frame).labels for frame in frames]


def cut_clip() -> tuple[list[np.ndarray], int]:
    """20 frames of the astronaut, then 20 of the 'camera' photographer, noisy. -> (frames, cut)."""
    rng = np.random.default_rng(1)
    astronaut = webcam_still()
    photographer = np.full((480, 640, 3), (96, 104, 110), dtype=np.uint8)
    face = Image.fromarray(data.camera()[30:330, 100:400]).convert("RGB").resize((400, 400), Image.BILINEAR)
    photographer[40:440, 120:520] = np.asarray(face)
    return [noisy(astronaut, rng) for _ in range(20)] + [noisy(photographer, rng) for _ in range(20)], 20


def frames_to_follow(raw: list[np.ndarray], steadied: list[np.ndarray], cut: int) -> int:
    """Frames after the cut until the steadied labels agree with the unsteadied ones as well as
    before the cut, within 5 points (steadying always differs where the raw labels flicker)."""
    def agreement(index):
        face = (raw[index] != 0) | (steadied[index] != 0)
        return float((raw[index] == steadied[index])[face].mean())
    usual = float(np.median([agreement(index) for index in range(cut // 2, cut)]))
    return next((index - cut for index in range(cut, len(raw)) if agreement(index) >= usual - 0.05), len(raw) - cut)


def reverting(labels: list[np.ndarray]) -> float:
    changes = undone = 0
    for t in range(1, len(labels) - 2):
        before, now = labels[t - 1], labels[t]
        changed = (now != before) & ((before != 0) | (now != 0))
        changes += int(changed.sum())
        undone += int((changed & ((labels[t + 1] == before) | (labels[t + 2] == before))).sum())
    return undone / max(changes, 1)


def accuracy(parser: FrameParser, size: int, limit: int, steady: bool) -> float:
    names = list(parser.spec.class_names)
    matrix = np.zeros((len(names), len(names)), dtype=np.int64)
    rng = np.random.default_rng(2)
    for rgb, truth in dev_pairs(limit):
        labels = labels_over(parser, size, [noisy(rgb, rng) for _ in range(4)], steady)[-1]
        matrix += metrics.confusion(truth, labels, len(names))
    merged, merged_names = metrics.merge_pairs(matrix, names)
    return round(metrics.scores(merged, merged_names)["mean_iou"], 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=448)
    parser.add_argument("--limit", type=int, default=40, help="dev faces for the accuracy check (0: none)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/steady"))
    args = parser.parse_args(argv)
    frame_parser = FrameParser()
    rng = np.random.default_rng(0)
    still = webcam_still()
    clips = {"still photo, noisy": [noisy(still, rng) for _ in range(60)]}
    if TALKING_HEAD.exists():
        clips["talking head"] = list(video_frames())
    rows = []
    for name, frames in clips.items():
        raw_labels = labels_over(frame_parser, args.size, frames, False)
        raw, steadied = flicker(raw_labels), flicker(labels_over(frame_parser, args.size, frames, True))
        rows.append({"clip": name, "frames": len(frames), "flicker_raw": round(raw, 4), "flicker_steady": round(steadied, 4),
                     "ratio": round(steadied / raw, 3) if raw else None, "changes_undone_within_2": round(reverting(raw_labels), 3)})
        print(rows[-1], file=sys.stderr, flush=True)
    frames, cut = cut_clip()
    raw, steadied = (labels_over(frame_parser, args.size, frames, steady) for steady in (False, True))
    result = {"size": args.size, "flicker": rows, "cut_followed_after_frames": frames_to_follow(raw, steadied, cut)}
    if args.limit:
        result["accuracy"] = {"frames": 4, "faces": args.limit, **{
            name: accuracy(frame_parser, args.size, args.limit, steady) for name, steady in (("raw", False), ("steady", True))}}
    write_report(args.out, result, markdown(result))
    return 0


def markdown(result: dict) -> str:
    lines = [f"Steady mask at {result['size']} (natively, the page's video path)", "",
             "| clip | frames | flicker raw | flicker steady | steady / raw | raw changes undone within 2 frames |",
             "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['clip']} | {r['frames']} | {r['flicker_raw']:.4f} | {r['flicker_steady']:.4f} | {r['ratio']} | {r['changes_undone_within_2']:.3f} |"
              for r in result["flicker"]]
    lines += ["", f"A cut to another face is followed {result['cut_followed_after_frames']} frame(s) after the cut."]
    if "accuracy" in result:
        a = result["accuracy"]
        lines.append(f"Accuracy, last of {a['frames']} noisy frames of {a['faces']} dev faces: mean IoU {a['raw']} raw, {a['steady']} steady.")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
