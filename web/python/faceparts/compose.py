"""The parses pasted back into one label map at the frame's own size: each face's crop over the
parse of the whole frame (the context), and the person mask's body.

A crop's parse wins inside the crop; towards its border its weight fades to nothing over BAND of
its side, and the context takes over. Where the two disagree in that band, each label's support
around the pixel (the share of a small box that has it, in its own parse) times its parse's weight
decides (the context's weight scaled down when it sees the frame more coarsely than the crop), so
they meet where each parse's regions end, not along the crop's border. Where the context sees the
face as finely as the crop does (its input pixels per frame pixel, its density, at least DENSER of
the crop's: a photo framed like the training crops, parsed whole at the crop's size), the context
is kept inside the crop too: the engines give labels, not scores, so of two parses that disagree
the denser is taken. Without a context, a crop's background fills only what no crop has claimed,
and outside every crop is background.

With a person mask, every pixel of a person that no part covers is `body`; and where there are
crops, the context's parts outside them count only where the mask sees a person, only if they are
parts found beyond a face (skin, neck, cloth, hair, hat), and only where they go on from the same
part in a crop: given a wide or coarse frame, the model labels stray bits of a room as parts, a
suit's folds as glasses or skin and a suit as hair. Without crops the whole frame's parse is kept
as the model gives it, and so it is where the context sees a face as finely as its crop. A body
that a garment (cloth) runs into, outside the crops or at the bottom of one (below the chin), is that garment
going on (a suit below the collar the crop saw): it becomes cloth, so the garment does not end at
the crop. Beside a head it does not: there the mask also takes hair or a busy room for the person.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from . import geometry, regions

OUTSIDE = 255  # a crop's pixels beyond the frame, while pasting
# The share of a crop's side over which its weight fades to nothing at its border: wide enough that
# labels cross a crop's border no more often than lines inside it, narrow enough that a coarse
# context costs the face little (tests/support/edges.py measures the one, bench/faces.py the other).
BAND = 0.04
# The vote's neighbourhood: a box of this share of the crop's side (frame pixels).
SUPPORT = 0.03
# The context is kept inside a crop once its density is at least this share of the crop's.
DENSER = 0.95
# Inside a crop a garment goes on into a body only below this share of the crop's side (the neck
# and collar): beside the head the person mask also takes hair and a busy room for the person.
BELOW_CHIN = 0.88
# A class's growth through the frame (what joins what) runs on the labels taken every this many pixels.
GROW_STEP = 4


def paste(parse: np.ndarray, matrix: np.ndarray, frame_height: int, frame_width: int):
    """A parse mapped back onto the frame (nearest label): -> (box (x0, y0, x1, y1), labels in
    the box with OUTSIDE where the parse does not reach), or None when it misses the frame."""
    box = geometry.paste_box(matrix, parse.shape[0], parse.shape[1], frame_height, frame_width)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    to_box = geometry.translation(-x0, -y0) @ geometry.invert(matrix)
    return box, geometry.warp(parse, to_box, y1 - y0, x1 - x0, resample=Image.NEAREST, fill=OUTSIDE)


def inset_mask(matrix: np.ndarray, side: int, inset: float, box, top: float | None = None) -> np.ndarray:
    """bool [box]: the frame pixels inside the square `inset` of the crop's side within its border
    (from `top` of its side down, if given)."""
    x0, y0, x1, y1 = box
    lo, hi = inset * side, (1 - inset) * side
    up = lo if top is None else top * side
    corners = geometry.apply(geometry.invert(matrix), [(lo, up), (hi, up), (hi, hi), (lo, hi)]) - (x0, y0)
    mask = Image.new("1", (x1 - x0, y1 - y0))
    ImageDraw.Draw(mask).polygon([(float(x), float(y)) for x, y in corners], fill=1)
    return np.asarray(mask, dtype=bool)


def crop_weight(matrix: np.ndarray, side: int, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """float32 at frame pixels (ys, xs): 1 inside the crop, fading to 0 at its border over BAND of
    its side."""
    cx, cy = xs + np.float32(0.5), ys + np.float32(0.5)
    u = matrix[0, 0] * cx + matrix[0, 1] * cy + matrix[0, 2]
    v = matrix[1, 0] * cx + matrix[1, 1] * cy + matrix[1, 2]
    inside = np.minimum(np.minimum(u, v), np.minimum(side - u, side - v)) / side
    return np.clip(inside / BAND, 0, 1).astype(np.float32)


def support(labels: np.ndarray, classes, radius: int, step: int) -> np.ndarray:
    """float32 [len(classes), h / step, w / step]: each class's share of the box of `radius` around
    each pixel of the labels taken every `step` pixels (a share changes slowly)."""
    small = labels[::step, ::step]
    blur = ImageFilter.BoxBlur(max(1, round(radius / step)))
    return np.stack([np.asarray(Image.fromarray(((small == c) * 255).astype(np.uint8)).filter(blur), dtype=np.float32)
                     for c in classes]) / 255


def vote(crop: np.ndarray, base: np.ndarray, weight: np.ndarray, ys: np.ndarray, xs: np.ndarray, radius: int,
         trust: float) -> np.ndarray:
    """Labels at (ys, xs), where the crop and the base disagree: the crop's label if its support
    in the crop times `weight` is at least the base label's support in the base times 1 - weight
    times `trust`."""
    mine, theirs = crop[ys, xs], base[ys, xs]
    step = max(1, radius // 4)
    at = (ys // step, xs // step)
    crop_score = weight * support_at(crop, mine, at, radius, step)
    base_score = (1 - weight) * trust * support_at(base, theirs, at, radius, step)
    return np.where(crop_score >= base_score, mine, theirs).astype(np.uint8)


def support_at(labels: np.ndarray, wanted: np.ndarray, at, radius: int, step: int) -> np.ndarray:
    """float32: the support of each label in `wanted` at the pixels `at` of the labels taken every
    `step` pixels (only the classes asked for are measured)."""
    present = np.zeros(256, dtype=bool)
    present[wanted] = True
    classes = np.flatnonzero(present)
    index = np.zeros(256, dtype=np.intp)
    index[classes] = np.arange(len(classes))
    return support(labels, classes, radius, step)[(index[wanted], *at)]


def coarse(mask: np.ndarray) -> np.ndarray:
    """A frame-sized array taken every GROW_STEP pixels."""
    return mask[::GROW_STEP, ::GROW_STEP]


def full(mask: np.ndarray, shape) -> np.ndarray:
    """A coarse bool mask back at the frame's size (nearest)."""
    return np.asarray(Image.fromarray(mask.astype(np.uint8)).resize((shape[1], shape[0]), Image.NEAREST)) > 0


