// Stage: the frame's picture, held still: every later stage reads the same video frame, and the
// picture shown with the parse is the one that was parsed.
//   in: frame.source  out: frame.picture (an ImageBitmap of a camera or video file frame, or the photo's canvas)

import { stillOf } from '../video-pixels.js';

export const snapshot = {
  name: 'snapshot',
  async run(frame) {
    const { element, moving } = frame.source;
    frame.picture = moving ? await stillOf(element) : element;
  },
};
