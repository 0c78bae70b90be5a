// Fails inference when the browser takes the GPU context or device away (driver reset, GPU
// process crash, too many contexts): the frame in flight would otherwise wait forever, and
// later runs would return zeros. The page then switches backend.

export class GpuLossGuard {
  constructor() {
    this.reason = null;
    this.failRunInFlight = null;
  }

  watchWebGL(canvas) {
    canvas?.addEventListener('webglcontextlost', (event) => {
      event.preventDefault();
      this.lost('the WebGL context was lost (the GPU was reset or is needed elsewhere)');
    }, { once: true });
  }

  // ORT hands its device out as a promise; tfjs as the device itself.
  async watchWebGPU(deviceOrPromise) {
    const device = await deviceOrPromise;
    device?.lost?.then((info) => this.lost(`the WebGPU device was lost (${info.message || info.reason || 'no reason given'})`));
  }

  lost(reason) {
    this.reason = reason;
    this.failRunInFlight?.(this.error());
  }

  error() {
    return Object.assign(new Error(this.reason), { lost: true });
  }

  throwIfLost() {
    if (this.reason) throw this.error();
  }

  async race(promise) {
    // A promise per run, dropped after it: racing one long-lived promise instead would keep
    // every frame's result alive through its never-settled reactions.
    const lost = new Promise((_, reject) => { this.failRunInFlight = reject; });
    try {
      return await Promise.race([promise, lost]);
    } finally {
      this.failRunInFlight = null;
    }
  }
}
