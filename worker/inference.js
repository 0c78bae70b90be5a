// The inference engines: TensorFlow.js or ONNX Runtime Web, each turning a normalised
// float32 frame into a uint8 label map with the same interface. The very same module runs
// inside the Web Worker (worker.js) and on the main thread (web/js/inference-client.js).
//
//   engine.run(input: Float32Array [1,H,W,3], height, width) -> {labels: Uint8Array [H,W], inferenceMs}
//   engine.numTensors() -> live tfjs tensors (null for ONNX Runtime)
//   engine.dispose()
//   engine.backend, engine.detail

import { backendLabel, planBackends, probeCapabilities } from './capabilities.js';
import { AssetError, concatBytes, fetchVerified } from './verified-fetch.js';

export const ENGINE_LABELS = { tfjs: 'TensorFlow.js', ort: 'ONNX Runtime Web' };

function checkInput(input, height, width) {
  if (input.length !== height * width * 3) {
    throw new Error(`input has ${input.length} values, expected ${height}x${width}x3`);
  }
}

// Reports one progress stream over several files: {stage, loaded, total} in bytes.
function progressOver(stage, files, onProgress) {
  const total = files.reduce((sum, [, expected]) => sum + (expected.bytes ?? 0), 0);
  const loadedPerFile = new Map();
  return (url) => (loaded) => {
    loadedPerFile.set(url, loaded);
    let sum = 0;
    for (const value of loadedPerFile.values()) sum += value;
    onProgress?.({ stage, loaded: sum, total });
  };
}

