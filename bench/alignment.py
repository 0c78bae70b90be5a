"""Fits the face crop's framing on the dev set: where the detector's keypoints sit in the
CelebAMask-HQ framing (the template), and, per model size, how much wider than it the crop does
best (the margin).

    .venv/bin/python -m bench.alignment [--sizes 288,448,1024] [--margins 0.97,1.0,1.03,1.06,1.09] [--write]

The dev set's faces are the training framing itself, so the template is the mean position of the
detector's (refined) keypoints over them, as fractions of the picture. Each size's margin is then
chosen by mean IoU over the dev set, each face cropped with the template at each margin.
--write puts them into models/manifest.json ("alignment").
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

import numpy as np

from bench.faces import dev_pairs
from faceparts import align, compose, faces, geometry, metrics
from faceparts.model_manifest import AlignmentSpec
from faceparts.native import MANIFEST_PATH, FrameParser


def detections(parser: FrameParser) -> list[tuple[np.ndarray, np.ndarray, dict | None]]:
    found = []
    for rgb, truth in dev_pairs(0):
        candidates, _ = parser.detector.find(rgb)
        face = parser.detector.refine(rgb, faces.largest(candidates, 1)[0][0]) if candidates else None
        found.append((rgb, truth, face))
    return found


def fit_template(found, spec: AlignmentSpec) -> np.ndarray:
    points = [np.asarray(face["keypoints"])[list(spec.indices)] / rgb.shape[1] for rgb, _, face in found if face]
    return np.round(np.mean(points, axis=0), 4)


def mean_iou(parser: FrameParser, found, spec: AlignmentSpec, size: int, margin: float) -> float:
    names = list(parser.spec.class_names)
    matrix = np.zeros((len(names), len(names)), dtype=np.int64)
    for rgb, truth, face in found:
        if face is None:
            continue
        crop = align.crop_matrix(align.crop_pose(face["keypoints"], spec), size, margin)
        labels = parser.parser.labels(geometry.warp(rgb, crop, size, size))
        prediction, _ = compose.compose(*rgb.shape[:2], [(labels, crop)], len(names))
        matrix += metrics.confusion(truth, prediction, len(names))
    merged, merged_names = metrics.merge_pairs(matrix, names)
    return round(metrics.scores(merged, merged_names)["mean_iou"], 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="288,448,1024")
    parser.add_argument("--margins", default="0.97,1.0,1.03,1.06,1.09")
    parser.add_argument("--write", action="store_true", help="write the template and the best margins to the manifest")
    args = parser.parse_args(argv)
    frame_parser = FrameParser()
    found = detections(frame_parser)
    print(f"faces found in {sum(face is not None for _, _, face in found)} of {len(found)} dev pictures", file=sys.stderr)
    spec = dataclasses.replace(frame_parser.alignment, template=fit_template(found, frame_parser.alignment))
    scores: dict[int, dict[float, float]] = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        scores[size] = {}
        for margin in [float(m) for m in args.margins.split(",")]:
            scores[size][margin] = mean_iou(frame_parser, found, spec, size, margin)
            print(f"size {size}, margin {margin}: mean IoU {scores[size][margin]}", file=sys.stderr, flush=True)
    best = {size: max(by_margin, key=by_margin.get) for size, by_margin in scores.items()}
    print(json.dumps({"template": spec.template.tolist(), "scores": scores, "best": best}, indent=2))
    if args.write:
        manifest = json.loads(MANIFEST_PATH.read_text())
        manifest["alignment"]["template"] = spec.template.tolist()
        manifest["alignment"]["margin"] = {str(size): margin for size, margin in best.items()}
        MANIFEST_PATH.write_text(json.dumps(manifest, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
