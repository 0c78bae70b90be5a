"""The model manifest: classes, colours, normalisation and sizes; checked file installs."""

import pytest

from faceparts.model_manifest import ModelSpec
from models import build
from scripts.assets import AssetError, install_file

# CelebAMask-HQ's order, which the model's output ids follow (see ../shared/README.md).
CELEBAMASK_ORDER = [
    "background", "skin", "l_brow", "r_brow", "l_eye", "r_eye", "eye_g", "l_ear", "r_ear",
    "ear_r", "nose", "mouth", "u_lip", "l_lip", "neck", "neck_l", "cloth", "hair", "hat",
]


def test_manifest_classes_follow_celebamask_order_with_distinct_colours():
    spec = ModelSpec.load(build.MANIFEST_PATH)
    assert list(spec.class_names) == CELEBAMASK_ORDER + ["body"], "the model's classes, then the person's body"
    colours = {tuple(row) for row in spec.palette[: len(spec.class_names)]}
    assert len(colours) == len(spec.class_names)
    assert (spec.scale, spec.offset) == (1 / 127.5, -1.0)
    assert spec.sizes == (288, 448, 1024) and spec.default_size == 448


def test_manifest_rejects_gaps_in_class_ids():
    manifest = build.load_manifest()
    manifest["classes"] = manifest["classes"][:3] + manifest["classes"][4:]
    with pytest.raises(ValueError, match="without gaps"):
        ModelSpec.from_manifest(manifest)


def test_install_file_refuses_a_corrupt_source(tmp_path):
    source = tmp_path / "shard.bin"
    source.write_bytes(b"not the model")
    with pytest.raises(AssetError, match="sha256"):
        install_file(source, tmp_path / "out" / "shard.bin", "0" * 64)
    assert not (tmp_path / "out" / "shard.bin").exists()
