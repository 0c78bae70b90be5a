// When frames run: one small state machine between the sources and the frame path.
//
//   idle       the model is free: the next frame starts at once.
//   busy       a frame holds the model. A camera frame offered now is dropped, not queued, so
//              latency stays at one frame however slow the backend; a requested frame (a photo,
//              a re-parse after a setting changed) waits and runs next.
//   switching  the model is being replaced, or an export holds it; frames wait until it runs again.
//
// Pipelined (the model in a worker): the model is free as soon as a frame's labels are back, so
// the next frame goes to the model while this one is post-processed and drawn, and a camera frame
// dropped meanwhile starts the moment the model is free. Not pipelined (the main thread, where
// inference blocks the page): a frame holds the model until it is drawn, and the next camera
// frame waits for the next video frame, after the page has painted and handled input.

export class FrameScheduler {
  // runFrame() -> {modelFree: Promise, finished: Promise}; neither may reject.
  constructor(runFrame) {
    this.runFrame = runFrame;
    this.pipelined = false;
    this.dropped = 0;
    this.modelBusy = false;
    this.cameraWaiting = false;
    this.requested = false;
    this.inFlight = new Set();
    this.switchQueued = null;
    this.switchChain = Promise.resolve();
    this.exclusives = 0; // restarts and exports queued or running
  }

  get state() {
    if (this.exclusives > 0) return 'switching';
    return this.modelBusy ? 'busy' : 'idle';
  }

  // A new camera frame. -> the frame's `finished` promise when it starts now, else null.
  offer() {
    if (this.state === 'idle') return this.start();
    if (this.state === 'busy') this.dropped += 1;
    this.cameraWaiting = true;
    return null;
  }

  // A frame that must be parsed (a photo): never dropped. -> `finished` when it starts now.
  request() {
    if (this.state === 'idle') return this.start();
    this.requested = true;
    return null;
  }

  // Forgets frames waiting for the model (the source changed or stopped).
  clearWaiting() {
    this.cameraWaiting = false;
    this.requested = false;
  }

  start() {
    this.modelBusy = true;
    this.cameraWaiting = false;
    this.requested = false;
    const { modelFree, finished } = this.runFrame();
    const done = Promise.resolve(finished).catch(() => {});
    this.inFlight.add(done);
    done.then(() => this.inFlight.delete(done));
    const release = this.pipelined ? Promise.resolve(modelFree).catch(() => {}) : done;
    release.then(() => this.release());
    return done;
  }

  release() {
    this.modelBusy = false;
    if (this.state === 'idle' && (this.requested || (this.pipelined && this.cameraWaiting))) this.start();
  }

  // Replaces the model: from now on no frame starts; once every frame in flight has finished,
  // `restart` runs, then frames run again (a frame requested meanwhile first). Switches asked
  // for before the queued one begins join it: `restart` reads the settings when it runs, so
  // quick successive changes cost one restart.
  switchModel(restart) {
    if (this.switchQueued) return this.switchQueued;
    const queued = this.exclusive(async () => {
      this.switchQueued = null;
      await restart();
    });
    this.switchQueued = queued;
    return queued;
  }

  // Runs `task` with the model to itself (a restart, an export's frames): no frame starts until
  // every frame in flight has finished and the tasks queued before it and it have run.
  exclusive(task) {
    this.exclusives += 1;
    const run = this.switchChain.then(async () => {
      while (this.inFlight.size) await Promise.all([...this.inFlight]);
      try {
        await task();
      } finally {
        this.exclusives -= 1;
        if (this.state === 'idle' && this.requested) this.start();
      }
    });
    this.switchChain = run.catch(() => {});
    return run;
  }
}
