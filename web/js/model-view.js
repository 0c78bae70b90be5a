// What a model sees of the frame: RGBA bytes of one view (matrix: frame -> view, height x width;
// kind: 'detector', 'crop', 'context' or 'person'). The browser draws it from the frame's picture
// on the GPU (canvas-warp.js). An export's frames come with their decoded pixels in Python
// (frame.decoded, framePixels'): Python resamples those as the faceparts command does, so that
// the exported labels are the command's.

import { warpPixels } from './canvas-warp.js';

export function modelView(frame, python, kind, matrix, height, width) {
  if (frame.decoded) return python.modelView(frame.decoded, kind, matrix, height, width);
  return warpPixels(frame.picture, matrix, height, width, kind);
}
