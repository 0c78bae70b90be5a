"""The steady mask: a class shows once the model gives it two frames running, a one-frame blip
never shows, the state moves with the crop, and a scene that moved is shown as it is."""

import numpy as np

from faceparts import geometry
from faceparts.steady import steady

IDENTITY = np.eye(3)


def face(height=20, width=20) -> np.ndarray:
    """A parse that is all skin (class 1) with a nose (10) in the middle."""
    labels = np.ones((height, width), np.uint8)
    labels[8:12, 8:12] = 10
    return labels


def run(frames, matrices=None):
    state, shown = None, []
    for index, raw in enumerate(frames):
        labels, state = steady(raw, IDENTITY if matrices is None else matrices[index], state)
        shown.append(labels)
    return shown


def test_a_one_frame_blip_never_shows_and_a_real_change_shows_one_frame_late():
    a = face()
    b = a.copy()
    b[3, 3] = 5
    shown = run([a, b, a, b, b, b])
    assert np.array_equal(shown[0], a), "the first frame is shown as it is"
    assert all(np.array_equal(s, a) for s in shown[1:4]), "blips that come and go never show"
    assert np.array_equal(shown[4], b) and np.array_equal(shown[5], b), "a class given twice running shows"


def test_a_cut_to_another_face_is_followed_on_the_second_frame_at_the_latest():
    first, second = face(), face()
    second[8:12, 8:12] = 1
    second[14:16, 6:14] = 12  # another face: no nose to be seen, lips lower down
    shown = run([first, first, second, second])
    assert np.array_equal(shown[3], second)


def test_the_state_moves_with_the_crop():
    # The same scene, the crop moved 2 px right: the crop sees it 2 px further left.
    scene = np.ones((20, 24), np.uint8)
    scene[8:12, 10:14] = 10
    first, second = scene[:, :20], scene[:, 2:22]
    shown = run([first, second], [IDENTITY, geometry.translation(-2, 0)])
    assert np.array_equal(shown[1], second), "no smear: last frame's labels line up with this frame's"
    # Without moving the state, the shifted nose would be held back for a frame.
    assert not np.array_equal(run([first, second])[1], second)


def test_pixels_the_last_crop_did_not_see_show_at_once():
    # The crop moved 3 px left, onto hair (17) it had not seen.
    scene = np.ones((20, 23), np.uint8)
    scene[:, :3] = 17
    first, second = scene[:, 3:], scene[:, :20]
    shown = run([first, second], [IDENTITY, geometry.translation(3, 0)])
    assert np.array_equal(shown[1], second)


def test_a_scene_that_moved_is_shown_as_the_model_gives_it():
    # A part that jumped (a head moving between two slow frames) would vanish if held back.
    before, after = np.zeros((20, 20), np.uint8), np.zeros((20, 20), np.uint8)
    before[2:8, 2:8] = 10
    after[10:16, 10:16] = 10
    assert np.array_equal(run([before, after])[1], after)


def test_a_new_crop_size_starts_over():
    shown = run([face(), face(30, 30)])
    assert np.array_equal(shown[1], face(30, 30))
