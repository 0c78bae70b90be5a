// Backend planning: which backends Auto and explicit choices try, and the reasons given.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { backendRank, describeThreads, planBackends } from '../../worker/capabilities.js';

const hardware = (renderer) => ({ available: true, software: false, renderer });
const software = { available: true, software: true, renderer: 'SwiftShader' };
const missing = (reason) => ({ available: false, reason });
const wasm = { available: true, software: false, simd: true, threads: true, cores: 2 };

test('auto prefers hardware WebGPU, then WebGL, then WASM', () => {
  const plan = planBackends('auto', { webgpu: hardware('Apple M2'), webgl: hardware('Apple M2'), wasm });
  assert.deepEqual(plan.order, ['webgpu', 'webgl', 'wasm']);
  assert.deepEqual(plan.skipped, []);
});

test('auto skips software GPUs for WASM and says why', () => {
  const plan = planBackends('auto', { webgpu: missing('no adapter'), webgl: software, wasm });
  assert.deepEqual(plan.order, ['wasm']);
  assert.deepEqual(plan.skipped.map((s) => s.backend), ['webgpu', 'webgl']);
  assert.match(plan.skipped[1].reason, /software renderer \(SwiftShader\)/);
});

test('an explicit choice runs even on a software GPU', () => {
  const plan = planBackends('webgl', { webgpu: software, webgl: software, wasm });
  assert.equal(plan.order[0], 'webgl');
  assert.deepEqual(plan.skipped, []);
});

test('an unavailable explicit choice falls back and carries the reason', () => {
  const plan = planBackends('webgpu', { webgpu: missing('navigator.gpu is missing'), webgl: hardware('GPU'), wasm });
  assert.deepEqual(plan.order, ['webgl', 'wasm']);
  assert.deepEqual(plan.skipped, [{ backend: 'webgpu', requested: true, reason: 'navigator.gpu is missing' }]);
});

test('WebGL in the page outranks WASM in a worker (the Safari rule)', () => {
  const page = planBackends('auto', { webgpu: missing('none'), webgl: hardware('Apple GPU'), wasm }).order[0];
  const worker = planBackends('auto', { webgpu: missing('none'), webgl: missing('no WebGL2 in workers'), wasm }).order[0];
  assert.ok(backendRank(page) < backendRank(worker));
});

test('one WASM thread says why when the browser allows no more', () => {
  const noSharedMemory = { ...wasm, threads: false, threadsReason: 'this browser has no SharedArrayBuffer here' };
  assert.equal(describeThreads(1, noSharedMemory), '1 thread (this browser has no SharedArrayBuffer here)');
  assert.equal(describeThreads(2, wasm), '2 threads');
  // One core: one thread by choice, with nothing to explain.
  assert.equal(describeThreads(1, { ...wasm, threadsReason: null }), '1 thread');
});
