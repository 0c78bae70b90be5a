// Frame statistics: FPS over the window and the stage arithmetic.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FrameStats, stageTimes } from '../../web/js/stats.js';

const timings = { shapeMs: 1, captureMs: 2, normalizeMs: 3, roundTripMs: 20, inferenceMs: 15, postMs: 4, effectMs: 6, drawMs: 5 };

test('pre is the input shape plus normalisation; transfer is the round trip less the work', () => {
  assert.deepEqual(stageTimes(timings), {
    captureMs: 2, preMs: 4, transferMs: 2, inferenceMs: 15, postMs: 4, effectMs: 6, drawMs: 5, detectMs: undefined, contextMs: undefined, personMs: undefined,
  });
  assert.equal(stageTimes({ ...timings, detectMs: 30 }).detectMs, 30);
});

test('FPS counts frames over the span of the window, which a reset starts over', () => {
  const stats = new FrameStats(3);
  for (const at of [0, 500, 1000, 1500]) stats.record(at, timings);
  const summary = stats.summary();
  assert.equal(summary.fps, 2); // the last 3 frames span 1 s
  assert.equal(summary.frames, 4);
  assert.equal(summary.inferenceMs, 15);
  stats.reset();
  stats.record(2000, timings);
  assert.equal(stats.summary().fps, 0, 'one frame has no rate');
  assert.equal(stats.summary().frames, 5);
});
