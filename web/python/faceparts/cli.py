"""faceparts on the command line: parse images natively with ONNX Runtime, and score accuracy.

    faceparts parse PATH... [--size 288|448|1024] [--out DIR]
    faceparts eval DIR [--size ...] [--limit N] [--json FILE]

Pre- and post-processing are the very functions the browser runs under Pyodide.
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
from .model_manifest import ModelSpec

REPO_ROOT = Path(__file__).resolve().parents[3]
MANIFEST_PATH = REPO_ROOT / "models" / "manifest.json"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
# Pillow refuses more pixels than this as a possible decompression bomb; say so plainly.
Image.MAX_IMAGE_PIXELS = 120_000_000


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


class Parser:
    """The ONNX model plus the shared pipeline: image in, uint8 label map out."""

    def __init__(self, manifest_path: Path, model_path: Path | None = None):
        import onnxruntime as ort

        manifest = json.loads(manifest_path.read_text())
        self.spec = ModelSpec.from_manifest(manifest)
        onnx = manifest["onnx"]
        model_path = model_path or REPO_ROOT / "models" / "dist" / onnx["dir"] / onnx["model"]
        if not model_path.is_file():
            raise CliError(f"{model_path} is missing: run scripts/setup to convert the model")
        self.session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
        self.input_name = onnx["input"]
        self.labels_name = onnx["labels_output"]

    def labels(self, rgb: np.ndarray, size: int) -> np.ndarray:
        """uint8 [H,W] class ids at the model input size for this image."""
        height, width = self.spec.input_shape(rgb.shape[0], rgb.shape[1], size)
        batch = pipeline.preprocess(rgb, height, width, self.spec.scale, self.spec.offset)[None]
        return self.session.run([self.labels_name], {self.input_name: batch})[0]


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


def resize_labels(labels: np.ndarray, height: int, width: int) -> np.ndarray:
    if labels.shape == (height, width):
        return labels
    return np.asarray(Image.fromarray(labels).resize((width, height), Image.NEAREST))


def overlay(rgb: np.ndarray, labels: np.ndarray, palette: np.ndarray, opacity: float = 0.6) -> np.ndarray:
    colors = pipeline.colorize(labels, palette)
    alpha = colors[..., 3:4].astype(np.float32) / 255 * opacity
    return (rgb * (1 - alpha) + colors[..., :3] * alpha).astype(np.uint8)


def command_parse(args) -> int:
    images = find_images(args.paths)
    if not images:
        raise CliError("no images found in " + ", ".join(map(str, args.paths)))
    parser = Parser(args.manifest)
    args.out.mkdir(parents=True, exist_ok=True)
    failures = 0
    for path in images:
        try:
            rgb = load_rgb(path)
        except CliError as error:
            print(f"faceparts: skipped {error}", file=sys.stderr)
            failures += 1
            continue
        labels = resize_labels(parser.labels(rgb, args.size), rgb.shape[0], rgb.shape[1])
        stem = args.out / path.stem
        spec = parser.spec
        for kind in ("label-png", "areas-json"):
            Path(f"{stem}.{export.EXPORTS[kind].suffix}").write_bytes(export.export_parse(
                kind, labels, spec.palette, list(spec.class_names), {"source": str(path), "size": args.size}))
        Image.fromarray(overlay(rgb, labels, spec.palette)).save(f"{stem}.overlay.png")
        print(f"{path} -> {stem}.labels.png, .overlay.png, .areas.json")
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
    parser = Parser(args.manifest)
    names = list(parser.spec.class_names)
    matrix = np.zeros((len(names), len(names)), dtype=np.int64)
    started = time.perf_counter()
    for done, (image_path, label_path) in enumerate(pairs, 1):
        try:
            rgb = load_rgb(image_path)
            truth = np.asarray(Image.open(label_path))
        except (CliError, OSError) as error:
            print(f"faceparts: skipped {error}", file=sys.stderr)
            continue
        prediction = resize_labels(parser.labels(rgb, args.size), *truth.shape[:2])
        matrix += metrics.confusion(truth, prediction, len(names))
        # A live counter on a terminal; a line every 20 images in a log.
        interactive = sys.stderr.isatty()
        if interactive or done % 20 == 0 or done == len(pairs):
            line = f"eval: {done}/{len(pairs)} images, {time.perf_counter() - started:.0f} s"
            print("\r" + line if interactive else line, end="" if interactive else "\n", file=sys.stderr)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    merged, merged_names = metrics.merge_pairs(matrix, names)
    result = {"size": args.size, "images": len(pairs), **metrics.scores(merged, merged_names)}
    print(format_table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


def format_table(result: dict) -> str:
    lines = [f"size {result['size']}, {result['images']} images",
             f"pixel accuracy {result['pixel_accuracy']:.4f}, mean IoU {result['mean_iou']:.4f}", "",
             "| class | IoU |", "|---|---:|"]
    for name, iou in result["per_class_iou"].items():
        lines.append(f"| {name} | {'—' if iou is None else f'{iou:.4f}'} |")
    return "\n".join(lines)


def build_argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="faceparts", description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=MANIFEST_PATH, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)
    spec = ModelSpec.load(MANIFEST_PATH)
    sizes = dict(type=int, choices=spec.sizes, default=spec.default_size,
                 help=f"model input size (default {spec.default_size})")

    parse = commands.add_parser("parse", help="parse image files or folders")
    parse.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    parse.add_argument("--size", **sizes)
    parse.add_argument("--out", type=Path, default=Path("faceparts-out"), help="output folder (default faceparts-out)")
    parse.set_defaults(run=command_parse)

    evaluate = commands.add_parser("eval", help="score against labeled images (DIR/images, DIR/labels)")
    evaluate.add_argument("dir", type=Path, metavar="DIR")
    evaluate.add_argument("--size", **sizes)
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