def continuing(labels: np.ndarray, own: np.ndarray, covered: np.ndarray, classes) -> np.ndarray:
    """bool: the pixels whose class is one of `classes` and that the same class joins to a crop's
    own pixels of it (own: what the crops themselves said), through those and through the pixels
    of it outside every crop (covered): a crop's hair going on past its border, not a region the
    context alone calls hair."""
    wanted = np.zeros(256, dtype=bool)
    wanted[list(classes)] = True
    # A class none of whose pixels lies beyond the crops does not go on from them at all.
    wanted &= np.bincount(labels[~covered], minlength=256) > 0
    # Inside the crops a class is what they said; outside, what the context says.
    inside = coarse(covered)
    said = np.where(inside, coarse(own), coarse(labels))
    said = np.where(wanted[said], said, 0).astype(np.uint8)
    return full(regions.joined(inside & (said != 0), said), labels.shape)


def continue_garment(labels: np.ndarray, body_id: int, garment_id: int, beyond: np.ndarray) -> None:
    """Body pixels in `beyond` (bool: outside every crop) connected to garment (cloth) pixels
    through such pixels become garment, in place. Inside a crop its own parse has said where the
    garment ends."""
    garment, body = labels == garment_id, (labels == body_id) & beyond
    if garment.any() and body.any():
        reached = full(regions.joined(coarse(garment), coarse(garment | body).astype(np.uint8)), labels.shape)
        labels[reached & body] = garment_id


