// The faces tracked on the current source, from frame to frame: the detect stage moves the crops
// with each detection, and the recheck stage asks for a detection on the next frame when a
// tracked crop's parse lost its face. Plain data; the decisions are Python's
// (faceparts/tracking.py).

export class FaceTracker {
  constructor() {
    this.start(null, null);
  }

  // A new source, or new settings for it (the face limit, the frame's size): start over.
  start(source, key) {
    Object.assign(this, {
      source, key, tracks: [], leftOut: 0, lastDetectionAt: null, detectionMs: 0, thumbnail: null, recheck: false,
    });
  }

  follow(source, key) {
    if (this.source !== source || this.key !== key) this.start(source, key);
  }

  // The next frame of this source runs the detector, whenever the last detection was.
  recheckSoon(source) {
    if (this.source === source) this.recheck = true;
  }
}
