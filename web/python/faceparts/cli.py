"""faceparts on the command line: parse images natively with ONNX Runtime, and score accuracy.

    faceparts parse PATH... [--size 288|448|1024] [--out DIR] [--whole-frame] [--max-faces N]
    faceparts eval DIR [--size ...] [--limit N] [--json FILE] [--whole-frame]

Each face is found, cropped onto the framing the model was trained on, parsed and pasted back
(native.py), with the very geometry the browser runs under Pyodide; --whole-frame parses the
whole picture at once instead.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from . import export, metrics, pipeline
from .model_manifest import DetectorSpec, ModelSpec
from .native import MANIFEST_PATH, FrameParser, ModelMissing
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
# Pillow refuses more pixels than this as a possible decompression bomb; say so plainly.
Image.MAX_IMAGE_PIXELS = 120_000_000


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def frame_parser(args) -> FrameParser:
    try:
        return FrameParser(args.manifest, find_faces=not args.whole_frame)
    except ModelMissing as error:
        raise CliError(str(error)) from None


def load_rgb(path: Path) -> np.ndarray:
    """Any still image Pillow reads -> uint8 RGB, EXIF rotation applied; CliError if unreadable."""
    try:
        with Image.open(path) as image:
            image.seek(0)  # the first frame of an animation
            image = ImageOps.exif_transpose(image)
            if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
                image = image.convert("RGBA")
            array = np.asarray(image.convert("RGB") if image.mode != "RGBA" else image)
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except UnidentifiedImageError:
        raise CliError(f"{path}: not an image Pillow can read") from None
    except Image.DecompressionBombError:
        raise CliError(f"{path}: too large (over {Image.MAX_IMAGE_PIXELS:,} pixels)") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise CliError(f"{path}: unreadable or truncated image ({error})") from None
    if array.shape[0] < 2 or array.shape[1] < 2:
        raise CliError(f"{path}: too small ({array.shape[1]}x{array.shape[0]} pixels)")
    return pipeline.to_rgb(array)


def find_images(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()))
        else:
            found.append(path)
    return found


def overlay(rgb: np.ndarray, labels: np.ndarray, palette: np.ndarray, opacity: float = 0.6) -> np.ndarray:
    colors = pipeline.colorize(labels, palette)
    alpha = colors[..., 3:4].astype(np.float32) / 255 * opacity
    return (rgb * (1 - alpha) + colors[..., :3] * alpha).astype(np.uint8)


def faces_note(path: Path, parsed, args) -> str | None:
    """What the user should know about the faces in one image, or None."""
    if args.whole_frame:
        return None
    if parsed.whole_frame:
        return f"{path}: no face found (faces below about 6 % of the picture's width are missed): parsed the whole picture"
    if parsed.left_out:
        return (f"{path}: {len(parsed.faces) + parsed.left_out} faces found: parsed the {len(parsed.faces)} largest "
                f"(--max-faces {args.max_faces})")
    return None


def command_parse(args) -> int:
    images = find_images(args.paths)
    if not images:
        raise CliError("no images found in " + ", ".join(map(str, args.paths)))
    parser = frame_parser(args)
    spec = parser.spec
    args.out.mkdir(parents=True, exist_ok=True)
    failures = 0
    for path in images:
        try:
            rgb = load_rgb(path)
        except CliError as error:
            print(f"faceparts: skipped {error}", file=sys.stderr)
            failures += 1
            continue
        parsed = parser.parse(rgb, args.size, args.max_faces)
        if note := faces_note(path, parsed, args):
            print(f"faceparts: {note}", file=sys.stderr)
        stem = args.out / path.stem
        extra = {"source": str(path), "size": args.size, "faces": parsed.faces}
        for kind in ("label-png", "areas-json"):
            Path(f"{stem}.{export.EXPORTS[kind].suffix}").write_bytes(
                export.export_parse(kind, parsed.labels, spec.palette, list(spec.class_names), extra))
        Image.fromarray(overlay(rgb, parsed.labels, spec.palette)).save(f"{stem}.overlay.png")
        faces = "whole picture" if parsed.whole_frame else f"{len(parsed.faces)} face{'s' * (len(parsed.faces) != 1)}"
        print(f"{path} -> {stem}.labels.png, .overlay.png, .areas.json ({faces})")
    print(f"parsed {len(images) - failures} of {len(images)} images into {args.out}")
    return 1 if failures == len(images) else 0


def command_eval(args) -> int:
    image_dir, label_dir = args.dir / "images", args.dir / "labels"
    if not image_dir.is_dir() or not label_dir.is_dir():
        raise CliError(f"{args.dir} must hold images/ and labels/ folders")
    pairs = [(image, label_dir / f"{image.stem}.png") for image in find_images([image_dir])]
    pairs = [(image, label) for image, label in pairs if label.is_file()][: args.limit or None]
    if not pairs:
        raise CliError(f"no image in {image_dir} has a label PNG of the same name in {label_dir}")
    parser = frame_parser(args)
    names = list(parser.spec.class_names)
    matrix = np.zeros((len(names), len(names)), dtype=np.int64)
    started = time.perf_counter()
    whole_frames = 0
    for done, (image_path, label_path) in enumerate(pairs, 1):
        try:
            rgb = load_rgb(image_path)
            truth = np.asarray(Image.open(label_path))
        except (CliError, OSError) as error:
            print(f"faceparts: skipped {error}", file=sys.stderr)
            continue
        parsed = parser.parse(rgb, args.size, 1)
        whole_frames += parsed.whole_frame and not args.whole_frame
        prediction = parsed.labels
        if prediction.shape != truth.shape[:2]:
            prediction = np.asarray(Image.fromarray(prediction).resize(truth.shape[1::-1], Image.NEAREST))
        matrix += metrics.confusion(truth, prediction, len(names))
        # A live counter on a terminal; a line every 20 images in a log.
        interactive = sys.stderr.isatty()
        if interactive or done % 20 == 0 or done == len(pairs):
            line = f"eval: {done}/{len(pairs)} images, {time.perf_counter() - started:.0f} s"
            print("\r" + line if interactive else line, end="" if interactive else "\n", file=sys.stderr)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    merged, merged_names = metrics.merge_pairs(matrix, names)
    mode = "whole picture" if args.whole_frame else "face crops"
    result = {"size": args.size, "images": len(pairs), "mode": mode, "whole_picture_fallbacks": whole_frames,
              **metrics.scores(merged, merged_names)}
    print(format_table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


def format_table(result: dict) -> str:
    fallbacks = f", {result['whole_picture_fallbacks']} without a face found" if result["whole_picture_fallbacks"] else ""
    lines = [f"size {result['size']}, {result['images']} images, {result['mode']}{fallbacks}",
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
    whole_frame = dict(action="store_true", help="parse the whole picture at once instead of each face's crop")
    sizes = dict(type=int, choices=spec.sizes, default=spec.default_size,
                 help=f"model input size (default {spec.default_size})")

    parse = commands.add_parser("parse", help="parse image files or folders")
    parse.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    parse.add_argument("--size", **sizes)
    parse.add_argument("--whole-frame", **whole_frame)
    parse.add_argument("--out", type=Path, default=Path("faceparts-out"), help="output folder (default faceparts-out)")
    parse.add_argument("--max-faces", type=int, default=detector.default_max_faces, choices=range(1, detector.max_faces + 1),
                       metavar="N", help=f"parse at most the N largest faces (1-{detector.max_faces}, default {detector.default_max_faces})")
    parse.set_defaults(run=command_parse)

    evaluate = commands.add_parser("eval", help="score against labeled images (DIR/images, DIR/labels)")
    evaluate.add_argument("dir", type=Path, metavar="DIR")
    evaluate.add_argument("--size", **sizes)
    evaluate.add_argument("--whole-frame", **whole_frame)
    evaluate.add_argument("--limit", type=int, default=0, help="score only the first N images")
    evaluate.add_argument("--json", type=Path, help="also write the scores to this JSON file")
    evaluate.set_defaults(run=command_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_argument_parser().parse_args(argv)
    try:
        return args.run(args)
    except CliError as error:
        print(f"faceparts: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
