"""Parses pasted back: a face crop over the whole frame's parse (the context), meeting it without a
straight edge at the crop's border, the denser parse kept where both see the face, and the person
mask's body."""

import json

import numpy as np

from faceparts import compose, geometry, person
from faceparts.model_manifest import PersonSpec
from server import ROOT
from tests.support.edges import border_and_inside

MANIFEST = json.loads((ROOT / "models" / "manifest.json").read_text())
PERSON = PersonSpec.from_manifest(MANIFEST)
CLOTH, HAIR, SKIN, GLASSES, BODY = 16, 17, 1, 6, PERSON.body_id


def truth(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """A 240 px frame: a face (skin) inside the crop, and a garment (cloth) across the whole
    frame below it, with a slanted, wavy top."""
    face = ((xs - 120) / 40) ** 2 + ((ys - 90) / 45) ** 2 < 1
    cloth = ys > 135 + 0.15 * (xs - 120) + 4 * np.sin(xs / 9)
    return np.where(face, SKIN, np.where(cloth, CLOTH, 0)).astype(np.uint8)


def sampled(matrix: np.ndarray, height: int, width: int) -> np.ndarray:
    """truth as a parse of `height` x `width` pixels placed by matrix (frame -> parse) sees it."""
    u, v = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)
    points = geometry.apply(geometry.invert(matrix), np.stack([u.ravel(), v.ravel()], 1))
    return truth(points[:, 0], points[:, 1]).reshape(height, width)


def scene():
    """The crop: 120 frame px from (60, 40), parsed at 120; the context: the frame parsed at 60."""
    crop_matrix = geometry.translation(-60, -40)
    context_matrix = geometry.scaling(60 / 240)
    return (sampled(crop_matrix, 120, 120), crop_matrix), (sampled(context_matrix, 60, 60), context_matrix)


def test_without_a_context_a_crop_ends_at_its_border_and_with_one_it_does_not():
    crop, context = scene()
    alone, _ = compose.compose(240, 240, [crop], 20)
    assert (alone[170:, :] == 0).all() and (alone[:, :55] == 0).all(), "outside the crop: nothing"
    border, inside = border_and_inside(alone, [(crop[1], crop[0].shape[0])])
    assert border > 2 * inside, "the crop's cloth ends in a straight line at its border"
    over, _ = compose.compose(240, 240, [crop], 20, context=context)
    assert (over[200:230, 80:160] == CLOTH).all() and (over[200:230, 10:40] == CLOTH).all(), "the garment goes on past the crop"
    border, inside = border_and_inside(over, [(crop[1], crop[0].shape[0])])
    assert border <= inside, f"labels change across the crop's border ({border:.3f}) no more than inside it ({inside:.3f})"
    np.testing.assert_array_equal(over[50:150, 70:170], alone[50:150, 70:170], "inside, the crop's own labels")


def test_where_the_context_sees_the_face_as_finely_it_is_kept():
    crop, _ = scene()
    fine = sampled(np.eye(3), 240, 240)  # the whole frame, parsed at its own density
    labels, counts = compose.compose(240, 240, [crop], 20, context=(fine, np.eye(3)))
    np.testing.assert_array_equal(labels, fine)
    assert counts[0].sum() > 0.9 * 120 * 120, "the face's own pixels still count as its areas"


def test_the_person_mask_adds_the_body_and_drops_stray_context_parts_outside_crops():
    crop, (context, matrix) = scene()
    context = context.copy()
    context[2:6, 50:55] = HAIR  # a stray part in the room, far from the person
    context[52:56, 20:24] = GLASSES  # the garment's folds taken for glasses
    mask = np.zeros((240, 240), bool)
    mask[40:, 50:190] = True  # the person: the crop and the garment below it
    labels, _ = compose.compose(240, 240, [crop], 20, context=(context, matrix), person=mask, body_id=BODY, garment_id=CLOTH,
                                beyond_face=PERSON.beyond_face)
    assert (labels[:30, 200:] == 0).all() and HAIR not in labels[:30], "the stray part outside the person is gone"
    assert GLASSES not in labels[200:230, 80:100], "a face's inner part outside every crop is the model's mistake"
    assert BODY in labels[40:, 50:60] and not (labels[~mask] == BODY).any(), "body: a person's pixels no part covers"
    assert (labels[200:230, 80:160] == CLOTH).all(), "parts stay parts"
    assert (labels[40:, 50:190][labels[40:, 50:190] != CLOTH] != 0).all(), "no background left in the person"
    whole, _ = compose.compose(240, 240, [], 20, context=(context, matrix), person=mask, body_id=BODY, garment_id=CLOTH,
                               beyond_face=PERSON.beyond_face)
    assert HAIR in whole[:30], "without crops the whole frame's parse is kept as it is"


def test_the_mask_is_stretched_back_onto_the_frame():
    matrix = person.view(480, 640, PERSON)
    assert geometry.apply(matrix, [(640, 480)]).tolist() == [[PERSON.width, PERSON.height]]
    probabilities = np.zeros((PERSON.height, PERSON.width), np.uint8)
    probabilities[:, PERSON.width // 2:] = 255
    mask = person.frame_mask(probabilities, 480, 640, PERSON)
    assert mask.shape == (480, 640) and mask[:, 330:].all() and not mask[:, :310].any()


def test_a_body_the_crops_garment_runs_into_is_that_garment():
    crop, (context, matrix) = scene()
    bare = np.where(context == CLOTH, 0, context).astype(np.uint8)  # a wide frame: the model sees no suit
    mask = sampled(np.eye(3), 240, 240) != 0  # the person: her face and her suit
    mask[:, 190:] = False
    mask[5:25, 200:235] = True  # someone else, apart: a body no garment runs into
    labels, _ = compose.compose(240, 240, [crop], 20, context=(bare, matrix), person=mask, body_id=BODY, garment_id=CLOTH,
                                beyond_face=PERSON.beyond_face)
    assert (labels[200:235, 60:180] == CLOTH).all(), "the suit below the collar the crop saw is cloth"
    assert (labels[5:25, 200:235] == BODY).all(), "a body apart stays body"
    border, inside = border_and_inside(labels, [(crop[1], crop[0].shape[0])])
    assert border <= inside, (border, inside)


def test_on_video_the_person_mask_changes_side_only_when_the_model_says_so_twice():
    view = person.view(120, 160, PERSON)
    _, xs = np.mgrid[:PERSON.height, :PERSON.width]
    still = np.where(np.abs(xs - PERSON.width / 2) < PERSON.width / 4, 230, 20).astype(np.uint8)
    # Noise flips a few pixels to the other side each frame, never the same ones twice running.
    flips = np.random.default_rng(0).permutation(still.size).reshape(64, -1)
    state, shown = None, []
    for frame in range(6):
        noisy = still.ravel().copy()
        noisy[flips[frame]] = 255 - noisy[flips[frame]]
        noisy = noisy.reshape(still.shape)
        mask, state = person.steady_mask(noisy, view, state, PERSON)
        shown.append(mask)
    assert set(np.unique(shown[-1])) <= {0, 255}
    clean = np.where(still >= 128, 255, 0)
    assert not (shown[0] == clean).all(), "the first frame is shown as the model gives it"
    assert all((mask == clean).all() for mask in shown[2:]), "one-frame flips never show"
    moved = np.roll(still, 20, axis=1)
    first, state = person.steady_mask(moved, view, state, PERSON)
    second, state = person.steady_mask(moved, view, state, PERSON)
    assert ((second > 0) == (moved >= 128)).all(), "a change the model keeps shows"
