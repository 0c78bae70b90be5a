// Stage: where a person is in the frame. The person mask's model looks at the whole frame
// (stretched to its input) and gives each pixel's probability of being a person's; Python turns
// the person's pixels that no part covers into the class `body` (postprocess).
//   in: frame.picture (an export: frame.decoded)  out: frame.person ({mask: Uint8Array probabilities 0-255, view}), timings.personMs

import { modelView } from '../model-view.js';

export const person = {
  name: 'person',
  usesModel: true,
  async run(frame, { python, runner }) {
    const started = performance.now();
    const view = python.personView(frame.height, frame.width);
    const pixels = modelView(frame, python, 'person', view.matrix, view.height, view.width);
    const { mask } = await runner.segment(pixels, view.height, view.width);
    frame.person = { mask, view };
    frame.timings.personMs = performance.now() - started;
  },
};
