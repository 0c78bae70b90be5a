// The settings schema: what the URL can say, and what it says about what it cannot.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseSettings, settingsSchema } from '../../web/js/settings.js';

const schema = settingsSchema({ sizes: [288, 448, 1024], default_size: 448, detector: { faces: { default_max: 4, max: 8 } } });

test('without parameters every setting has its default, sizes and faces from the manifest', () => {
  const { settings, explicit, problems } = parseSettings('', schema);
  assert.deepEqual(settings, { engine: 'tfjs', backend: 'auto', size: 448, thread: 'worker', faces: 'on', maxFaces: 4 });
  assert.equal(explicit.size, 0);
  assert.deepEqual(problems, []);
  assert.deepEqual(schema.size.values, [288, 448, 1024]);
  assert.deepEqual(schema.maxFaces.values, [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('known parameters set their setting, typed as the schema says', () => {
  const { settings, explicit } = parseSettings('?engine=ort&backend=wasm&size=288&thread=main&faces=off&maxFaces=2', schema);
  assert.deepEqual(settings, { engine: 'ort', backend: 'wasm', size: 288, thread: 'main', faces: 'off', maxFaces: 2 });
  assert.deepEqual([...explicit].sort(), ['backend', 'engine', 'faces', 'maxFaces', 'size', 'thread']);
});

test('an unknown parameter or value gets a message and changes nothing', () => {
  const { settings, explicit, problems } = parseSettings('?size=500&engine=torch&zoom=2', schema);
  assert.deepEqual(settings, { engine: 'tfjs', backend: 'auto', size: 448, thread: 'worker', faces: 'on', maxFaces: 4 });
  assert.equal(explicit.size, 0);
  assert.deepEqual(problems, [
    'size=500 is not one of 288, 448, 1024: 448 is used.',
    'engine=torch is not one of tfjs, ort: tfjs is used.',
    'The URL parameter "zoom" is unknown and was ignored (known: engine, backend, size, thread, faces, maxFaces).',
  ]);
});

test('the engine and backend labels come from the model side, once', () => {
  assert.equal(schema.engine.labels.ort, 'ONNX Runtime Web');
  assert.deepEqual(schema.backend.values, ['auto', 'webgpu', 'webgl', 'wasm']);
  assert.ok(schema.backend.restartsModel && !schema.size.restartsModel);
});
