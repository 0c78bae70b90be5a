"""Builds dist/faceparts-<version>-py3-none-any.whl: the faceparts package with the converted
models it runs inside it (the parser in float32 and int8, the face detector, the person mask), their manifest,
build records and licences, so that `pip install` gives the `faceparts` command and the Python API
anywhere, with no checkout and no network.

    python -m scripts.wheel

Run by scripts/setup after the models are built. Idempotent: a stamp beside the wheel names the
hash of everything it is made from, and an unchanged wheel is left alone.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from models.build import DIST_DIR, MANIFEST_PATH, check_conversion, conversions, load_manifest
from scripts.assets import ROOT, AssetError

PACKAGE_DIR = ROOT / "web" / "python" / "faceparts"
LICENSES_DIR = ROOT / "models" / "licenses"
WHEEL_DIR = ROOT / "dist"
STAMP = WHEEL_DIR / ".faceparts-wheel.json"


def packaged_models(manifest: dict) -> list[str]:
    """The files under models/dist/ the native path loads, relative to it, with their records."""
    onnx, int8 = manifest["onnx"], manifest["onnx"]["int8"]
    converted = [f"{model['dir']}/{name}" for model in (manifest["detector"], manifest["person"])
                 for name in (f"onnx/{model['onnx']['model']}", model["record"])]
    return [f"{onnx['dir']}/{onnx['model']}", f"{onnx['dir']}/{onnx['record']}",
            f"{int8['dir']}/{int8['model']}", f"{int8['dir']}/{int8['record']}", *converted]


def sources(manifest: dict) -> list[Path]:
    return ([ROOT / "pyproject.toml", ROOT / "README.md", MANIFEST_PATH] + sorted(PACKAGE_DIR.glob("*.py"))
            + sorted(LICENSES_DIR.iterdir()) + [DIST_DIR / name for name in packaged_models(manifest)])


def sources_hash(manifest: dict) -> str:
    digest = hashlib.sha256()
    for path in sources(manifest):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def wheel_name() -> str:
    """From pyproject.toml's [project] name and version (read as text: tomllib needs Python 3.11)."""
    text = (ROOT / "pyproject.toml").read_text()
    name, version = (re.search(rf'^{key} = "([^"]+)"', text, re.M).group(1) for key in ("name", "version"))
    return f"{name}-{version}-py3-none-any.whl"


def stage(manifest: dict, folder: Path) -> None:
    """The checkout's layout, with the models inside the package (faceparts/models/) and the
    pyproject told to ship them."""
    package = folder / "web" / "python" / "faceparts"
    package.mkdir(parents=True)
    for source in PACKAGE_DIR.glob("*.py"):
        shutil.copy2(source, package / source.name)
    models = package / "models"
    for name in packaged_models(manifest):
        (models / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(DIST_DIR / name, models / name)
    shutil.copy2(MANIFEST_PATH, models / "manifest.json")
    shutil.copytree(LICENSES_DIR, models / "licenses")
    shutil.copy2(ROOT / "README.md", folder / "README.md")
    pyproject = (ROOT / "pyproject.toml").read_text()
    if "[tool.setuptools.package-data]" in pyproject:
        raise AssetError("pyproject.toml has its own [tool.setuptools.package-data]: scripts/wheel.py adds that table")
    (folder / "pyproject.toml").write_text(pyproject + '\n[tool.setuptools.package-data]\nfaceparts = ["models/**/*"]\n')


def build() -> Path:
    """Builds the wheel unless an up-to-date one is in place. -> its path."""
    manifest = load_manifest()
    problems = [problem for conversion in conversions(manifest) for problem in check_conversion(conversion)]
    if problems:
        raise AssetError(f"the models are not built ({problems[0]}): run scripts/setup")
    wheel, expected = WHEEL_DIR / wheel_name(), sources_hash(manifest)
    if wheel.is_file() and STAMP.is_file() and json.loads(STAMP.read_text()) == {"wheel": wheel.name, "sources": expected}:
        return wheel
    print(f"wheel: building {wheel.relative_to(ROOT)} with its models", flush=True)
    WHEEL_DIR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        stage(manifest, Path(tmp) / "stage")
        built = Path(tmp) / "wheels"
        # Quiet unless it fails: setuptools warns that the models' folders look like packages.
        result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(built),
                                 str(Path(tmp) / "stage")], capture_output=True, text=True)
        if result.returncode:
            raise AssetError(f"pip could not build the wheel:\n{result.stderr[-3000:]}")
        [made] = built.glob("*.whl")
        if made.name != wheel.name:
            raise AssetError(f"pip built {made.name}, expected {wheel.name}")
        shutil.move(made, wheel)
    STAMP.write_text(json.dumps({"wheel": wheel.name, "sources": expected}) + "\n")
    return wheel


def main() -> int:
    try:
        wheel = build()
    except AssetError as error:
        print(f"wheel: {error}", file=sys.stderr)
        return 1
    print(f"wheel: {wheel.relative_to(ROOT)} ready ({wheel.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
