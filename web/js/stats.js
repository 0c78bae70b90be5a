// Frame statistics: FPS and per-stage medians over the last frames, from each frame's timings.

const WINDOW = 30;

const median = (values) => {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

// The stages the status line reports, from the timings the frame path recorded.
// preMs: the input shape and the normalisation; transferMs: the round trip to the model less
// the work done there.
export function stageTimes(t) {
  return {
    captureMs: t.captureMs,
    preMs: t.shapeMs + t.normalizeMs,
    transferMs: t.roundTripMs - t.normalizeMs - t.inferenceMs,
    inferenceMs: t.inferenceMs,
    postMs: t.postMs,
    effectMs: t.effectMs,
    drawMs: t.drawMs,
    // Only the frames that ran the detector.
    detectMs: t.detectMs,
    // The whole frame's parse under the face crops (part of inferenceMs), and the person mask.
    contextMs: t.contextMs,
    personMs: t.personMs,
  };
}

export class FrameStats {
  constructor(window = WINDOW) {
    this.window = window;
    this.frames = 0;
    this.reset();
  }

  // A new source or model: the window starts over (the frame count does not).
  reset() {
    this.finished = [];
    this.stages = {};
  }

  record(finishedAt, timings) {
    this.frames += 1;
    this.push(this.finished, finishedAt);
    for (const [name, value] of Object.entries(stageTimes(timings))) {
      if (value !== undefined) this.push(this.stages[name] ??= [], value);
    }
  }

  push(list, value) {
    list.push(value);
    if (list.length > this.window) list.shift();
  }

  // -> {fps, frames, captureMs, preMs, ...}: medians over the window.
  summary() {
    const span = (this.finished.at(-1) - this.finished[0]) / 1000;
    return {
      fps: span > 0 ? (this.finished.length - 1) / span : 0,
      frames: this.frames,
      ...Object.fromEntries(Object.entries(this.stages).map(([name, values]) => [name, median(values)])),
    };
  }
}
