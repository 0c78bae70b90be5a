// Runs the engine in a Web Worker (worker.js), speaking protocol.js, with a hang watchdog.

import { MessageType } from './protocol.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);
// A frame that takes this many times the usual inference (and at least the floor) means the
// worker hangs. Software GPUs take tens of seconds a frame, hence the generous floor.
const HANG_FACTOR = 10;
const HANG_FLOOR_MS = 60_000;

const runnerError = (message, flags) => Object.assign(new Error(message), flags);

export class WorkerRunner {
  constructor({ onProgress } = {}) {
    this.thread = 'worker';
    this.onProgress = onProgress;
    this.pending = new Map();
    this.nextId = 1;
    this.dead = null;
    this.typicalMs = 0;
    this.worker = new Worker(WORKER_URL, { type: 'module', name: 'faceparts-inference' });
    this.worker.onmessage = ({ data }) => this.handle(data);
    this.worker.onerror = (event) => {
      // Handled here: not also reported as an uncaught page error.
      event.preventDefault();
      this.die(`the inference worker crashed: ${event.message || 'unknown error'}`);
    };
    this.worker.onmessageerror = () => this.die('the inference worker sent a message that could not be read');
  }

  die(message) {
    this.dead ??= runnerError(message, { fatal: true });
    this.failAll(this.dead);
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
      case MessageType.DETECTION:
        this.settle(message.id, null, { ...message, regressors: new Float32Array(message.regressors), scores: new Float32Array(message.scores) });
        return;
      case MessageType.SEGMENTATION:
        this.settle(message.id, null, { ...message, mask: new Uint8Array(message.mask) });
        return;
      case MessageType.ERROR:
        this.settle(message.stage === 'init' ? 'init' : message.id, runnerError(message.message, { lost: Boolean(message.lost) }));
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
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending.set(key, { resolve, reject });
      this.worker.postMessage(message, transfer);
    });
  }

  probe() {
    return this.request('probe', { type: MessageType.PROBE });
  }

  async init(options) {
    const ready = await this.request('init', { type: MessageType.INIT, ...options });
    // The warm-up inference (shader compilation included) is the first measure of "usual": without
    // it the first frame on a slow software GPU (over a minute at 448) would pass for a hang.
    this.typicalMs = ready.warmupMs ?? 0;
    return ready;
  }

  async infer(pixels, height, width) {
    const result = await this.watched(MessageType.INFER, pixels, height, width);
    this.typicalMs = this.typicalMs ? 0.8 * this.typicalMs + 0.2 * result.inferenceMs : result.inferenceMs;
    return result;
  }

  detect(pixels, height, width) {
    return this.watched(MessageType.DETECT, pixels, height, width);
  }

  segment(pixels, height, width) {
    return this.watched(MessageType.SEGMENT, pixels, height, width);
  }

  // A frame's request, declared hung when no answer comes in time.
  async watched(type, pixels, height, width) {
    const id = this.nextId++;
    const limitMs = Math.max(HANG_FLOOR_MS, HANG_FACTOR * this.typicalMs);
    const watchdog = setTimeout(() => this.die(`the inference worker stopped answering (no result in ${Math.round(limitMs / 1000)} s)`), limitMs);
    try {
      // Transferred, not copied: the page's pixel array is detached afterwards.
      return await this.request(id, { type, id, pixels: pixels.buffer, height, width }, [pixels.buffer]);
    } finally {
      clearTimeout(watchdog);
    }
  }

  dispose() {
    if (!this.dead) this.worker.postMessage({ type: MessageType.DISPOSE });
    this.dead ??= runnerError('the inference worker was stopped', { fatal: true });
    this.failAll(this.dead);
    this.worker.terminate();
  }
}
