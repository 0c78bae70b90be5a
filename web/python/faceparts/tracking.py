"""Face tracks across video frames: each detected face keeps a crop pose that stays still while
the head does, follows it when it moves, and is dropped when the face is no longer found.

A track is a dict {"pose": [cx, cy, side, angle], "face": face} (faces.py's face dict), so the
page can keep tracks between frames as plain data.
"""

from __future__ import annotations

import math

import numpy as np

from .align import crop_pose
from .model_manifest import AlignmentSpec

# Below all three (the centre's shift as a share of the crop's side, the change of the side's
# log, the turn in radians) a new detection is the detector's jitter, not motion: the crop stays.
STILL = (0.03, 0.04, 0.04)
# A change this large (same units) is followed at once; smaller ones move at least halfway.
FOLLOW = 0.15
# A face belongs to a track whose crop centre is nearer than this share of the crop's side.
SAME_FACE = 0.5
# At most this share of the time goes to the detector while faces are tracked.
DETECTOR_SHARE = 0.08


def change(old, new) -> tuple[float, float, float]:
    """(shift, zoom, turn) from pose old to pose new."""
    shift = math.hypot(new[0] - old[0], new[1] - old[1]) / old[2]
    zoom = abs(math.log(new[2] / old[2]))
    turn = abs((new[3] - old[3] + math.pi) % (2 * math.pi) - math.pi)
    return shift, zoom, turn


def smooth(old, new) -> list[float]:
    """The pose a track moves to when a face at pose `new` is detected on it."""
    moved = change(old, new)
    if all(amount < still for amount, still in zip(moved, STILL)):
        return [float(v) for v in old]
    alpha = min(1.0, max(0.5, max(moved) / FOLLOW))
    turn = (new[3] - old[3] + math.pi) % (2 * math.pi) - math.pi
    return [old[0] + alpha * (new[0] - old[0]), old[1] + alpha * (new[1] - old[1]),
            old[2] * math.exp(alpha * math.log(new[2] / old[2])), old[3] + alpha * turn]


def update(tracks: list[dict], faces: list[dict], spec: AlignmentSpec) -> list[dict]:
    """Tracks after a detection: each face (largest first) continues the nearest free track,
    smoothed, or starts one; tracks without a face end. Order follows `faces`."""
    free = list(tracks)
    updated = []
    for face in faces:
        pose = crop_pose(face["keypoints"], spec)
        distance = [math.hypot(t["pose"][0] - pose[0], t["pose"][1] - pose[1]) / t["pose"][2] for t in free]
        if distance and min(distance) < SAME_FACE:
            track = free.pop(int(np.argmin(distance)))
            pose = smooth(track["pose"], pose)
        updated.append({"pose": [float(v) for v in pose], "face": face})
    return updated


def should_detect(now_ms: float, last_detection_ms: float | None, detection_ms: float) -> bool:
    """Whether this video frame runs the detector: the first one does, then as often as keeps the
    detector's share of the time under DETECTOR_SHARE (every frame on a slow backend, where the
    parse dwarfs it; every few on a fast one)."""
    if last_detection_ms is None:
        return True
    return now_ms - last_detection_ms >= detection_ms / DETECTOR_SHARE
