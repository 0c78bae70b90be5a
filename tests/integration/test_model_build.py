"""What scripts/setup built: the model files against the manifest, the ONNX conversion's record,
and the Pyodide wheels against pyodide-lock.json."""

import json

import pytest

from models import build
from scripts.assets import sha256_file
from server import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


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


def conversion(manifest, name, dist_dir=build.DIST_DIR):
    return next(c for c in build.conversions(manifest, dist_dir) if c.name == name)


def test_every_conversion_is_in_place_and_recorded():
    manifest = build.load_manifest()
    for converted in build.conversions(manifest):
        assert build.check_conversion(converted) == [], "run scripts/setup to convert the models"
        record = json.loads((converted.out_dir / converted.record).read_text())
        assert sorted(record["files"]) == sorted(converted.files)


def test_the_build_record_catches_altered_or_stale_conversions(tmp_path):
    manifest = build.load_manifest()
    built = conversion(manifest, "the parser's ONNX model")
    copy = conversion(manifest, "the parser's ONNX model", dist_dir=tmp_path)
    copy.out_dir.mkdir(parents=True)
    for name in (*built.files, built.record):
        (copy.out_dir / name).write_bytes((built.out_dir / name).read_bytes())
    assert build.check_conversion(copy) == []

    webgl_copy = copy.out_dir / "model-webgl.onnx"
    webgl_bytes = webgl_copy.read_bytes()
    webgl_copy.unlink()
    assert build.check_conversion(copy) == [f"{webgl_copy} is missing"]
    webgl_copy.write_bytes(webgl_bytes)

    model = copy.out_dir / "model.onnx"
    model.write_bytes(model.read_bytes()[:-10])
    assert build.check_conversion(copy) == [f"{model} does not match its sha256 in build.json"]

    changed = json.loads(json.dumps(manifest))
    changed["tfjs"]["files"]["model.json"]["sha256"] = "0" * 64
    stale = conversion(changed, "the parser's ONNX model", dist_dir=tmp_path)
    assert build.check_conversion(stale) == [f"{copy.out_dir} was converted from another model or converter version"]


@pytest.mark.parametrize("model", ["detector", "person"])
def test_a_tflite_source_other_than_the_manifest_says_is_refused(tmp_path, monkeypatch, model):
    manifest = build.load_manifest()
    fake = tmp_path / "model.tflite"
    fake.write_bytes(b"not the model")
    real = build.tflite_source
    monkeypatch.setattr(build, "tflite_source", lambda entry: fake if entry is manifest[model] else real(entry))
    with pytest.raises(build.AssetError, match=f"{fake} does not match its sha256"):
        build.check_tflite_sources(manifest)
