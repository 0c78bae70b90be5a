"""What scripts/setup built: the model files against the manifest, the ONNX conversion's record,
and the Pyodide wheels against pyodide-lock.json."""

import json

import pytest

from models import build
from scripts.assets import sha256_file
from server import ROOT

pytestmark = pytest.mark.integration


def test_built_model_matches_the_manifest():
    manifest = build.load_manifest()
    assert build.check_tfjs(manifest) == [], "run scripts/setup to build models/dist"
    model_json = json.loads((build.DIST_DIR / manifest["tfjs"]["dir"] / "model.json").read_text())
    names = {node["name"] for node in model_json["modelTopology"]["node"]}
    assert {manifest["tfjs"]["input"], manifest["tfjs"]["labels_output"], manifest["tfjs"]["logits_output"]} <= names


def test_check_reports_an_altered_model_file(tmp_path):
    manifest = build.load_manifest()
    build.build_tfjs(manifest, dist_dir=tmp_path)
    assert build.check_tfjs(manifest, dist_dir=tmp_path) == []
    shard = tmp_path / manifest["tfjs"]["dir"] / "group1-shard3of3.bin"
    shard.write_bytes(shard.read_bytes()[:-1])
    assert build.check_tfjs(manifest, dist_dir=tmp_path) == [f"{shard} does not match its sha256 in models/manifest.json"]


def test_vendored_pyodide_wheels_match_pyodide_lock():
    lock = json.loads((ROOT / "vendor" / "pyodide" / "pyodide-lock.json").read_text())["packages"]
    for name in ("numpy", "pillow"):
        wheel = ROOT / "vendor" / "pyodide" / lock[name]["file_name"]
        assert sha256_file(wheel) == lock[name]["sha256"]


def test_onnx_build_record_catches_altered_or_stale_conversions(tmp_path):
    manifest = build.load_manifest()
    assert build.check_onnx(manifest) == [], "run scripts/setup to convert the model"
    source_dir = build.DIST_DIR / manifest["onnx"]["dir"]
    copy_dir = tmp_path / manifest["onnx"]["dir"]
    copy_dir.mkdir(parents=True)
    for name in ("model.onnx", "model-webgl.onnx", "build.json"):
        (copy_dir / name).write_bytes((source_dir / name).read_bytes())
    assert build.check_onnx(manifest, dist_dir=tmp_path) == []

    webgl_copy = copy_dir / "model-webgl.onnx"
    webgl_bytes = webgl_copy.read_bytes()
    webgl_copy.unlink()
    assert build.check_onnx(manifest, dist_dir=tmp_path) == [f"{webgl_copy} is missing"]
    webgl_copy.write_bytes(webgl_bytes)

    model = copy_dir / "model.onnx"
    model.write_bytes(model.read_bytes()[:-10])
    assert build.check_onnx(manifest, dist_dir=tmp_path) == [f"{model} does not match its sha256 in build.json"]

    changed = json.loads(json.dumps(manifest))
    changed["tfjs"]["files"]["model.json"]["sha256"] = "0" * 64
    assert build.check_onnx(changed, dist_dir=tmp_path) == [f"{copy_dir} was converted from another model or converter version"]
