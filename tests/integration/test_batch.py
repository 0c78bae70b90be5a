"""Parsing whole folders: all local cores and Ray give what one process gives, byte for byte; a run
stopped half-way goes on where it stopped; a Ray worker that dies is replaced; bad files are
reported and skipped in every mode, and the exit status says so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from faceparts import cli, jobs
from tests.support.browser import astronaut_face
from tests.support.faces import cut_by_the_edge, no_face, small_off_centre, two_faces

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

FACEPARTS = [sys.executable, "-m", "faceparts.cli"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Generated pictures in two folders (one name in both), and two bad files."""
    root = tmp_path_factory.mktemp("pictures")
    (root / "a").mkdir()
    (root / "b").mkdir()
    face = astronaut_face()
    pictures = {
        "a/face.png": face, "a/mirror.png": face[:, ::-1], "a/small.png": small_off_centre(),
        "a/two.png": two_faces(), "b/face.png": np.asarray(Image.fromarray(face).rotate(12)),
        "b/edge.png": cut_by_the_edge(), "b/coffee.png": no_face(),
    }
    for name, picture in pictures.items():
        Image.fromarray(np.ascontiguousarray(picture)).save(root / name)
    (root / "b" / "notes.jpg").write_text("not an image")
    Image.fromarray(face).save(root / "b" / "cut.jpg")
    (root / "b" / "cut.jpg").write_bytes((root / "b" / "cut.jpg").read_bytes()[:1500])
    return root


