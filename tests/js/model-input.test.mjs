// The engine's input normalisation: RGBA frame bytes -> float32 RGB, x*scale + offset.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { normalizationTable, rgbaToModelInput } from '../../worker/model-input.js';

const table = normalizationTable(1 / 127.5, -1);

test('the table maps 0 and 255 to the ends of [-1, 1] and rises with the value', () => {
  assert.equal(table[0], -1);
  assert.ok(Math.abs(table[255] - 1) < 1e-6);
  for (let value = 1; value < 256; value += 1) assert.ok(table[value] > table[value - 1], `not rising at ${value}`);
});

test('pixels keep their RGB order, row-major, and lose their alpha', () => {
  // Two pixels, alpha deliberately not opaque: it must not leak into the input.
  const rgba = new Uint8ClampedArray([10, 20, 30, 40, 200, 150, 100, 7]);
  const input = rgbaToModelInput(rgba, 1, 2, table);
  assert.ok(input instanceof Float32Array);
  assert.deepEqual([...input], [10, 20, 30, 200, 150, 100].map((value) => table[value]));
});

test('a frame of the wrong size is refused with the size it should have', () => {
  assert.throws(() => rgbaToModelInput(new Uint8Array(12), 2, 2, table), /expected 2x2 RGBA pixels \(16 bytes\)/);
  assert.throws(() => rgbaToModelInput(new Uint8Array(0), 0, 0, table), /expected 0x0/);
});

test('a frame that starts mid-buffer (not 4-byte aligned) reads the same pixels', () => {
  const bytes = new Uint8Array([99, 10, 20, 30, 255, 40, 50, 60, 255]);
  const input = rgbaToModelInput(bytes.subarray(1), 2, 1, table);
  assert.deepEqual([...input], [10, 20, 30, 40, 50, 60].map((value) => table[value]));
});
