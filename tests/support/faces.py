"""Pictures with faces where they really are, and whether a label map is a face: which parts are
there, and in what order."""

from __future__ import annotations

import numpy as np
from PIL import Image
from skimage import data

FACE_CLASSES = {"skin": 1, "l_brow": 2, "r_brow": 3, "l_eye": 4, "r_eye": 5, "nose": 10, "u_lip": 12, "l_lip": 13, "hair": 17}


def centroid_row(labels: np.ndarray, *class_ids: int) -> float:
    rows, _ = np.nonzero(np.isin(labels, class_ids))
    return float(rows.mean())


def assert_face_outline(labels: np.ndarray):
    areas = {name: int((labels == class_id).sum()) for name, class_id in FACE_CLASSES.items()}
    assert areas["skin"] > 0.05 * labels.size and areas["hair"] > 0.05 * labels.size, areas
    assert centroid_row(labels, 17) < centroid_row(labels, 1), "hair is not above the skin"


def assert_plausible_face(labels: np.ndarray):
    """Skin, hair, two eyes (one each side of the nose: the model's left/right names may swap,
    as about 7 % of its training labels do), a nose and lips, eyes above nose above lips, and
    skin the largest part of the face."""
    present = {name for name, class_id in FACE_CLASSES.items() if (labels == class_id).sum() >= 10}
    for needed in ("skin", "hair", "nose"):
        assert needed in present, f"{needed} missing from the parse; found {sorted(present)}"
    assert {"u_lip", "l_lip"} & present, f"no lips in the parse; found {sorted(present)}"
    nose_column = np.nonzero(labels == FACE_CLASSES["nose"])[1].mean()
    eye_columns = np.nonzero(np.isin(labels, [FACE_CLASSES["l_eye"], FACE_CLASSES["r_eye"]]))[1]
    sides = ((eye_columns < nose_column).sum(), (eye_columns > nose_column).sum())
    assert min(sides) >= 10, f"not an eye each side of the nose (eye pixels left, right: {sides}); found {sorted(present)}"
    eyes, nose, lips = centroid_row(labels, 4, 5), centroid_row(labels, 10), centroid_row(labels, 12, 13)
    assert eyes < nose < lips, f"eyes ({eyes:.0f}), nose ({nose:.0f}) and lips ({lips:.0f}) are not top to bottom"
    face_areas = {name: int((labels == class_id).sum()) for name, class_id in FACE_CLASSES.items() if name != "hair"}
    assert max(face_areas, key=face_areas.get) == "skin", f"skin is not the largest face class: {face_areas}"


def assert_agrees_with_native(in_browser: np.ndarray, native: np.ndarray, what: str):
    """The same labels as native ONNX Runtime (the CLI) on at least 99.5 % of the pixels."""
    assert in_browser.shape == native.shape, (in_browser.shape, native.shape)
    agreement = float((in_browser == native).mean())
    assert agreement >= 0.995, f"{what} and native ONNX Runtime agree on {agreement:.2%} of pixels"


def small_off_centre() -> np.ndarray:
    """640x480: the whole astronaut photo shrunk so that her face is about 70 px wide, top right."""
    frame = np.full((480, 640, 3), (96, 104, 110), dtype=np.uint8)
    frame[30:330, 320:620] = np.asarray(Image.fromarray(data.astronaut()).resize((300, 300), Image.BILINEAR))
    return frame


def two_faces() -> np.ndarray:
    """640x480 with the astronaut's head twice: as she is, and mirrored, smaller."""
    head = data.astronaut()[0:256, 106:362]
    frame = np.full((480, 640, 3), (70, 80, 90), dtype=np.uint8)
    frame[40:300, 20:280] = np.asarray(Image.fromarray(head).resize((260, 260), Image.BILINEAR))
    frame[160:360, 380:580] = np.asarray(Image.fromarray(head[:, ::-1]).resize((200, 200), Image.BILINEAR))
    return frame


def no_face() -> np.ndarray:
    return np.asarray(Image.fromarray(data.coffee()).resize((480, 320)))


def cut_by_the_edge() -> np.ndarray:
    """640x480 with the astronaut's head cut by the frame's left edge (a third of it outside)."""
    head = data.astronaut()[0:256, 106:362]
    frame = np.full((480, 640, 3), (70, 80, 90), dtype=np.uint8)
    frame[100:400, 0:200] = np.asarray(Image.fromarray(head).resize((300, 300), Image.BILINEAR))[:, 100:]
    return frame


def face_on_texture() -> np.ndarray:
    """640x480: the astronaut's head, 300 px, in front of a fine random texture (a background
    whose blur shows)."""
    rng = np.random.default_rng(7)
    frame = rng.integers(40, 216, size=(480, 640, 3), dtype=np.uint8)
    head = data.astronaut()[0:256, 106:362]
    frame[90:390, 170:470] = np.asarray(Image.fromarray(head).resize((300, 300), Image.BILINEAR))
    return frame


GREY = (128, 128, 128)


def moving_face(frames: int = 60) -> list[np.ndarray]:
    """320x240 frames of the astronaut's head, 200 px, swinging left and right on grey (up to
    about 6 px a frame): a clip on which a parse drawn over a later frame visibly misses."""
    head = np.asarray(Image.fromarray(data.astronaut()[0:256, 106:362]).resize((200, 200), Image.BILINEAR))
    clip = []
    for index in range(frames):
        frame = np.full((240, 320, 3), GREY, dtype=np.uint8)
        x = int(round(60 + 58 * np.sin(2 * np.pi * index / frames)))
        frame[20:220, x:x + 200] = head
        clip.append(frame)
    return clip


def noisy_still(frames: int = 30, noise: float = 4.0) -> list[np.ndarray]:
    """320x240 frames of one still picture of the astronaut's head with fresh camera-like noise
    on each: a clip whose parse should not change, but flickers at class borders."""
    rng = np.random.default_rng(3)
    still = np.full((240, 320, 3), GREY, dtype=np.uint8)
    still[20:220, 60:260] = np.asarray(Image.fromarray(data.astronaut()[0:256, 106:362]).resize((200, 200), Image.BILINEAR))
    return [np.clip(still + rng.normal(0, noise, still.shape), 0, 255).astype(np.uint8) for _ in range(frames)]


def two_scenes() -> tuple[np.ndarray, np.ndarray]:
    """Two 640x480 scenes to cut between: the astronaut's head on the left over blue, and
    mirrored, higher, on the right over orange."""
    head = np.asarray(Image.fromarray(data.astronaut()[0:256, 106:362]).resize((240, 240), Image.BILINEAR))
    left = np.full((480, 640, 3), (60, 80, 140), dtype=np.uint8)
    left[180:420, 40:280] = head
    right = np.full((480, 640, 3), (170, 120, 60), dtype=np.uint8)
    right[40:280, 360:600] = head[:, ::-1]
    return left, right
