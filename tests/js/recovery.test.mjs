// The recovery policy: failure history in, action out.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { afterSuccess, initialHistory, planRecovery } from '../../web/js/recovery.js';

const failed = (message, flags = {}) => Object.assign(new Error(message), flags);
const onWorker = (backend) => ({ backend, thread: 'worker' });

test('one failed frame is skipped with a message; a second in a row restarts the model', () => {
  const first = planRecovery(failed('bad frame'), initialHistory(), onWorker('wasm'), 0);
  assert.equal(first.action, 'skip');
  assert.match(first.message, /A frame failed: bad frame\. The app goes on with the next frame\./);
  const second = planRecovery(failed('bad frame'), first.history, onWorker('wasm'), 10);
  assert.equal(second.action, 'restart');
  assert.match(second.message, /restarted the model and goes on/);
});

test('a frame that works ends the run of failures', () => {
  const first = planRecovery(failed('bad frame'), initialHistory(), onWorker('wasm'), 0);
  assert.equal(planRecovery(failed('bad frame'), afterSuccess(first.history), onWorker('wasm'), 10).action, 'skip');
});

test('a crashed worker restarts at once; a lost GPU switches to WASM at once', () => {
  assert.equal(planRecovery(failed('crashed', { fatal: true }), initialHistory(), onWorker('wasm'), 0).action, 'restart');
  const lost = planRecovery(failed('context lost', { lost: true }), initialHistory(), onWorker('webgl'), 0);
  assert.equal(lost.action, 'wasm');
  assert.match(lost.message, /switched from WebGL to WASM/);
});

test('it escalates: same settings, WASM, the main thread, then stop', () => {
  let history = initialHistory();
  const actions = [];
  let ran = onWorker('webgpu');
  for (let i = 0; i < 5; i += 1) {
    const plan = planRecovery(failed('crashed', { fatal: true }), history, ran, i * 1000);
    actions.push(plan.action);
    history = plan.history;
    if (plan.action === 'wasm') ran = { ...ran, backend: 'wasm' };
    if (plan.action === 'main') ran = { ...ran, thread: 'main' };
  }
  assert.deepEqual(actions, ['restart', 'wasm', 'main', 'restart', 'stop']);
});

test('recoveries older than two minutes no longer count', () => {
  let history = initialHistory();
  for (let i = 0; i < 4; i += 1) history = planRecovery(failed('crashed', { fatal: true }), history, onWorker('wasm'), i).history;
  assert.equal(planRecovery(failed('crashed', { fatal: true }), history, onWorker('wasm'), 10).action, 'stop');
  assert.equal(planRecovery(failed('crashed', { fatal: true }), history, onWorker('wasm'), 200_000).action, 'restart');
});
