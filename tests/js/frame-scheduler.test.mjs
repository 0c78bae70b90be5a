// The frame scheduler: dropping, pipelining, requested frames and model switches, with frames
// whose stages the test finishes by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FrameScheduler } from '../../web/js/frame-scheduler.js';

// A runFrame whose frames stay in flight until the test says the model is done and they finish.
function fakeFrames() {
  const frames = [];
  const runFrame = () => {
    const frame = {};
    frame.modelFree = new Promise((resolve) => { frame.freeModel = resolve; });
    frame.finished = new Promise((resolve) => { frame.finish = () => { frame.freeModel(); resolve(); }; });
    frames.push(frame);
    return frame;
  };
  return { frames, runFrame };
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test('a camera frame offered while the model is busy is dropped, not queued', async () => {
  const { frames, runFrame } = fakeFrames();
  const scheduler = new FrameScheduler(runFrame);
  scheduler.offer();
  scheduler.offer();
  scheduler.offer();
  assert.equal(frames.length, 1);
  assert.equal(scheduler.dropped, 2);
  assert.equal(scheduler.state, 'busy');
});

test('pipelined: the next camera frame starts as soon as the model is free, before this one is drawn', async () => {
  const { frames, runFrame } = fakeFrames();
  const scheduler = new FrameScheduler(runFrame);
  scheduler.pipelined = true;
  scheduler.offer();
  scheduler.offer(); // arrives while the model works: waits
  frames[0].freeModel();
  await settle();
  assert.equal(frames.length, 2, 'the waiting camera frame went to the model');
  frames[0].finish();
  frames[1].finish();
  await settle();
  assert.equal(scheduler.state, 'idle');
});

test('main thread: a frame holds the model until drawn, and the next camera frame waits for the camera', async () => {
  const { frames, runFrame } = fakeFrames();
  const scheduler = new FrameScheduler(runFrame);
  scheduler.offer();
  scheduler.offer();
  frames[0].freeModel();
  await settle();
  assert.equal(scheduler.state, 'busy', 'labels back, but not yet drawn');
  frames[0].finish();
  await settle();
  assert.equal(frames.length, 1, 'no frame starts until the camera offers the next one');
  assert.equal(scheduler.state, 'idle');
  scheduler.offer();
  assert.equal(frames.length, 2);
});

test('main thread: a photo asked for again (a new size) while its frame is in flight is parsed again', async () => {
  const { frames, runFrame } = fakeFrames();
  const scheduler = new FrameScheduler(runFrame);
  scheduler.request(); // the photo
  scheduler.request(); // the size changed meanwhile
  assert.equal(frames.length, 1);
  frames[0].finish();
  await settle();
  assert.equal(frames.length, 2, 'the photo was parsed again after the frame in flight');
  assert.equal(scheduler.dropped, 0, 'a requested frame is never dropped');
});

test('a switch waits for every frame in flight, runs alone, and is shared by quick successive changes', async () => {
  const { frames, runFrame } = fakeFrames();
  const scheduler = new FrameScheduler(runFrame);
  scheduler.pipelined = true;
  scheduler.offer();
  frames[0].freeModel();
  scheduler.offer(); // the second frame goes to the model while the first is drawn
  await settle();
  assert.equal(frames.length, 2);

  let restarts = 0;
  const restart = async () => {
    restarts += 1;
    assert.equal(scheduler.state, 'switching');
    assert.ok(frames.every((frame) => frame.done), 'the model is replaced only once no frame runs');
    scheduler.request(); // a photo is parsed again with the new model
  };
  const first = scheduler.switchModel(restart);
  const second = scheduler.switchModel(restart);
  assert.equal(first, second);
  scheduler.offer(); // no frame starts while a switch waits
  assert.equal(frames.length, 2);
  for (const frame of frames) { frame.done = true; frame.finish(); }
  await first;
  assert.equal(restarts, 1);
  await settle();
  assert.equal(frames.length, 3, 'the requested frame ran once the new model was in place');
  assert.equal(scheduler.state, 'busy');
});
