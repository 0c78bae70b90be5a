// The settings schema: what the URL can say, and what it says about what it cannot.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseSettings, settingsQuery, settingsSchema } from '../../web/js/settings.js';

const classes = ['background', 'skin', 'hair'].map((name, id) => ({ id, name }));
const schema = settingsSchema({ sizes: [288, 448, 1024], default_size: 448, detector: { faces: { default_max: 4, max: 8 } }, classes });
const ALL = ['background', 'skin', 'hair'];

test('without parameters every setting has its default, sizes and faces from the manifest', () => {
  const { settings, explicit, problems } = parseSettings('', schema);
  assert.deepEqual(settings, { engine: 'tfjs', backend: 'auto', size: 448, thread: 'worker', faces: 'on', maxFaces: 4, parts: ALL });
  assert.equal(explicit.size, 0);
  assert.deepEqual(problems, []);
  assert.deepEqual(schema.size.values, [288, 448, 1024]);
  assert.deepEqual(schema.maxFaces.values, [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('known parameters set their setting, typed as the schema says', () => {
  const { settings, explicit } = parseSettings('?engine=ort&backend=wasm&size=288&thread=main&faces=off&maxFaces=2&parts=hair,skin', schema);
  assert.deepEqual(settings, { engine: 'ort', backend: 'wasm', size: 288, thread: 'main', faces: 'off', maxFaces: 2, parts: ['skin', 'hair'] });
  assert.deepEqual([...explicit].sort(), ['backend', 'engine', 'faces', 'maxFaces', 'parts', 'size', 'thread']);
});

test('an unknown parameter or value gets a message and changes nothing', () => {
  const { settings, explicit, problems } = parseSettings('?size=500&engine=torch&zoom=2', schema);
  assert.deepEqual(settings, { engine: 'tfjs', backend: 'auto', size: 448, thread: 'worker', faces: 'on', maxFaces: 4, parts: ALL });
  assert.equal(explicit.size, 0);
  assert.deepEqual(problems, [
    'size=500 is not one of 288, 448, 1024: 448 is used.',
    'engine=torch is not one of tfjs, ort: tfjs is used.',
    'The URL parameter "zoom" is unknown and was ignored (known: engine, backend, size, thread, faces, maxFaces, parts).',
  ]);
});

test('the engine and backend labels come from the model side, once', () => {
  assert.equal(schema.engine.labels.ort, 'ONNX Runtime Web');
  assert.deepEqual(schema.backend.values, ['auto', 'webgpu', 'webgl', 'wasm']);
  assert.ok(schema.backend.restartsModel && !schema.size.restartsModel);
});


test('the URL keeps what differs from the defaults, and reads back the same', () => {
  const { settings } = parseSettings('', schema);
  assert.equal(settingsQuery(settings, schema), '');
  settings.parts = ['hair'];
  settings.size = 288;
  const query = settingsQuery(settings, schema);
  assert.equal(query, '?size=288&parts=hair');
  assert.deepEqual(parseSettings(query, schema).settings, settings);
  assert.deepEqual(parseSettings('?parts=', schema).settings.parts, [], 'no part shown');
  assert.deepEqual(parseSettings('?parts=hair,wings', schema).problems, ['parts=hair,wings is not a list of background, skin, hair: all are shown.']);
});

