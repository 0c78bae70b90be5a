// The inference engine: loads TensorFlow.js, picks a backend, loads BiSeNetV2 and turns a
// normalised float32 frame into a uint8 label map. The very same module runs inside the
// Web Worker (worker.js) and on the main thread (web/js/inference-client.js).

import { backendLabel, planBackends, probeCapabilities } from './capabilities.js';

const TFJS_SCRIPTS = {
  core: 'tf.min.js',
  wasm: 'tf-backend-wasm.min.js',
  webgpu: 'tf-backend-webgpu.min.js', // webgl and cpu ship inside tf.min.js
};

// The tfjs UMD bundles register `globalThis.tf` when imported as modules; importing them
// lazily means a WASM-only run never downloads the WebGPU backend.
async function loadTfjs(vendorUrl, backend) {
  await import(new URL(TFJS_SCRIPTS.core, vendorUrl).href);
  if (backend === 'wasm' || backend === 'webgpu') {
    await import(new URL(TFJS_SCRIPTS[backend], vendorUrl).href);
  }
  return globalThis.tf;
}

async function activateBackend(tf, backend, vendorUrl) {
  if (backend === 'wasm') {
    tf.wasm.setWasmPaths(new URL('./', vendorUrl).href);
    // tfjs defaults to at most half the cores; all of them is faster when nothing else runs.
    tf.wasm.setThreadsCount?.(Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1));
  }
  if (!(await tf.setBackend(backend))) {
    throw new Error(`${backendLabel(backend)} backend failed to initialise`);
  }
  await tf.ready();
  if (tf.getBackend() !== backend) {
    throw new Error(`tfjs runs ${tf.getBackend()} instead of ${backend}`);
  }
}

function describeBackend(tf, backend, capabilities) {
  if (backend === 'wasm') {
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const threaded = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    const threads = threaded ? (tf.backend().getThreadsCount?.() ?? capabilities.wasm.cores) : 1;
    return `WASM${simd ? ', SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'}`;
  }
  const probe = capabilities[backend];
  return `${backendLabel(backend)} on ${probe.renderer}${probe.software ? ' (software)' : ''}`;
}

function toLabelBytes(values) {
  // The model's ArgMax yields int32 class ids 0..18; uint8 is a quarter of the bytes to move.
  const labels = new Uint8Array(values.length);
  labels.set(values);
  return labels;
}

export class InferenceEngine {
  constructor(tf, model, manifest, backend, detail) {
    this.tf = tf;
    this.model = model;
    this.outputName = manifest.tfjs.labels_output;
    this.backend = backend;
    this.detail = detail;
  }

  // input: Float32Array [1,height,width,3] -> {labels: Uint8Array [height,width], inferenceMs}
  async run(input, height, width) {
    if (input.length !== height * width * 3) {
      throw new Error(`input has ${input.length} values, expected ${height}x${width}x3`);
    }
    const start = performance.now();
    const tf = this.tf;
    const output = tf.tidy(() => this.model.execute(tf.tensor4d(input, [1, height, width, 3]), this.outputName));
    try {
      const values = await output.data();
      return { labels: toLabelBytes(values), inferenceMs: performance.now() - start };
    } finally {
      output.dispose();
    }
  }

  numTensors() {
    return this.tf.memory().numTensors;
  }

  dispose() {
    this.model?.dispose();
    this.model = null;
  }
}

// Creates an engine on the requested backend ('auto' or a name), falling back along the
// speed order when a backend is unavailable or fails. Every fallback carries its reason.
export async function createEngine({ backend: requested, modelUrl, vendorUrl, manifest, warmup, onProgress }) {
  const capabilities = await probeCapabilities();
  const { order, skipped } = planBackends(requested, capabilities);
  const fallbacks = [...skipped];
  const modelBytes = Object.values(manifest.tfjs.files).reduce((sum, f) => sum + f.bytes, 0);

  for (const backend of order) {
    const loadStart = performance.now();
    let model = null;
    try {
      onProgress?.({ stage: 'runtime', loaded: 0, total: 0 });
      const tf = await loadTfjs(vendorUrl, backend);
      await activateBackend(tf, backend, vendorUrl);
      model = await tf.loadGraphModel(modelUrl, {
        onProgress: (fraction) => onProgress?.({ stage: 'model', loaded: Math.round(fraction * modelBytes), total: modelBytes }),
      });
      const engine = new InferenceEngine(tf, model, manifest, backend, describeBackend(tf, backend, capabilities));
      const loadMs = performance.now() - loadStart;
      // The first run compiles shaders / kernels: do it now, not on the user's first frame.
      const warmupStart = performance.now();
      await engine.run(new Float32Array(warmup.height * warmup.width * 3), warmup.height, warmup.width);
      return { engine, capabilities, fallbacks, loadMs, warmupMs: performance.now() - warmupStart };
    } catch (error) {
      model?.dispose();
      fallbacks.push({ backend, reason: error.message });
    }
  }
  const tried = fallbacks.map((f) => `${backendLabel(f.backend)}: ${f.reason}`).join('; ');
  throw new Error(`No inference backend works here (${tried}). Try another browser, or reload the page.`);
}
