// The worker runner's hang watchdog, against a fake Worker and mocked timers.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MessageType } from '../../worker/protocol.js';

class FakeWorker {
  constructor() {
    FakeWorker.last = this;
  }

  postMessage() {}

  terminate() {}

  reply(message) {
    this.onmessage({ data: message });
  }
}
globalThis.Worker = FakeWorker;
const { WorkerRunner } = await import('../../worker/worker-runner.js');

async function readyRunner(warmupMs) {
  const runner = new WorkerRunner();
  const ready = runner.init({});
  FakeWorker.last.reply({ type: MessageType.READY, backend: 'webgpu', warmupMs });
  await ready;
  return runner;
}

test('a first frame as slow as the warm-up is not taken for a hang', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  // Software WebGPU at 448: over a minute per frame, more than the 60 s floor.
  const runner = await readyRunner(100_000);
  const frame = runner.infer(new Uint8ClampedArray(4), 1, 1);
  t.mock.timers.tick(90_000);
  FakeWorker.last.reply({ type: MessageType.RESULT, id: 1, labels: new ArrayBuffer(1), inferenceMs: 90_000 });
  const result = await frame;
  assert.equal(result.labels.length, 1);
  assert.equal(runner.dead, null);
});

test('a worker that stops answering is declared hung after ten times the usual time', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const runner = await readyRunner(20_000);
  const frame = runner.infer(new Uint8ClampedArray(4), 1, 1);
  t.mock.timers.tick(199_000);
  assert.equal(runner.dead, null);
  t.mock.timers.tick(2_000);
  await assert.rejects(frame, (error) => error.fatal && /stopped answering \(no result in 200 s\)/.test(error.message));
});
