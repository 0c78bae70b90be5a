// Stage: what the model parses, as RGBA bytes: each face's crop (size x size, drawn through its
// transform), then the whole frame at the model's input shape (under the crops at a smaller size on
// video). Python plans the geometry; the browser resamples on the GPU (an export: Python, as the
// faceparts command does; model-view.js); the engine normalises the bytes.
//   in: frame.picture (an export: frame.decoded), frame.faces, frame.size  out: frame.crops [{plan: {matrix, height, width}, pixels}]

import { modelView } from '../model-view.js';

export const capture = {
  name: 'capture',
  run(frame, { python }) {
    const started = performance.now();
    const plans = python.planCrops(frame.faces, frame.height, frame.width, frame.size, frame.source.moving);
    const planned = performance.now();
    frame.crops = Array.from(plans, (plan) => ({
      plan, pixels: modelView(frame, python, plan.whole ? 'context' : 'crop', plan.matrix, plan.height, plan.width),
    }));
    frame.timings.shapeMs = planned - started;
    frame.timings.captureMs = performance.now() - planned;
  },
};
