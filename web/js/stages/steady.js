// Stage: a steady mask on video. Python keeps, in each crop's own frame, the labels that were
// shown; a pixel changes class only once the model gives the new class two frames running
// (faceparts/steady.py). Photos are parsed as they are.
//   in: frame.crops[i].labels, .plan, context.settings.steady  out: frame.crops[i].labels (steadied)

// The state of the current source, kept between its frames: one entry per crop.
let kept = { source: null, key: null, states: [] };

export const steady = {
  name: 'steady',
  run(frame, { python, settings }) {
    if (settings.steady !== 'on' || frame.source.kind !== 'camera') return;
    const started = performance.now();
    const key = frame.crops.map((crop) => `${crop.plan.height}x${crop.plan.width}`).join(' ');
    if (kept.source !== frame.source || kept.key !== key) kept = { source: frame.source, key, states: [] };
    kept.states = frame.crops.map((crop, index) => {
      const result = python.steadyLabels(crop.labels, crop.plan, kept.states[index] ?? null);
      crop.labels = result.labels;
      return result.state;
    });
    frame.timings.steadyMs = performance.now() - started;
  },
};
