// Stage: the model turns each crop's pixels into class ids (in the worker or on the main thread).
//   in: frame.crops (their pixels are transferred: detached afterwards)
//   out: frame.crops[i].labels (Uint8Array [h*w]), frame.precision (what ran at the chosen size), frame.numTensors,
//        timings.contextMs (the whole frame's parse, when it lies under face crops)

export const parse = {
  name: 'parse',
  usesModel: true,
  async run(frame, { runner }) {
    const totals = { roundTripMs: 0, normalizeMs: 0, inferenceMs: 0 };
    for (const crop of frame.crops) {
      const sent = performance.now();
      const result = await runner.infer(crop.pixels, crop.plan.height, crop.plan.width);
      crop.pixels = null;
      crop.labels = result.labels;
      frame.numTensors = result.numTensors;
      // What ran at the chosen size: the context under face crops may run at another.
      const context = crop.plan.whole && frame.crops.length > 1;
      if (!context) frame.precision = result.precision;
      totals.roundTripMs += performance.now() - sent;
      totals.normalizeMs += result.normalizeMs;
      totals.inferenceMs += result.inferenceMs;
      if (context) frame.timings.contextMs = result.inferenceMs;
    }
    Object.assign(frame.timings, totals);
  },
};
