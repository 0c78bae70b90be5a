"""Faces where they really are: the page finds each face, parses it framed as the model was
trained, and pastes the parse back, on the camera and on photos, as the CLI does natively."""

from __future__ import annotations

import json

import numpy as np
import pytest
from skimage import data

from faceparts.native import FrameParser
from server import ROOT
from tests.conftest import watched_app
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS, fake_webcam_flags, write_y4m
from tests.support.faces import FACE_CLASSES, assert_plausible_face, no_face, small_off_centre, two_faces, two_scenes

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


CLIPS = {"astronaut-512": data.astronaut, "small-off-centre-640x480": small_off_centre}


@pytest.fixture(scope="module", params=list(CLIPS))
def clip_browser(request, playwright, tmp_path_factory):
    """Chromium whose fake webcam shows a whole frame, not a face crop (it fits the file to the
    page's 4:3 request, so the frame the page gets may be cropped)."""
    frame = CLIPS[request.param]()
    y4m = write_y4m(tmp_path_factory.mktemp("clip") / f"{request.param}.y4m", [frame] * 2)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS + fake_webcam_flags(y4m))
    yield browser
    browser.close()


@pytest.mark.parametrize("size", [448, 288])
def test_a_face_anywhere_in_the_camera_frame_is_found_and_parsed(clip_browser, live_server, size):
    for app in watched_app(clip_browser, live_server, allow_page_errors=False):
        app.open(backend="wasm", size=size)
        app.start_camera()
        shown = app.wait_frames(2, size=size)
        assert shown["faces"] == "1", shown
        assert float(shown["detectMs"]) > 0
        assert "1 face, detect" in app.page.inner_text("#stats")
        labels = app.labels()
        video = app.page.eval_on_selector("#video", "v => [v.videoHeight, v.videoWidth]")
        assert labels.shape == tuple(video), "exports are at the camera frame's size"
        [face] = json.loads(app.export("#export-areas"))["faces"]
        assert_plausible_face(labels[face_region(face, labels.shape)])


def face_region(face: dict, shape, margin: float = 0.6):
    """The face's box widened by `margin` of its size each way (hair, neck), clipped to the frame."""
    x0, y0, x1, y1 = face["box"]
    dx, dy = margin * (x1 - x0), margin * (y1 - y0)
    return (slice(max(0, int(y0 - dy)), min(shape[0], int(y1 + dy))), slice(max(0, int(x0 - dx)), min(shape[1], int(x1 + dx))))


def detections(document: dict) -> list[list[float]]:
    return sorted((face["box"] for face in document["faces"]), key=lambda box: box[0])


@pytest.mark.parametrize("engine", ["tfjs", "ort"])
def test_two_faces_are_both_parsed_and_found_where_the_cli_finds_them(app, engine, tmp_path):
    photo = two_faces()
    native = FrameParser().parse(photo, 448)
    assert len(native.faces) == 2

    app.open(engine=engine, backend="wasm", size=448)
    labels = app.parse_photo(photo, tmp_path / "two.png")
    assert app.status()["faces"] == "2"
    document = json.loads(app.export("#export-areas"))
    in_browser = detections(document)
    assert len(in_browser) == 2
    assert np.abs(np.asarray(in_browser) - np.asarray(detections({"faces": native.faces}))).max() <= 2, \
        f"browser {in_browser} vs CLI {detections({'faces': native.faces})}"
    for face in document["faces"]:
        assert_plausible_face(labels[face_region(face, labels.shape, margin=0.25)])
        for part in ("l_eye", "r_eye", "u_lip", "l_lip"):
            assert face["classes"][part]["pixels"] > 0, (part, face["box"])


def test_beyond_the_limit_the_largest_faces_are_parsed_and_the_page_says_so(app, tmp_path):
    app.open(backend="wasm", size=288, maxFaces=1)
    labels = app.parse_photo(two_faces(), tmp_path / "two.png")
    assert "2 faces found: the largest is parsed." in app.message()
    [face] = json.loads(app.export("#export-areas"))["faces"]
    assert face["box"][0] < 100, "the larger face, on the left"
    assert (labels[:, 380:] == FACE_CLASSES["skin"]).sum() == 0, "the smaller face is left out"


def test_without_a_face_the_whole_frame_is_parsed_and_the_page_says_so(app, tmp_path):
    app.open(backend="wasm", size=288)
    photo = no_face()
    labels = app.parse_photo(photo, tmp_path / "coffee.png")
    assert "No face found in coffee.png: the whole photo is parsed." in app.message()
    assert app.status()["faces"] == "0"
    assert "no face: whole frame" in app.page.inner_text("#stats")
    assert labels.shape == photo.shape[:2]
    assert json.loads(app.export("#export-areas"))["faces"] == []


def test_find_faces_off_parses_the_whole_frame_as_before(app, tmp_path):
    app.open(backend="wasm", size=448, faces="off")
    assert not app.page.is_checked("#faces-toggle")
    labels = app.parse_photo(data.astronaut(), tmp_path / "astronaut.png")
    assert app.status()["faces"] == ""
    assert "faces off" in app.page.inner_text("#stats")
    eyes = int(np.isin(labels, [FACE_CLASSES["l_eye"], FACE_CLASSES["r_eye"]]).sum())
    app.page.check("#faces-toggle")
    app.wait_frames(1, faces=1)
    with_faces = app.labels()
    found_eyes = int(np.isin(with_faces, [FACE_CLASSES["l_eye"], FACE_CLASSES["r_eye"]]).sum())
    assert found_eyes > max(20, 3 * eyes), f"the crop finds the eyes ({found_eyes} pixels) the whole frame misses ({eyes})"


