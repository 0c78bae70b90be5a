// Stage: the model turns the frame's pixels into class ids (in the worker or on the main thread).
//   in: frame.pixels (transferred: detached afterwards), frame.height, frame.width
//   out: frame.labels (Uint8Array [H*W]), frame.numTensors

export const parse = {
  name: 'parse',
  usesModel: true,
  async run(frame, { runner }) {
    const sent = performance.now();
    const result = await runner.infer(frame.pixels, frame.height, frame.width);
    frame.pixels = null;
    frame.labels = result.labels;
    frame.numTensors = result.numTensors;
    Object.assign(frame.timings, {
      roundTripMs: performance.now() - sent, normalizeMs: result.normalizeMs, inferenceMs: result.inferenceMs,
    });
  },
};