def compose(frame_height: int, frame_width: int, parses, num_classes: int, context=None, person=None,
            body_id: int | None = None, garment_id: int | None = None, beyond_face=()) -> tuple[np.ndarray, list[np.ndarray]]:
    """parses: [(labels uint8 [h,w], frame -> labels matrix)] of the face crops, the most
    important (largest face) first; context: the whole frame's (labels, matrix) or None;
    person: bool [H,W], a person's pixels, or None; body_id: their class where no part covers them;
    garment_id: the class (cloth) a body continues where a crop's garment runs into it;
    beyond_face: the classes the context keeps outside the crops where they go on from a crop's
    same part.
    -> (frame labels uint8 [H,W], per crop its pixel count per class in the result)."""
    labels = np.zeros((frame_height, frame_width), dtype=np.uint8)
    owner = np.full((frame_height, frame_width), -1, dtype=np.int8)
    if context is not None:
        pasted = paste(*context, frame_height, frame_width)
        if pasted:
            (x0, y0, x1, y1), values = pasted
            labels[y0:y1, x0:x1] = np.where(values == OUTSIDE, 0, values)
    pasted = [paste(parse, matrix, frame_height, frame_width) for parse, matrix in parses]
    covered = np.zeros((frame_height, frame_width), dtype=bool)
    own = np.full((frame_height, frame_width), OUTSIDE, dtype=np.uint8)  # what the crops themselves say
    cores = np.zeros((frame_height, frame_width), dtype=bool)  # the crops' insides, before their band
    inners = [None] * len(parses)  # each crop's inside, in its box
    garment_open = np.zeros((frame_height, frame_width), dtype=bool)  # where a garment may go on into a body
    for index, ((parse, matrix), placed) in enumerate(zip(parses, pasted)):
        if placed:
            (x0, y0, x1, y1), values = placed
            seen = values != OUTSIDE
            covered[y0:y1, x0:x1] |= seen
            own[y0:y1, x0:x1][seen] = values[seen]
            inners[index] = inset_mask(matrix, parse.shape[0], BAND, (x0, y0, x1, y1))
            cores[y0:y1, x0:x1] |= seen & inners[index]
            garment_open[y0:y1, x0:x1] |= seen & inset_mask(matrix, parse.shape[0], 0, (x0, y0, x1, y1), top=BELOW_CHIN)
    framed = context is not None and any(interior_weight(matrix, context[1]) == 0 for _, matrix in parses)
    if context is not None and parses and person is not None and not framed:
        # The context wherever it shows beyond the crops' insides: on the person, parts beyond a
        # face only, and only going on from a crop. (Not on a picture framed like the training
        # faces, where the model's parse of the whole picture is as good as a crop's.)
        kept = np.zeros(256, dtype=bool)
        kept[list(beyond_face)] = True
        outside = ~cores
        labels[outside & ~(person & kept[labels])] = 0
        # What is left outside the insides is a part beyond a face, or background.
        labels[outside & (labels != 0) & ~continuing(labels, own, covered, beyond_face)] = 0
    boxes = [placed[0] if placed else None for placed in pasted]
    for index in reversed(range(len(parses))):
        if pasted[index] is None:
            continue
        parse, matrix = parses[index]
        (x0, y0, x1, y1), values = pasted[index]
        region, claimed = labels[y0:y1, x0:x1], owner[y0:y1, x0:x1]
        seen = values != OUTSIDE
        if context is None:
            take = seen & ((values != 0) | (claimed < 0))
            region[take] = values[take]
            claimed[take] = index
            continue
        side = parse.shape[0]
        inner = inners[index]
        # A face's own pixels (its areas): the inner part of its crop, whichever parse labels them.
        claimed[seen & inset_mask(matrix, side, BAND / 2, boxes[index])] = index
        if interior_weight(matrix, context[1]) == 0:
            continue  # the context sees the face as finely: it stays, inside the crop too
        ys, xs = np.nonzero(seen & ~inner & (values != region))
        if len(ys):
            weight = crop_weight(matrix, side, ys + np.float32(y0), xs + np.float32(x0))
            # A context coarser than the crop gets its share of the vote by the ratio of densities.
            trust = min(1.0, geometry.scale_of(context[1]) / geometry.scale_of(matrix))
            radius = max(1, round(SUPPORT * side / geometry.scale_of(matrix)))
            region[ys, xs] = vote(values, region, weight, ys, xs, radius, trust)
        take = seen & inner
        region[take] = values[take]
    if person is not None:
        labels[(labels == 0) & person] = body_id
        if parses:
            # At the crops' bottom too, but for a picture framed like the training faces,
            # where the model's own cloth stands.
            continue_garment(labels, body_id, garment_id, ~covered | (garment_open if not framed else False))
    counts = []
    for index, box in enumerate(boxes):
        if box is None:
            counts.append(np.zeros(num_classes, dtype=np.int64))
            continue
        x0, y0, x1, y1 = box
        mine = owner[y0:y1, x0:x1] == index
        counts.append(np.bincount(labels[y0:y1, x0:x1][mine], minlength=num_classes)[:num_classes])
    return labels, counts


def interior_weight(crop_matrix: np.ndarray, context_matrix: np.ndarray) -> float:
    """The crop's weight inside it: 1, or 0 where the context sees the face as finely."""
    return 0.0 if geometry.scale_of(context_matrix) >= DENSER * geometry.scale_of(crop_matrix) else 1.0