# Per finished frame (#status counts it): the frame's number, its faces, the picture's colour at
# a corner (which scene it shows) and the overlay's colour at each scene's skin points.
RECORD_FRAMES = """([points]) => {
  window.__frames = [];
  const status = document.querySelector('#status');
  const pixel = (canvas, x, y) => Array.from(canvas.getContext('2d').getImageData(x, y, 1, 1).data);
  new MutationObserver(() => {
    const picture = document.querySelector('#picture');
    const overlay = document.querySelector('#overlay');
    window.__frames.push({
      frame: Number(status.dataset.frames), faces: status.dataset.faces, corner: pixel(picture, 4, 4),
      skin: points.map((scene) => scene.map(([x, y]) => pixel(overlay, x, y))),
    });
  }).observe(status, { attributes: true, attributeFilter: ['data-frames'] });
}"""


def skin_points(scene: np.ndarray, count: int = 24) -> list[list[int]]:
    """Points well inside the skin of the scene's face, as the CLI parses it."""
    from scipy import ndimage

    labels = FrameParser().parse(scene, 288).labels
    inside = ndimage.binary_erosion(labels == FACE_CLASSES["skin"], iterations=6)
    ys, xs = np.nonzero(inside)
    pick = np.random.default_rng(0).choice(len(xs), size=count, replace=False)
    return [[int(xs[i]), int(ys[i])] for i in pick]


def test_after_a_cut_the_new_scenes_face_is_parsed_within_two_frames(playwright, live_server, tmp_path):
    """A clip cutting between two scenes every 10 frames, each with a face elsewhere: the crop of
    the last scene's face must not stay where that face was, nor the page say "no face"."""
    scenes = two_scenes()
    points = [skin_points(scene) for scene in scenes]
    # Ten frames a second: a scene lasts a second, several parsed frames, and a crop left stale
    # until the detector's next turn would show on the frames after the cut.
    y4m = write_y4m(tmp_path / "cuts.y4m", [scene for scene in scenes for _ in range(10)], fps=10)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS + fake_webcam_flags(y4m))
    try:
        for app in watched_app(browser, live_server, allow_page_errors=False):
            app.open(backend="wasm", size=288, render="2d", steady="off")
            app.page.evaluate(RECORD_FRAMES, [points])
            app.start_camera()
            app.page.wait_for_function("window.__frames.length >= 45", timeout=90_000)
            frames = app.page.evaluate("window.__frames")
    finally:
        browser.close()
    skin = tuple(json.loads((ROOT / "models" / "manifest.json").read_text())["classes"][FACE_CLASSES["skin"]]["color"])
    corners = [tuple(int(v) for v in scene[4, 4]) for scene in scenes]

    def shown_scene(record) -> int:
        return int(np.argmin([np.abs(np.subtract(record["corner"][:3], corner)).sum() for corner in corners]))

    def parsed(record, scene: int) -> float:
        """Share of that scene's skin points that the overlay shows as skin."""
        return float(np.mean([pixel[3] > 0 and np.abs(np.subtract(pixel[:3], skin)).max() <= 8 for pixel in record["skin"][scene]]))

    runs = []  # per stretch of frames showing one scene: the frames' (right face parsed, wrong face parsed, faces)
    for record in frames:
        scene = shown_scene(record)
        if not runs or runs[-1][0] != scene:
            runs.append((scene, []))
        runs[-1][1].append((parsed(record, scene) >= 0.6, parsed(record, 1 - scene) >= 0.6, record["faces"]))
    cuts = runs[1:-1]  # whole stretches after a cut (the last may be cut short)
    assert len(cuts) >= 2, f"the clip cut only {len(runs) - 1} times in {len(frames)} frames"
    for scene, stretch in cuts:
        first_right = next((index for index, (right, _, _) in enumerate(stretch) if right), None)
        assert first_right is not None and first_right <= 1, \
            f"scene {scene}: the new face parsed only from frame {first_right} of {len(stretch)} after the cut: {stretch}"
        assert all(right and not wrong and faces == "1" for right, wrong, faces in stretch[2:]), \
            f"scene {scene}: a stale crop or 'no face' after the cut: {stretch}"


@pytest.mark.parametrize(("engine", "thread"), [("tfjs", "worker"), ("ort", "main")])
def test_the_whole_person_in_either_engine_and_thread(app, tmp_path, engine, thread):
    """The whole astronaut photo: her face's crop over the whole photo's parse, and her suit below
    it a part or her body; the person mask's time on the status line."""
    photo = data.astronaut()
    app.open(engine=engine, thread=thread, backend="wasm", size=448)
    labels = app.parse_photo(photo, tmp_path / "astronaut.png")
    shown = app.status()
    assert (shown["faces"], shown["engine"], shown["where"]) == ("1", engine, thread)
    assert float(shown["personMs"]) > 0 and "person " in app.page.inner_text("#stats")
    suit = labels[430:, 150:400]
    assert np.isin(suit, [16, 19]).mean() > 0.9, "her suit is cloth or body, not background"
    areas = json.loads(app.export("#export-areas"))
    assert "body" in areas["classes"]
