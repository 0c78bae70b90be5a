"""faceparts on the command line: parse images and videos natively with ONNX Runtime, and score
accuracy. A thin layer over the Python API (api.FaceParser), through batch.py and jobs.py.

    faceparts parse PATH... [--size 288|448|1024] [--precision int8|fp32] [--out DIR] [--whole-frame] [--max-faces N]
                            [--workers N | --ray auto|ADDRESS] [--overwrite]
    faceparts eval DIR [--size ...] [--limit N] [--json FILE] [--whole-frame] [--workers N | --ray ...]

Each face is found, cropped onto the framing the model was trained on, parsed and pasted back
(native.py), with the very geometry the browser runs under Pyodide; --whole-frame parses the
whole picture at once instead. A video is parsed frame by frame as the page parses a camera (faces
tracked, the steady mask): every frame's labels, an overlay video and per-frame areas and faces.
Folders of any size: a progress bar, outputs written as they come, all cores (or a Ray cluster),
and a stopped run goes on where it stopped (batch.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import batch, jobs, metrics
from .model_manifest import DetectorSpec, ModelSpec
from .native import MANIFEST_PATH, usable_cores


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def batch_options(args, out: Path | None = None) -> jobs.Options:
    return jobs.Options(size=args.size, find_faces=not args.whole_frame, max_faces=getattr(args, "max_faces", 1),
                         manifest=str(args.manifest.resolve()), out=str(out or ""), precision=args.precision)


def workers_for(args, jobs: int) -> int:
    if args.workers < 1:
        raise CliError("--workers must be at least 1")
    return max(1, min(args.workers, jobs))


def command_parse(args) -> int:
    inputs = batch.find_inputs(args.paths)
    if not inputs:
        raise CliError("no images or videos found in " + ", ".join(map(str, args.paths)))
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    batch.remove_partials(out)
    summary = batch.Summary()
    todo = []
    for path, stem in inputs:
        video = jobs.is_video(path)
        if not args.overwrite and batch.is_done(out, stem, video):
            summary.done_before += 1
        else:
            todo.append(("video" if video else "parse", path, stem))
    if summary.done_before:
        print(f"faceparts: {summary.done_before} of {len(inputs)} inputs already have their outputs in {args.out}: "
              "skipped (--overwrite parses them again)", file=sys.stderr)
    batch.run(todo, batch_options(args, out), workers_for(args, len(todo)), args.ray, summary, "parse")
    # A Ray worker killed while it wrote leaves its file behind; Ray parses its input again elsewhere.
    batch.remove_partials(out)
    print(f"{batch.summary_line(summary, 'parsed')}; outputs in {args.out}")
    return 1 if summary.failures else 0


def command_eval(args) -> int:
    image_dir, label_dir = args.dir / "images", args.dir / "labels"
    if not image_dir.is_dir() or not label_dir.is_dir():
        raise CliError(f"{args.dir} must hold images/ and labels/ folders")
    pairs = [(image, label_dir / f"{image.stem}.png") for image, _ in batch.find_images([image_dir])]
    pairs = [(image, label) for image, label in pairs if label.is_file()][: args.limit or None]
    if not pairs:
        raise CliError(f"no image in {image_dir} has a label PNG of the same name in {label_dir}")
    summary = batch.Summary()
    todo = [("eval", image, label) for image, label in pairs]
    batch.run(todo, batch_options(args), workers_for(args, len(todo)), args.ray, summary, "eval")
    if summary.confusion is None:
        raise CliError("no image could be scored")
    names = list(ModelSpec.load(args.manifest).class_names)
    merged, merged_names = metrics.merge_pairs(summary.confusion, names)
    result = {"size": args.size, "precision": args.precision, "images": summary.images - len(summary.failures), "failed": len(summary.failures),
              "mode": "whole picture" if args.whole_frame else "face crops",
              "whole_picture_fallbacks": 0 if args.whole_frame else summary.whole_pictures,
              "images_per_s": round(summary.images / summary.seconds, 2) if summary.seconds else None,
              **metrics.scores(merged, merged_names)}
    print(format_table(result))
    if args.json:
        batch.write_json(args.json, result)
    return 1 if summary.failures else 0


def format_table(result: dict) -> str:
    fallbacks = f", {result['whole_picture_fallbacks']} without a face found" if result["whole_picture_fallbacks"] else ""
    failed = f", {result['failed']} failed" if result["failed"] else ""
    lines = [f"size {result['size']}, {result['precision']}, {result['images']} images, {result['mode']}{fallbacks}{failed}",
             f"pixel accuracy {result['pixel_accuracy']:.4f}, mean IoU {result['mean_iou']:.4f}", "",
             "| class | IoU |", "|---|---:|"]
    for name, iou in result["per_class_iou"].items():
        lines.append(f"| {name} | {'—' if iou is None else f'{iou:.4f}'} |")
    return "\n".join(lines)


def build_argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="faceparts", description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=MANIFEST_PATH, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)
    manifest = json.loads(MANIFEST_PATH.read_text())
    spec, detector = ModelSpec.from_manifest(manifest), DetectorSpec.from_manifest(manifest)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--size", type=int, choices=spec.sizes, default=spec.default_size,
                        help=f"model input size: each face's crop, or the whole picture's longer side (default {spec.default_size})")
    common.add_argument("--precision", choices=manifest["precisions"], default=manifest["default_precision"],
                        help=f"the parser's arithmetic: int8 (its quantised copy, faster on a CPU) or fp32 "
                             f"(default {manifest['default_precision']})")
    common.add_argument("--whole-frame", action="store_true", help="parse the whole picture at once instead of each face's crop")
    cores = usable_cores()
    common.add_argument("--workers", type=int, default=cores, metavar="N",
                        help=f"processes on this machine, or Ray actors with --ray (default: all {cores} cores)")
    common.add_argument("--ray", metavar="ADDRESS",
                        help="run on Ray: 'auto' starts one on this machine, else the address of a running cluster "
                             "(its nodes must all see the images and the output folder); needs the ray extra")

    parse = commands.add_parser("parse", parents=[common], help="parse image and video files, or folders of them")
    parse.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    parse.add_argument("--out", type=Path, default=Path("faceparts-out"), help="output folder (default faceparts-out)")
    parse.add_argument("--max-faces", type=int, default=detector.default_max_faces, choices=range(1, detector.max_faces + 1),
                       metavar="N", help=f"parse at most the N largest faces (1-{detector.max_faces}, default {detector.default_max_faces})")
    parse.add_argument("--overwrite", action="store_true", help="parse again inputs whose outputs are already there")
    parse.set_defaults(run=command_parse)

    evaluate = commands.add_parser("eval", parents=[common], help="score against labeled images (DIR/images, DIR/labels)")
    evaluate.add_argument("dir", type=Path, metavar="DIR")
    evaluate.add_argument("--limit", type=int, default=0, help="score only the first N images")
    evaluate.add_argument("--json", type=Path, help="also write the scores to this JSON file")
    evaluate.set_defaults(run=command_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_argument_parser().parse_args(argv)
    try:
        return args.run(args)
    except (CliError, jobs.BatchError) as error:
        print(f"faceparts: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("faceparts: stopped; every output written so far is complete, and the same command goes on from there",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
