// The inference engines: TensorFlow.js or ONNX Runtime Web, each turning a normalised
// float32 frame into a uint8 label map with the same interface. The very same module runs
// inside the Web Worker (worker.js) and on the main thread (web/js/inference-client.js).
//
//   engine.run(input: Float32Array [1,H,W,3], height, width) -> {labels: Uint8Array [H,W], inferenceMs}
//   engine.numTensors() -> live tfjs tensors (null for ONNX Runtime)
//   engine.dispose()
//   engine.backend, engine.detail

import { backendLabel, planBackends, probeCapabilities } from './capabilities.js';

export const ENGINE_LABELS = { tfjs: 'TensorFlow.js', ort: 'ONNX Runtime Web' };

function checkInput(input, height, width) {
  if (input.length !== height * width * 3) {
    throw new Error(`input has ${input.length} values, expected ${height}x${width}x3`);
  }
}

async function fetchWithProgress(url, onProgress) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}: run scripts/setup on the server`);
  const total = Number(response.headers.get('Content-Length')) || 0;
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.({ stage: 'model', loaded, total });
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) { bytes.set(chunk, offset); offset += chunk.length; }
  return bytes;
}

// ---- TensorFlow.js -------------------------------------------------------------------------

const TFJS_SCRIPTS = {
  core: 'tf.min.js',
  wasm: 'tf-backend-wasm.min.js',
  webgpu: 'tf-backend-webgpu.min.js', // webgl and cpu ship inside tf.min.js
};

class TfjsEngine {
  // The tfjs UMD bundles register `globalThis.tf` when imported as modules; importing them
  // lazily means a WASM-only run never downloads the WebGPU backend.
  static async load({ backend, assetsUrl, manifest, capabilities, onProgress }) {
    const vendorUrl = new URL('vendor/tfjs/', assetsUrl);
    await import(new URL(TFJS_SCRIPTS.core, vendorUrl).href);
    if (backend === 'wasm' || backend === 'webgpu') await import(new URL(TFJS_SCRIPTS[backend], vendorUrl).href);
    const tf = globalThis.tf;
    if (backend === 'wasm') {
      tf.wasm.setWasmPaths(vendorUrl.href);
      // tfjs defaults to at most half the cores; all of them is faster when nothing else runs.
      tf.wasm.setThreadsCount?.(Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1));
    }
    if (!(await tf.setBackend(backend))) throw new Error(`${backendLabel(backend)} backend failed to initialise`);
    await tf.ready();
    if (tf.getBackend() !== backend) throw new Error(`tfjs runs ${tf.getBackend()} instead of ${backend}`);
    const modelBytes = Object.values(manifest.tfjs.files).reduce((sum, f) => sum + f.bytes, 0);
    const model = await tf.loadGraphModel(new URL(`models/${manifest.tfjs.dir}/${manifest.tfjs.model}`, assetsUrl).href, {
      onProgress: (fraction) => onProgress?.({ stage: 'model', loaded: Math.round(fraction * modelBytes), total: modelBytes }),
    });
    return new TfjsEngine(tf, model, manifest, backend, capabilities);
  }

  constructor(tf, model, manifest, backend, capabilities) {
    this.tf = tf;
    this.model = model;
    this.outputName = manifest.tfjs.labels_output;
    this.backend = backend;
    this.detail = `TensorFlow.js ${describeBackend(tf, backend, capabilities)}`;
  }

  async run(input, height, width) {
    checkInput(input, height, width);
    const start = performance.now();
    const tf = this.tf;
    const output = tf.tidy(() => this.model.execute(tf.tensor4d(input, [1, height, width, 3]), this.outputName));
    try {
      // ArgMax yields int32 class ids 0..18; uint8 is a quarter of the bytes to move.
      const labels = new Uint8Array(height * width);
      labels.set(await output.data());
      return { labels, inferenceMs: performance.now() - start };
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

// ---- ONNX Runtime Web ----------------------------------------------------------------------

// Measured on Chromium 156 with ORT 1.30 (see the README): on these backends ONNX Runtime Web
// runs this model but its labels disagree with native ONNX Runtime, while TensorFlow.js on the
// same GPU agrees. Wrong face parts are worse than a slower backend, so ORT runs on WASM only.
const ORT_WRONG_ON = {
  webgl: "ONNX Runtime Web's WebGL backend computes wrong labels for this model (70 % agree with native); use TensorFlow.js for WebGL",
  webgpu: "ONNX Runtime Web's WebGPU backend computes wrong labels for this model (74 % agree with native); use TensorFlow.js for WebGPU",
};

class OrtEngine {
  static async load({ backend, assetsUrl, manifest, onProgress }) {
    if (ORT_WRONG_ON[backend]) throw new Error(ORT_WRONG_ON[backend]);
    const vendorUrl = new URL('vendor/ort/', assetsUrl);
    const ort = await import(new URL('ort.all.min.mjs', vendorUrl).href);
    ort.env.wasm.wasmPaths = vendorUrl.href;
    // ORT defaults to 1 thread on a 2-core machine; without cross-origin isolation it has no choice.
    ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.max(1, navigator.hardwareConcurrency ?? 1) : 1;
    const modelUrl = new URL(`models/${manifest.onnx.dir}/${manifest.onnx.model}`, assetsUrl);
    const bytes = await fetchWithProgress(modelUrl.href, onProgress);
    const session = await ort.InferenceSession.create(bytes, { executionProviders: [backend], graphOptimizationLevel: 'all' });
    return new OrtEngine(ort, session, backend, manifest);
  }

  constructor(ort, session, backend, manifest) {
    this.ort = ort;
    this.session = session;
    this.backend = backend;
    this.onnx = manifest.onnx;
    const threads = ort.env.wasm.numThreads;
    this.detail = `ONNX Runtime Web WASM, ${threads} thread${threads === 1 ? '' : 's'}`;
  }

  async run(input, height, width) {
    checkInput(input, height, width);
    const start = performance.now();
    const feed = new this.ort.Tensor('float32', input, [1, height, width, 3]);
    const results = await this.session.run({ [this.onnx.input]: feed }, [this.onnx.labels_output]);
    const output = results[this.onnx.labels_output];
    try {
      // Copied out: the output's buffer may belong to ORT.
      return { labels: new Uint8Array(output.data), inferenceMs: performance.now() - start };
    } finally {
      output.dispose?.();
      feed.dispose?.();
    }
  }

  numTensors() {
    return null;
  }

  dispose() {
    this.session?.release?.();
    this.session = null;
  }
}

const ENGINES = { tfjs: TfjsEngine, ort: OrtEngine };

// Creates an engine ('tfjs' | 'ort') on the requested backend ('auto' or a name), falling back
// along the speed order when a backend is unavailable or fails. Every fallback carries its reason.
export async function createEngine({ engine: engineName = 'tfjs', backend: requested, assetsUrl, manifest, warmup, onProgress }) {
  const Engine = ENGINES[engineName];
  if (!Engine) throw new Error(`unknown engine "${engineName}"`);
  const capabilities = await probeCapabilities();
  const { order, skipped } = planBackends(requested, capabilities);
  const fallbacks = [...skipped];

  for (const backend of order) {
    const loadStart = performance.now();
    let engine = null;
    try {
      onProgress?.({ stage: 'runtime', loaded: 0, total: 0 });
      engine = await Engine.load({ backend, assetsUrl, manifest, capabilities, onProgress });
      const loadMs = performance.now() - loadStart;
      // The first run compiles shaders / kernels: do it now, not on the user's first frame.
      const warmupStart = performance.now();
      await engine.run(new Float32Array(warmup.height * warmup.width * 3), warmup.height, warmup.width);
      return { engine, capabilities, fallbacks, loadMs, warmupMs: performance.now() - warmupStart };
    } catch (error) {
      engine?.dispose();
      fallbacks.push({ backend, reason: error.message });
    }
  }
  const tried = fallbacks.map((f) => `${backendLabel(f.backend)}: ${f.reason}`).join('; ');
  throw new Error(`No inference backend works here for ${ENGINE_LABELS[engineName]} (${tried}). Try another engine or browser, or reload the page.`);
}
