"""The wheel scripts/setup builds (scripts/wheel.py), installed into a new virtualenv in a folder
outside the checkout: the `faceparts` command and the Python API work there from the models inside
the package, and give the checkout's labels."""

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from faceparts import cli
from scripts import wheel
from server import ROOT
from tests.support.faces import two_faces

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

API_SCRIPT = """
import json, sys
import numpy as np
from PIL import Image
import faceparts
from faceparts import FaceParser

result = FaceParser(size=448).parse(sys.argv[1])
np.save(sys.argv[2], result.labels)
print(json.dumps({"file": faceparts.__file__, "faces": len(result.faces), "lips": int(result.mask(["u_lip", "l_lip"]).sum())}))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A new virtualenv outside the checkout with only the wheel installed; its dependencies
    (numpy, Pillow, ONNX Runtime, tqdm) are the checkout's, reached through a .pth file, so the
    test needs no network (a user's `pip install` fetches them from PyPI)."""
    built = wheel.build()
    home = tmp_path_factory.mktemp("elsewhere")
    assert ROOT not in home.parents
    venv = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(built)], check=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # Appended to sys.path: the wheel's own faceparts comes first; the checkout's editable
    # install is not on the path (its finder is a .pth file that only the checkout's venv runs).
    (Path(site) / "checkout-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def test_the_wheel_carries_its_models_manifest_and_licences():
    with zipfile.ZipFile(wheel.build()) as archive:
        names = set(archive.namelist())
    for needed in ("faceparts/models/manifest.json", "faceparts/models/bisenetv2-celebamask/onnx/model.onnx",
                   "faceparts/models/bisenetv2-celebamask/onnx-int8/model-int8.onnx", "faceparts/models/face-detector/onnx/detector.onnx",
                   "faceparts/models/face-detector/build.json", "faceparts/models/person-mask/onnx/person.onnx",
                   "faceparts/models/person-mask/build.json", "faceparts/models/licenses/Apache-2.0.txt",
                   "faceparts/models/licenses/MIT-bisenetv2.txt", "faceparts/api.py"):
        assert needed in names, f"{needed} is not in the wheel"


def test_the_installed_command_and_api_parse_as_the_checkout_does(installed, tmp_path):
    picture = tmp_path / "two.png"
    Image.fromarray(two_faces()).save(picture)
    assert cli.main(["parse", str(picture), "--out", str(tmp_path / "checkout"), "--size", "448"]) == 0
    expected = np.asarray(Image.open(tmp_path / "checkout" / "two.labels.png"))

    work = installed.parent / "work"
    work.mkdir()
    command = subprocess.run([str(installed / "bin" / "faceparts"), "parse", str(picture), "--out", "out", "--size", "448"],
                             cwd=work, capture_output=True, text=True)
    assert command.returncode == 0, command.stderr
    np.testing.assert_array_equal(np.asarray(Image.open(work / "out" / "two.labels.png")), expected)
    assert len(json.loads((work / "out" / "two.areas.json").read_text())["faces"]) == 2

    script = subprocess.run([str(installed / "bin" / "python"), "-c", API_SCRIPT, str(picture), str(work / "labels.npy")],
                            cwd=work, capture_output=True, text=True)
    assert script.returncode == 0, script.stderr
    report = json.loads(script.stdout)
    assert Path(report["file"]).is_relative_to(installed), f"imported {report['file']}, not the installed package"
    assert report["faces"] == 2 and report["lips"] > 0
    np.testing.assert_array_equal(np.load(work / "labels.npy"), expected)


def test_a_damaged_model_in_the_install_is_named(installed):
    model = next(installed.glob("lib/python*/site-packages/faceparts/models/bisenetv2-celebamask/onnx-int8/model-int8.onnx"))
    original = model.read_bytes()
    try:
        model.write_bytes(original[:-10] + b"0123456789")
        script = subprocess.run([str(installed / "bin" / "python"), "-c", "from faceparts import FaceParser; FaceParser()"],
                                cwd=installed.parent, capture_output=True, text=True)
        assert script.returncode != 0
        assert "model-int8.onnx is damaged" in script.stderr and "reinstall faceparts" in script.stderr, script.stderr
    finally:
        model.write_bytes(original)