async function fetchAllVerified(stage, files, onProgress) {
  const track = progressOver(stage, files, onProgress);
  return Promise.all(files.map(([url, expected]) => fetchVerified(url, expected, track(url))));
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
  static async load({ backend, assetsUrl, assets, manifest, capabilities, onProgress }) {
    const vendorUrl = new URL('vendor/tfjs/', assetsUrl);
    await import(new URL(TFJS_SCRIPTS.core, vendorUrl).href);
    if (backend === 'wasm' || backend === 'webgpu') await import(new URL(TFJS_SCRIPTS[backend], vendorUrl).href);
    const tf = globalThis.tf;
    let wasmPaths = null;
    if (backend === 'wasm') {
      wasmPaths = await verifiedTfjsWasm(vendorUrl, assets, capabilities.wasm, onProgress);
      tf.wasm.setWasmPaths(wasmPaths);
      // tfjs defaults to at most half the cores; all of them is faster when nothing else runs.
      tf.wasm.setThreadsCount?.(Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1));
    }
    const initialised = await tf.setBackend(backend);
    await tf.ready();
    // The binary is compiled by now (threads get the compiled module, not the URL).
    for (const url of Object.values(wasmPaths ?? {})) if (url.startsWith('blob:')) URL.revokeObjectURL(url);
    if (!initialised) throw new Error(`${backendLabel(backend)} backend failed to initialise`);
    if (tf.getBackend() !== backend) throw new Error(`tfjs runs ${tf.getBackend()} instead of ${backend}`);
    const model = await tf.loadGraphModel(await verifiedGraphModel(tf, new URL(`models/${manifest.tfjs.dir}/`, assetsUrl), manifest.tfjs, onProgress));
    return new TfjsEngine(tf, model, manifest, backend, capabilities);
  }

  constructor(tf, model, manifest, backend, capabilities) {
    this.tf = tf;
    this.model = model;
    this.outputName = manifest.tfjs.labels_output;
    this.backend = backend;
    this.detail = `TensorFlow.js ${describeBackend(tf, backend, capabilities)}`;
    this.lostReason = null;
    this.failRunInFlight = null;
    watchGpuLoss(tf, backend, (reason) => {
      this.lostReason = reason;
      // The frame in flight would wait forever for a lost GPU: fail it instead.
      this.failRunInFlight?.(lostError(reason));
    });
  }

  async run(input, height, width) {
    checkInput(input, height, width);
    // After a GPU reset tfjs would go on returning zeros: fail instead, so the page switches.
    if (this.lostReason) throw lostError(this.lostReason);
    const start = performance.now();
    const tf = this.tf;
    const output = tf.tidy(() => this.model.execute(tf.tensor4d(input, [1, height, width, 3]), this.outputName));
    try {
      // A promise per run, dropped after it: racing one long-lived promise instead would keep
      // every frame's labels alive through its never-settled reactions.
      const lost = new Promise((_, reject) => { this.failRunInFlight = reject; });
      // ArgMax yields int32 class ids 0..18; uint8 is a quarter of the bytes to move.
      const labels = new Uint8Array(height * width);
      labels.set(await Promise.race([output.data(), lost]));
      return { labels, inferenceMs: performance.now() - start };
    } finally {
      this.failRunInFlight = null;
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

const lostError = (reason) => Object.assign(new Error(reason), { lost: true });

// Calls onLost(reason) when the browser takes the GPU context or device away (driver reset,
// GPU process crash, too many contexts).
function watchGpuLoss(tf, backend, onLost) {
  if (backend === 'webgl') {
    const canvas = tf.backend().gpgpu?.gl?.canvas;
    canvas?.addEventListener('webglcontextlost', (event) => {
      event.preventDefault();
      onLost('the WebGL context was lost (the GPU was reset or is needed elsewhere)');
    }, { once: true });
  } else if (backend === 'webgpu') {
    tf.backend().device?.lost?.then((info) => onLost(`the WebGPU device was lost (${info.message || info.reason || 'no reason given'})`));
  }
}

// The wasm binary tfjs will pick for these features, checked, as a blob: URL (so tfjs runs exactly
// the checked bytes); the other two keep their server URLs.
async function verifiedTfjsWasm(vendorUrl, assets, wasm, onProgress) {
  const names = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
  const chosen = names[wasm.simd ? (wasm.threads ? 2 : 1) : 0];
  const url = new URL(chosen, vendorUrl).href;
  const [bytes] = await fetchAllVerified('runtime', [[url, assets[`tfjs/${chosen}`] ?? {}]], onProgress);
  const paths = Object.fromEntries(names.map((name) => [name, new URL(name, vendorUrl).href]));
  paths[chosen] = URL.createObjectURL(new Blob([bytes], { type: 'application/wasm' }));
  return paths;
}

// model.json and its weight shards, each checked against the manifest, as a tfjs IOHandler.
async function verifiedGraphModel(tf, modelDirUrl, spec, onProgress) {
  const fileUrl = (name) => new URL(name, modelDirUrl).href;
  const track = progressOver('model', Object.entries(spec.files).map(([name, expected]) => [fileUrl(name), expected]), onProgress);
  const fetchFile = (name) => fetchVerified(fileUrl(name), spec.files[name] ?? {}, track(fileUrl(name)));
  const modelJson = JSON.parse(new TextDecoder().decode(await fetchFile(spec.model)));
  const shards = await Promise.all(modelJson.weightsManifest.flatMap((group) => group.paths).map(fetchFile));
  return tf.io.fromMemory({
    ...modelJson,
    weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
    weightData: concatBytes(shards).buffer,
  });
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

// The one ORT binary that runs the wasm backend (and JSEP for WebGPU) with SIMD and threads.
const ORT_WASM = 'ort-wasm-simd-threaded.jsep.wasm';

class OrtEngine {
  static async load({ backend, assetsUrl, assets, manifest, onProgress }) {
    if (ORT_WRONG_ON[backend]) throw new Error(ORT_WRONG_ON[backend]);
    const vendorUrl = new URL('vendor/ort/', assetsUrl);
    const ort = await import(new URL('ort.all.min.mjs', vendorUrl).href);
    ort.env.wasm.wasmPaths = vendorUrl.href;
    const wasmUrl = new URL(ORT_WASM, vendorUrl).href;
    [ort.env.wasm.wasmBinary] = await fetchAllVerified('runtime', [[wasmUrl, assets[`ort/${ORT_WASM}`] ?? {}]], onProgress);
    // ORT defaults to 1 thread on a 2-core machine; without cross-origin isolation it has no choice.
    ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.max(1, navigator.hardwareConcurrency ?? 1) : 1;
    const onnxDirUrl = new URL(`models/${manifest.onnx.dir}/`, assetsUrl);
    // The conversion is not byte-reproducible: each build records its own sha256 next to the model.
    const [recordBytes] = await fetchAllVerified('model', [[new URL(manifest.onnx.record, onnxDirUrl).href, {}]]);
    const record = JSON.parse(new TextDecoder().decode(recordBytes));
    const modelUrl = new URL(manifest.onnx.model, onnxDirUrl).href;
    const [bytes] = await fetchAllVerified('model', [[modelUrl, record.files[manifest.onnx.model]]], onProgress);
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
export async function createEngine({ engine: engineName = 'tfjs', backend: requested, assetsUrl, assets = {}, manifest, warmup, onProgress }) {
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
      engine = await Engine.load({ backend, assetsUrl, assets, manifest, capabilities, onProgress });
      const loadMs = performance.now() - loadStart;
      // The first run compiles shaders / kernels: do it now, not on the user's first frame.
      const warmupStart = performance.now();
      await engine.run(new Float32Array(warmup.height * warmup.width * 3), warmup.height, warmup.width);
      return { engine, capabilities, fallbacks, loadMs, warmupMs: performance.now() - warmupStart };
    } catch (error) {
      engine?.dispose();
      // A missing or damaged file is the same for every backend: say so rather than fall back.
      if (error instanceof AssetError) throw error;
      fallbacks.push({ backend, requested: backend === requested, reason: error.message });
    }
  }
  const tried = fallbacks.map((f) => `${backendLabel(f.backend)}: ${f.reason}`).join('; ');
  throw new Error(`No inference backend works here for ${ENGINE_LABELS[engineName]} (${tried}). Try another engine or browser, or reload the page.`);
}
