// What each effect does to which classes, and its sizes, as the painters get them.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { coverRect, overlayOpacityAfter, planEffect, softness } from '../../web/js/effects/effects.js';

const names = ['background', 'skin', 'nose', 'u_lip', 'l_lip', 'hair', 'cloth'];
const manifest = {
  classes: names.map((name, id) => ({ id, name })),
  groups: { person: names.slice(1), face: ['skin', 'nose', 'u_lip', 'l_lip'], hair: ['hair'], lips: ['u_lip', 'l_lip'] },
};
const frame = { height: 480, width: 640, size: 448 };
const applied = (plan) => names.filter((_, id) => plan.weights[id] === 255);

test('each effect applies to its own classes: the background for blur and replace', () => {
  const plan = (effect) => planEffect({ effect, strength: 50, color: '#ff0000' }, manifest, frame);
  assert.equal(plan('none'), null);
  assert.deepEqual(applied(plan('blur')), ['background']);
  assert.deepEqual(applied(plan('replace')), ['background']);
  assert.deepEqual(applied(plan('hair')), ['hair']);
  assert.deepEqual(applied(plan('lips')), ['u_lip', 'l_lip']);
  assert.deepEqual(applied(plan('anonymise')), ['skin', 'nose', 'u_lip', 'l_lip']);
  assert.deepEqual([plan('hair').operation, plan('anonymise').operation, plan('blur').operation], ['colorize', 'pixelate', 'blur']);
  assert.ok(plan('blur').weights.slice(names.length).every((w) => w === 0), 'ids beyond the classes are never touched');
  assert.throws(() => plan('sparkles'), /unknown effect "sparkles"/);
});

test('strength scales the blur, the blocks and the tint with the frame, and the colour is read', () => {
  const weak = planEffect({ effect: 'blur', strength: 10, color: '#102030' }, manifest, frame);
  const strong = planEffect({ effect: 'blur', strength: 90, color: '#102030' }, manifest, frame);
  assert.ok(strong.sigma > 5 * weak.sigma && strong.block > weak.block);
  const bigger = planEffect({ effect: 'blur', strength: 90, color: '#102030' }, manifest, { height: 720, width: 1280, size: 448 });
  assert.equal(bigger.sigma, strong.sigma * 2);
  assert.deepEqual(strong.color, [16, 32, 48]);
  assert.equal(strong.amount, 0.9);
  assert.equal(planEffect({ effect: 'blur', strength: 0, color: '#000000' }, manifest, frame).sigma, 0.5, 'never a zero blur');
});

test('class borders are smoothed over about one parse pixel as the frame sees it', () => {
  assert.equal(softness({ height: 1080, width: 1920, size: 480 }), 2);
  assert.equal(softness({ height: 256, width: 256, size: 448 }), 1);
});

test('a background image covers the frame, centred', () => {
  assert.deepEqual(coverRect(100, 200, 100, 100), { x: -50, y: 0, w: 200, h: 100 });
  assert.deepEqual(coverRect(400, 400, 100, 200), { x: 0, y: -50, w: 200, h: 200 });
});

test('choosing an effect clears an overlay at its default opacity, and none brings it back', () => {
  assert.equal(overlayOpacityAfter('hair', 60, 60), 0);
  assert.equal(overlayOpacityAfter('none', 0, 60), 60);
  assert.equal(overlayOpacityAfter('hair', 35, 60), 35, "the user's own opacity stays");
  assert.equal(overlayOpacityAfter('none', 35, 60), 35);
});
