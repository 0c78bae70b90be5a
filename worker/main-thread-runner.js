// Runs the engine on the page's own thread (the main-thread toggle, and Safari's GPU rule):
// the same engine modules as in the worker, behind the same interface as WorkerRunner.

import { probeCapabilities } from './capabilities.js';

export class MainThreadRunner {
  constructor({ onProgress } = {}) {
    this.thread = 'main';
    this.onProgress = onProgress;
    this.engine = null;
  }

  probe() {
    return probeCapabilities();
  }

  async init(options) {
    this.dispose();
    // Loaded on first use: a page whose model runs in the worker never loads the engines itself.
    const { createEngine, readyInfo } = await import('./create-engine.js');
    const created = await createEngine({ ...options, onProgress: this.onProgress });
    this.engine = created.engine;
    return readyInfo(created);
  }

  async infer(pixels, height, width) {
    if (!this.engine) throw new Error('the model is not loaded yet');
    const result = await this.engine.run(pixels, height, width);
    return { ...result, height, width, numTensors: this.engine.numTensors() };
  }

  async detect(pixels, height, width) {
    if (!this.engine) throw new Error('the model is not loaded yet');
    return this.engine.detect(pixels, height, width);
  }

  async segment(pixels, height, width) {
    if (!this.engine) throw new Error('the model is not loaded yet');
    return this.engine.segment(pixels, height, width);
  }

  dispose() {
    this.engine?.dispose();
    this.engine = null;
  }
}
