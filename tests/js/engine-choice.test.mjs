// Which engine and precision run the parser on each backend, and what the page is told.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chooseEngine } from '../../worker/engine-choice.js';

test('Auto runs ONNX Runtime Web in int8 on WASM, and says it chose', () => {
  const { engine, precision, notes } = chooseEngine('auto', 'wasm', 'int8');
  assert.deepEqual([engine, precision], ['ort', 'int8']);
  assert.deepEqual(notes, ['Auto engine: ONNX Runtime Web, the fastest measured on WASM']);
});

test('Auto runs TensorFlow.js on a GPU, in float32 even when int8 is asked for, and says why', () => {
  for (const backend of ['webgl', 'webgpu']) {
    const { engine, precision, notes } = chooseEngine('auto', backend, 'int8');
    assert.deepEqual([engine, precision], ['tfjs', 'fp32']);
    assert.match(notes[1], /TensorFlow\.js runs the float32 model/);
  }
});

test('an engine chosen by name runs, and int8 only where ONNX Runtime Web runs WASM', () => {
  assert.deepEqual(chooseEngine('tfjs', 'wasm', 'fp32'), { engine: 'tfjs', precision: 'fp32', notes: [] });
  assert.deepEqual(chooseEngine('ort', 'wasm', 'int8'), { engine: 'ort', precision: 'int8', notes: [] });
  const gpu = chooseEngine('ort', 'webgpu', 'int8');
  assert.deepEqual([gpu.engine, gpu.precision], ['ort', 'fp32']);
  assert.deepEqual(gpu.notes, ['WebGPU runs the float32 model (int8 is for the CPU)']);
  const tfjs = chooseEngine('tfjs', 'wasm', 'int8');
  assert.deepEqual([tfjs.engine, tfjs.precision], ['tfjs', 'fp32']);
});
