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


def nearest(tracks: list[dict], pose) -> tuple[int | None, float]:
    """The index of the track whose crop centre is nearest a pose, and that distance as a share
    of the track's crop side (None, inf without tracks)."""
    distance = [math.hypot(t["pose"][0] - pose[0], t["pose"][1] - pose[1]) / t["pose"][2] for t in tracks]
    if not distance:
        return None, math.inf
    index = int(np.argmin(distance))
    return index, distance[index]


def is_tracked(face: dict, tracks: list[dict], spec: AlignmentSpec) -> bool:
    """Whether a detected face continues one of the tracks (update would smooth it onto one)."""
    return nearest(tracks, crop_pose(face["keypoints"], spec))[1] < SAME_FACE


def update(tracks: list[dict], faces: list[dict], spec: AlignmentSpec) -> list[dict]:
    """Tracks after a detection: each face (largest first) continues the nearest free track,
    smoothed, or starts one; tracks without a face end. Order follows `faces`."""
    free = list(tracks)
    updated = []
    for face in faces:
        pose = crop_pose(face["keypoints"], spec)
        index, distance = nearest(free, pose)
        if distance < SAME_FACE:
            pose = smooth(free.pop(index)["pose"], pose)
        updated.append({"pose": [float(v) for v in pose], "face": face})
    return updated


# ---- when a video frame runs the detector -----------------------------------------------------

# The frame's picture as the scene-cut check sees it: a grey thumbnail this small.
THUMBNAIL = (24, 32)  # height, width
# Above this mean change of a thumbnail's grey level (0-255) from one parsed frame to the next,
# the scene cut: far above a talking head's frame-to-frame change at a few frames a second or a
# camera's exposure step, below the change between two different photos
# (tests/unit/test_faces.py checks both).
SCENE_CUT = 24.0
# A tracked crop whose parse gives the face's own parts less than this share of its pixels has
# lost its face (a cut, the head gone): the next frame runs the detector.
LOST_FACE = 0.01


def grey_thumbnail(rgba: np.ndarray) -> np.ndarray:
    """uint8 RGBA [THUMBNAIL..., 4] (the page draws the frame that small) -> float32 grey."""
    return rgba[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def scene_cut(previous: np.ndarray | None, current: np.ndarray) -> bool:
    """Whether the scene cut between two frames' grey thumbnails (grey_thumbnail)."""
    return previous is not None and float(np.abs(current - previous).mean()) > SCENE_CUT


def lost_faces(face_counts: list[np.ndarray], face_ids: list[int]) -> list[bool]:
    """Per tracked crop, from its pixel count per class (compose's counts): whether its parse has
    lost the face."""
    lost = []
    for counts in face_counts:
        counts = np.asarray(counts)
        total = int(counts.sum())
        lost.append(bool(total == 0 or counts[face_ids].sum() < LOST_FACE * total))
    return lost


def should_detect(now_ms: float, last_detection_ms: float | None, detection_ms: float, tracked: bool = True,
                  recheck: bool = False) -> bool:
    """Whether this video frame runs the detector. The first one does; so does every frame while
    no face is tracked (a face that comes into view is found at once), and one after a scene cut
    or a crop that lost its face (recheck). Otherwise as often as keeps the detector's share of
    the time under DETECTOR_SHARE: every frame on a slow backend, where the parse dwarfs it;
    every few on a fast one."""
    if last_detection_ms is None or not tracked or recheck:
        return True
    return now_ms - last_detection_ms >= detection_ms / DETECTOR_SHARE
