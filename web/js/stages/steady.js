// Stage: a steady mask on video. Python keeps, in each crop's own frame, the labels that were
// shown; a pixel changes class only once the model gives the new class two frames running
// (faceparts/steady.py). The person mask is held the same way in its own input. Photos are
// parsed as they are.
//   in: frame.crops[i].labels, .plan, frame.person, context.settings.steady
//   out: frame.crops[i].labels, frame.person.mask (steadied)

// The state of the current source, kept between its frames: one entry per crop, and the person's.
let kept = { source: null, key: null, states: [], person: null };

export const steady = {
  name: 'steady',
  run(frame, { python, settings }) {
    if (settings.steady !== 'on' || !frame.source.moving) return;
    const started = performance.now();
    const key = frame.crops.map((crop) => `${crop.plan.height}x${crop.plan.width}`).join(' ');
    if (kept.source !== frame.source || kept.key !== key) kept = { source: frame.source, key, states: [], person: kept.source === frame.source ? kept.person : null };
    kept.states = frame.crops.map((crop, index) => {
      const result = python.steadyLabels(crop.labels, crop.plan, kept.states[index] ?? null);
      crop.labels = result.labels;
      return result.state;
    });
    if (frame.person) {
      const result = python.steadyPerson(frame.person.mask, frame.person.view, kept.person);
      frame.person.mask = result.mask;
      kept.person = result.state;
    }
    frame.timings.steadyMs = performance.now() - started;
  },
};
