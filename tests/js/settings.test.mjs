// The settings schema: what the URL can say, and what it says about what it cannot.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseSettings, settingsQuery, settingsSchema } from '../../web/js/settings.js';

const classes = ['background', 'skin', 'hair'].map((name, id) => ({ id, name }));
const schema = settingsSchema({ sizes: [288, 448, 1024], default_size: 448, precisions: ['int8', 'fp32'], default_precision: 'int8', detector: { faces: { default_max: 4, max: 8 } }, classes });
const ALL = ['background', 'skin', 'hair'];
const VIEW = { steady: 'on', opacity: 60, effect: 'none', strength: 60, color: '#d0306a', video: 'parsed', render: 'auto' };

test('without parameters every setting has its default, sizes and faces from the manifest', () => {
  const { settings, explicit, problems } = parseSettings('', schema);
  assert.deepEqual(settings, { engine: 'auto', backend: 'auto', precision: 'int8', size: 448, thread: 'worker', faces: 'on', maxFaces: 4, parts: ALL, ...VIEW });
  assert.equal(explicit.size, 0);
  assert.deepEqual(problems, []);
  assert.deepEqual(schema.size.values, [288, 448, 1024]);
  assert.deepEqual(schema.maxFaces.values, [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('known parameters set their setting, typed as the schema says', () => {
  const { settings, explicit } = parseSettings('?engine=ort&backend=wasm&precision=fp32&size=288&thread=main&faces=off&maxFaces=2&parts=hair,skin', schema);
  assert.deepEqual(settings, { engine: 'ort', backend: 'wasm', precision: 'fp32', size: 288, thread: 'main', faces: 'off', maxFaces: 2, parts: ['skin', 'hair'], ...VIEW });
  assert.deepEqual([...explicit].sort(), ['backend', 'engine', 'faces', 'maxFaces', 'parts', 'precision', 'size', 'thread']);
});

test('an unknown parameter or value gets a message and changes nothing', () => {
  const { settings, explicit, problems } = parseSettings('?size=500&engine=torch&zoom=2', schema);
  assert.deepEqual(settings, { engine: 'auto', backend: 'auto', precision: 'int8', size: 448, thread: 'worker', faces: 'on', maxFaces: 4, parts: ALL, ...VIEW });
  assert.equal(explicit.size, 0);
  assert.deepEqual(problems, [
    'size=500 is not one of 288, 448, 1024: 448 is used.',
    'engine=torch is not one of auto, tfjs, ort: auto is used.',
    'The URL parameter "zoom" is unknown and was ignored (known: engine, backend, precision, size, thread, faces, maxFaces, parts, steady, opacity, effect, strength, color, video, render).',
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


test('ranges and colours: read from the URL, checked, and written back as they were given', () => {
  const { settings, problems } = parseSettings('?effect=hair&strength=35&color=FF3366&opacity=0', schema);
  assert.deepEqual(problems, []);
  assert.deepEqual([settings.effect, settings.strength, settings.color, settings.opacity], ['hair', 35, '#ff3366', 0]);
  assert.equal(settingsQuery(settings, schema), '?opacity=0&effect=hair&strength=35&color=ff3366');
  assert.equal(parseSettings('?color=%23ff3366', schema).settings.color, '#ff3366', 'a # is accepted too');
  assert.deepEqual(parseSettings('?strength=101&color=red&effect=sparkles', schema).problems, [
    'strength=101 is not a whole number from 0 to 100: 60 is used.',
    'color=red is not a colour written as six hex digits, like ff3366: d0306a is used.',
    'effect=sparkles is not one of none, blur, replace, hair, lips, anonymise: none is used.',
  ]);
});
