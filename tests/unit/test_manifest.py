import json

import pytest

from faceparts.model_manifest import ModelSpec
from models import build
from server import ROOT

# CelebAMask-HQ's order, which the model's output ids follow (see ../shared/README.md).
CELEBAMASK_ORDER = [
    "background", "skin", "l_brow", "r_brow", "l_eye", "r_eye", "eye_g", "l_ear", "r_ear",
    "ear_r", "nose", "mouth", "u_lip", "l_lip", "neck", "neck_l", "cloth", "hair", "hat",
]


def test_manifest_classes_follow_celebamask_order_with_distinct_colours():
    spec = ModelSpec.load(build.MANIFEST_PATH)
    assert list(spec.class_names) == CELEBAMASK_ORDER
    colours = {tuple(row) for row in spec.palette[: len(CELEBAMASK_ORDER)]}
    assert len(colours) == len(CELEBAMASK_ORDER)
    assert (spec.scale, spec.offset) == (1 / 127.5, -1.0)
    assert spec.sizes == (288, 448, 1024) and spec.default_size == 448


def test_manifest_rejects_gaps_in_class_ids():
    manifest = build.load_manifest()
    manifest["classes"] = manifest["classes"][:3] + manifest["classes"][4:]
    with pytest.raises(ValueError, match="without gaps"):
        ModelSpec.from_manifest(manifest)


def test_built_model_matches_the_manifest():
    manifest = build.load_manifest()
    assert build.check_tfjs(manifest) == [], "run scripts/setup to build models/dist"
    model_json = json.loads((build.DIST_DIR / manifest["tfjs"]["dir"] / "model.json").read_text())
    names = {node["name"] for node in model_json["modelTopology"]["node"]}
    assert {manifest["tfjs"]["input"], manifest["tfjs"]["labels_output"], manifest["tfjs"]["logits_output"]} <= names


def test_install_file_refuses_a_corrupt_source(tmp_path):
    source = tmp_path / "shard.bin"
    source.write_bytes(b"not the model")
    with pytest.raises(build.AssetError, match="sha256"):
        build.install_file(source, tmp_path / "out" / "shard.bin", "0" * 64)
    assert not (tmp_path / "out" / "shard.bin").exists()


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
        assert build.sha256_file(wheel) == lock[name]["sha256"]


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