def outputs(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def one_process(folder, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("one")
    assert cli.main(["parse", str(folder), "--size", "288", "--out", str(out), "--workers", "1"]) == 1, "two bad files"
    return outputs(out)


def test_one_process_writes_every_output_once_and_mirrors_the_folders(one_process):
    stems = ["a/face", "a/mirror", "a/small", "a/two", "b/face", "b/edge", "b/coffee"]
    assert sorted(one_process) == sorted(f"{stem}.{suffix}" for stem in stems for suffix in jobs.OUTPUTS)
    areas = json.loads(one_process["a/two.areas.json"])
    assert len(areas["faces"]) == 2


def test_all_cores_give_the_same_bytes_and_report_the_bad_files(folder, one_process, tmp_path, capsys):
    assert cli.main(["parse", str(folder), "--size", "288", "--out", str(tmp_path), "--workers", "2"]) == 1
    out, err = capsys.readouterr()
    assert "notes.jpg: not an image" in err and "cut.jpg: unreadable or truncated image" in err
    assert "parsed 7 of 9 images" in out and "2 failed" in out and "images/s" in out
    assert "parse: 100%" in err, "a progress bar"
    assert outputs(tmp_path) == one_process


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_gives_the_same_bytes_and_sums_the_scores(folder, one_process, local_ray, tmp_path, capsys):
    assert cli.main(["parse", str(folder), "--size", "288", "--out", str(tmp_path / "out"), "--ray", "auto", "--workers", "2"]) == 1
    out, err = capsys.readouterr()
    assert "notes.jpg: not an image" in err
    assert "parsed 7 of 9 images" in out
    assert outputs(tmp_path / "out") == one_process

    # A labelled set made of the one-process parses: every mode must score it perfectly.
    labelled = tmp_path / "labelled"
    (labelled / "images").mkdir(parents=True)
    (labelled / "labels").mkdir()
    for stem in ("a/face", "a/mirror", "a/small", "b/edge"):  # one face each: eval parses the largest
        name = stem.replace("/", "-")
        (labelled / "images" / f"{name}.png").write_bytes((folder / f"{stem}.png").read_bytes())
        (labelled / "labels" / f"{name}.png").write_bytes(one_process[f"{stem}.labels.png"])
    for mode in (["--ray", "auto", "--workers", "2"], ["--workers", "2"], ["--workers", "1"]):
        report = tmp_path / "scores.json"
        assert cli.main(["eval", str(labelled), "--size", "288", "--json", str(report), *mode]) == 0
        scores = json.loads(report.read_text())
        assert scores["images"] == 4 and scores["pixel_accuracy"] > 0.99, (mode, scores)


def wait_for(predicate, timeout_s: float = 120):
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def many(folder: Path, tmp_path: Path, copies: int) -> Path:
    """The good pictures of `folder`, `copies` times each."""
    pictures = tmp_path / "many"
    pictures.mkdir()
    good = [path for path in folder.rglob("*.png")]
    for index in range(copies):
        for path in good:
            (pictures / f"{index}-{path.parent.name}-{path.name}").write_bytes(path.read_bytes())
    return pictures


def overlays(out: Path) -> int:
    return len(list(out.rglob("*.overlay.png")))


def test_a_run_killed_half_way_goes_on_where_it_stopped(folder, tmp_path):
    pictures, out = many(folder, tmp_path, 3), tmp_path / "out"
    total = len(list(pictures.iterdir()))
    run = subprocess.Popen([*FACEPARTS, "parse", str(pictures), "--out", str(out), "--size", "288", "--workers", "1"],
                           stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    wait_for(lambda: overlays(out) >= 4)
    run.send_signal(signal.SIGKILL)
    run.wait()
    stopped_at = overlays(out)
    assert 0 < stopped_at < total

    again = subprocess.run([*FACEPARTS, "parse", str(pictures), "--out", str(out), "--size", "288", "--workers", "2"],
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert f"already have their outputs in {out}: skipped" in again.stderr
    assert f"parsed {total - stopped_at} of {total - stopped_at} image" in again.stdout
    names = sorted(path.name for path in out.rglob("*") if path.is_file())
    assert not [name for name in names if name.endswith(jobs.PARTIAL)], "no half-written file is left"
    assert len(names) == 3 * total, "every output exactly once"
    for path in out.rglob("*.png"):
        Image.open(path).verify()
    for path in out.rglob("*.json"):
        json.loads(path.read_text())

    before = (out / "0-a-face.labels.png").stat().st_mtime_ns
    rewritten = subprocess.run([*FACEPARTS, "parse", str(pictures / "0-a-face.png"), "--out", str(out), "--size", "288", "--overwrite"],
                               capture_output=True, text=True)
    assert rewritten.returncode == 0 and "parsed 1 of 1 image" in rewritten.stdout
    assert (out / "0-a-face.labels.png").stat().st_mtime_ns > before


def actor_processes() -> list[int]:
    """Processes of Ray actors that parse (their title is set by Ray)."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except (FileNotFoundError, ProcessLookupError, PermissionError, NotADirectoryError):
            continue
        if b"ray::" in command and b"MapWorker" in command and b"ParserActor" in command:
            found.append(int(pid))
    return found


def test_a_ray_worker_killed_mid_run_is_replaced_and_every_image_is_parsed(folder, tmp_path):
    pytest.importorskip("ray")
    pictures, out = many(folder, tmp_path, 3), tmp_path / "out"
    total = len(list(pictures.iterdir()))
    run = subprocess.Popen([*FACEPARTS, "parse", str(pictures), "--out", str(out), "--size", "288", "--ray", "auto", "--workers", "2"],
                           stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: overlays(out) >= 2 and actor_processes(), timeout_s=180)
        victim = actor_processes()[0]
        os.kill(victim, signal.SIGKILL)
        stdout, stderr = run.communicate(timeout=600)
    finally:
        run.kill()
    assert run.returncode == 0, stderr[-3000:]
    assert f"parsed {total} of {total} images" in stdout
    assert overlays(out) == total
    assert not list(out.rglob(f"*{jobs.PARTIAL}"))


def test_without_ray_the_message_says_how_to_install_it(folder, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)
    assert cli.main(["parse", str(folder / "a" / "face.png"), "--out", str(tmp_path), "--ray", "auto"]) == 2
    assert "--ray needs Ray: pip install" in capsys.readouterr().err
