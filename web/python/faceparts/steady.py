"""A steady mask on video: label hysteresis in each crop's own (aligned) frame.

A pixel shows a new class only once the model has given it two frames running; a class that
comes for one frame and goes (the flicker of noise at class borders) never shows. A real
change, a cut to another face included, shows one frame late. The state is kept in the crop's
coordinates, and moved with the crop when the crop moves, so a moving crop does not smear.

When much of the crop changes at once, the scene moved (a head turning faster than the crop
follows, or slow frames of a moving head): holding the old classes would leave parts behind
and hide them where they went, so that frame is shown as the model gives it.

The page keeps the state between frames as plain data; the functions are pure.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from . import geometry

UNKNOWN = 255  # state pixels the crop did not see on the previous frame
# Above this share of the parsed pixels changing class from one frame to the next, it is motion.
MOTION = 0.1


def steady(raw: np.ndarray, matrix: np.ndarray, state: dict | None) -> tuple[np.ndarray, dict]:
    """raw: this frame's labels uint8 [h,w] in the crop; matrix: frame -> crop; state: what the
    previous frame left ({"shown", "raw", "matrix"}) or None. -> (labels to show, new state)."""
    if state is None or state["raw"].shape != raw.shape:
        return raw, {"shown": raw, "raw": raw, "matrix": matrix}
    shown, previous = state["shown"], state["raw"]
    if not np.allclose(state["matrix"], matrix, atol=1e-6):
        # Last frame's crop pixels, where this frame's crop sees them.
        old_to_new = matrix @ geometry.invert(np.asarray(state["matrix"]))
        height, width = raw.shape
        shown, previous = (geometry.warp(a, old_to_new, height, width, resample=Image.NEAREST, fill=UNKNOWN) for a in (shown, previous))
    same = raw == previous
    parsed = (raw != 0) | ((previous != 0) & (previous != UNKNOWN))
    if parsed.any() and 1 - same[parsed].mean() > MOTION:
        return raw, {"shown": raw, "raw": raw, "matrix": matrix}
    result = np.where(same | (shown == UNKNOWN), raw, shown)
    return result, {"shown": result, "raw": raw, "matrix": matrix}
