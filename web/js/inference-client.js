// Runs the inference engine either in a Web Worker or on the main thread, behind one interface:
//   await runner.init({engine, backend, manifest, assetsUrl, warmup}) -> ready info
//   await runner.infer(input: Float32Array, height, width) -> {labels: Uint8Array, inferenceMs, numTensors}
//   runner.dispose()
// The engine code is the same module in both cases (worker/inference.js).

import { MessageType } from '../../worker/protocol.js';

const WORKER_URL = new URL('../../worker/worker.js', import.meta.url);

export class WorkerRunner {
  constructor({ onProgress } = {}) {
    this.where = 'worker';
    this.onProgress = onProgress;
    this.pending = new Map();
    this.nextId = 1;
    this.worker = new Worker(WORKER_URL, { type: 'module', name: 'faceparts-inference' });
    this.worker.onmessage = ({ data }) => this.handle(data);
    this.worker.onerror = (event) => this.failAll(new Error(`the inference worker crashed: ${event.message ?? 'unknown error'}`));
  }

  handle(message) {
    switch (message.type) {
      case MessageType.PROGRESS:
        this.onProgress?.(message);
        return;
      case MessageType.CAPABILITIES:
        this.settle('probe', null, message.capabilities);
        return;
      case MessageType.READY:
        this.settle('init', null, message);
        return;
      case MessageType.RESULT:
        this.settle(message.id, null, { ...message, labels: new Uint8Array(message.labels) });
        return;
      case MessageType.ERROR:
        this.settle(message.stage === 'init' ? 'init' : message.id, new Error(message.message));
        return;
      default:
        console.warn('faceparts: unexpected worker message', message.type);
    }
  }

  settle(key, error, value) {
    const entry = this.pending.get(key);
    if (!entry) return;
    this.pending.delete(key);
    if (error) entry.reject(error);
    else entry.resolve(value);
  }

  failAll(error) {
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }

  request(key, message, transfer = []) {
    return new Promise((resolve, reject) => {
      this.pending.set(key, { resolve, reject });
      this.worker.postMessage(message, transfer);
    });
  }

  probe() {
    return this.request('probe', { type: MessageType.PROBE });
  }

  init(options) {
    return this.request('init', { type: MessageType.INIT, ...options });
  }

  infer(input, height, width) {
    const id = this.nextId++;
    // Transferred, not copied: the page's Float32Array is detached afterwards.
    return this.request(id, { type: MessageType.INFER, id, input: input.buffer, height, width }, [input.buffer]);
  }

  dispose() {
    this.worker.postMessage({ type: MessageType.DISPOSE });
    this.failAll(new Error('the inference worker was stopped'));
    this.worker.terminate();
  }
}

export class MainThreadRunner {
  constructor({ onProgress } = {}) {
    this.where = 'main';
    this.onProgress = onProgress;
    this.engine = null;
  }

  async probe() {
    const { probeCapabilities } = await import('../../worker/capabilities.js');
    return probeCapabilities();
  }

  async init(options) {
    this.dispose();
    const { createEngine } = await import('../../worker/inference.js');
    const created = await createEngine({ ...options, onProgress: this.onProgress });
    this.engine = created.engine;
    return {
      backend: this.engine.backend,
      detail: this.engine.detail,
      fallbacks: created.fallbacks,
      loadMs: created.loadMs,
      warmupMs: created.warmupMs,
    };
  }

  async infer(input, height, width) {
    if (!this.engine) throw new Error('the model is not loaded yet');
    const result = await this.engine.run(input, height, width);
    return { ...result, height, width, numTensors: this.engine.numTensors() };
  }

  dispose() {
    this.engine?.dispose();
    this.engine = null;
  }
}

export function createRunner(where, options) {
  return where === 'main' ? new MainThreadRunner(options) : new WorkerRunner(options);
}
