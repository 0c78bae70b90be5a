// Stage: the frame's picture, held still: every later stage reads the same video frame, and the
// picture shown with the parse is the one that was parsed.
// An export's source also holds the frame's decoded pixels in Python (video-export.js).
//   in: frame.source  out: frame.picture (an ImageBitmap of a camera or video file frame, or the photo's canvas),
//        frame.decoded (an export's: framePixels' handle, else null)

import { stillOf } from '../video-pixels.js';

export const snapshot = {
  name: 'snapshot',
  async run(frame) {
    const { element, moving, decoded } = frame.source;
    frame.picture = moving ? await stillOf(element) : element;
    frame.decoded = decoded ?? null;
  },
};
