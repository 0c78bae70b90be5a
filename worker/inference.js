// The inference engines: TensorFlow.js or ONNX Runtime Web, each turning a captured RGBA frame
// into a uint8 label map with the same interface. The very same module runs inside the Web
// Worker (worker.js) and on the main thread (web/js/inference-client.js).
//
//   engine.run(pixels: Uint8Array | Uint8ClampedArray [H,W,4] RGBA, height, width)
//       -> {labels: Uint8Array [H,W], normalizeMs, inferenceMs}
//   engine.numTensors() -> live tfjs tensors (null for ONNX Runtime)
//   engine.dispose()
//   engine.backend, engine.detail

import { backendLabel, planBackends, probeCapabilities } from './capabilities.js';
import { normalizationTable, rgbaToModelInput } from './model-input.js';
import { AssetError, concatBytes, fetchVerified } from './verified-fetch.js';

export const ENGINE_LABELS = { tfjs: 'TensorFlow.js', ort: 'ONNX Runtime Web' };

// What both engines share: the frame's normalisation and the timing around the model.
// Subclasses implement infer(input: Float32Array [1,H,W,3], height, width) -> Uint8Array labels.
class ModelEngine {
  constructor(manifest) {
    this.inputTable = normalizationTable(manifest.input.scale, manifest.input.offset);
    this.gpuLoss = new GpuLossGuard();
  }

  async run(pixels, height, width) {
    this.gpuLoss.throwIfLost();
    const started = performance.now();
    const input = rgbaToModelInput(pixels, height, width, this.inputTable);
    const normalized = performance.now();
    const labels = await this.infer(input, height, width);
    return { labels, normalizeMs: normalized - started, inferenceMs: performance.now() - normalized };
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

class TfjsEngine extends ModelEngine {
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
      tf.wasm.setThreadsCount(Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1));
    }
    const start = async () => {
      const ok = await tf.setBackend(backend);
      await tf.ready();
      return ok;
    };
    const initialised = backend === 'wasm' ? await withAllCoresVisibleToTfjsWasm(start) : await start();
    // The binary is compiled by now (threads get the compiled module, not the URL).
    for (const url of Object.values(wasmPaths ?? {})) if (url.startsWith('blob:')) URL.revokeObjectURL(url);
    if (!initialised) throw new Error(`${backendLabel(backend)} backend failed to initialise`);
    if (tf.getBackend() !== backend) throw new Error(`tfjs runs ${tf.getBackend()} instead of ${backend}`);
    const model = await tf.loadGraphModel(await verifiedGraphModel(tf, new URL(`models/${manifest.tfjs.dir}/`, assetsUrl), manifest.tfjs, onProgress));
    return new TfjsEngine(tf, model, manifest, backend, capabilities);
  }

  constructor(tf, model, manifest, backend, capabilities) {
    super(manifest);
    this.tf = tf;
    this.model = model;
    this.logitsName = manifest.tfjs.logits_output;
    this.backend = backend;
    this.detail = `TensorFlow.js ${describeBackend(tf, backend, capabilities)}`;
    if (backend === 'webgl') this.gpuLoss.watchWebGL(tf.backend().gpgpu?.gl?.canvas);
    else if (backend === 'webgpu') this.gpuLoss.watchWebGPU(tf.backend().device);
  }

  async infer(input, height, width) {
    const tf = this.tf;
    // ArgMax of the logits, not of the model's own softmax output: the same classes, and the
    // softmax over 19 channels of every pixel is skipped (tfjs runs only what an output needs).
    const output = tf.tidy(() => tf.argMax(this.model.execute(tf.tensor4d(input, [1, height, width, 3]), this.logitsName), 3));
    try {
      // ArgMax yields int32 class ids 0..18; uint8 is a quarter of the bytes to move.
      const labels = new Uint8Array(height * width);
      labels.set(await this.gpuLoss.race(output.data()));
      return labels;
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

// Fails inference when the browser takes the GPU context or device away (driver reset, GPU
// process crash, too many contexts): the frame in flight would otherwise wait forever, and
// later runs would return zeros. The page then switches backend.
class GpuLossGuard {
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

// tfjs-backend-wasm 4.22 caps its thread pool at navigator.hardwareConcurrency / 2 (it assumes
// two hyper-threads per core) whatever setThreadsCount asks: 1 thread on a 2-core machine, half
// the speed. Reporting twice the cores while the backend starts lets it use them all.
async function withAllCoresVisibleToTfjsWasm(initialise) {
  const nav = globalThis.navigator;
  const cores = nav?.hardwareConcurrency;
  if (!cores || !globalThis.crossOriginIsolated) return initialise();
  Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => cores * 2 });
  try {
    return await initialise();
  } finally {
    delete nav.hardwareConcurrency; // back to the browser's own getter
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
    const threads = threaded ? tf.wasm.getThreadsCount() : 1;
    return `WASM${simd ? ', SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'}`;
  }
  const probe = capabilities[backend];
  return `${backendLabel(backend)} on ${probe.renderer}${probe.software ? ' (software)' : ''}`;
}

// ---- ONNX Runtime Web ----------------------------------------------------------------------

// The one ORT binary that runs the wasm backend (and JSEP for WebGPU) with SIMD and threads.
const ORT_WASM = 'ort-wasm-simd-threaded.jsep.wasm';

// A camera and a photo: the WebGL backend holds a session per input size, for at most these many.
const WEBGL_SESSIONS_KEPT = 2;

class OrtEngine extends ModelEngine {
  static async load({ backend, assetsUrl, assets, manifest, capabilities, onProgress }) {
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
    // WebGL gets its own copy of the model, in ops its backend computes right (models/convert_onnx.py).
    const modelName = backend === 'webgl' ? manifest.onnx.webgl_model : manifest.onnx.model;
    const modelUrl = new URL(modelName, onnxDirUrl).href;
    const [bytes] = await fetchAllVerified('model', [[modelUrl, record.files[modelName]]], onProgress);
    return new OrtEngine(ort, bytes, backend, manifest, capabilities);
  }

  constructor(ort, modelBytes, backend, manifest, capabilities) {
    super(manifest);
    this.ort = ort;
    this.modelBytes = modelBytes;
    this.backend = backend;
    this.onnx = manifest.onnx;
    // WebGL fixes the input size at a session's first run; the others take any size.
    this.sessions = new Map();
    this.sessionPerSize = backend === 'webgl';
    const threads = ort.env.wasm.numThreads;
    this.detail = backend === 'wasm'
      ? `ONNX Runtime Web WASM, ${threads} thread${threads === 1 ? '' : 's'}`
      : `ONNX Runtime Web ${describeBackend(null, backend, capabilities)}`;
  }

  async sessionFor(height, width) {
    const key = this.sessionPerSize ? `${height}x${width}` : 'any';
    let session = this.sessions.get(key);
    if (session) {
      this.sessions.delete(key); // re-inserted below: the Map's order is least recently used first
    } else {
      session = await this.ort.InferenceSession.create(this.modelBytes, { executionProviders: [this.backend], graphOptimizationLevel: 'all' });
      if (this.sessions.size === 0) this.watchGpuLoss();
      while (this.sessions.size >= WEBGL_SESSIONS_KEPT) {
        const [oldest, old] = this.sessions.entries().next().value;
        this.sessions.delete(oldest);
        await old.release();
      }
    }
    this.sessions.set(key, session);
    return session;
  }

  // ORT creates its WebGL context / WebGPU device with the first session.
  watchGpuLoss() {
    if (this.backend === 'webgl') this.gpuLoss.watchWebGL(this.ort.env.webgl?.context?.canvas);
    else if (this.backend === 'webgpu') this.gpuLoss.watchWebGPU(this.ort.env.webgpu?.device);
  }

  async infer(input, height, width) {
    const session = await this.sessionFor(height, width);
    const feed = new this.ort.Tensor('float32', input, [1, height, width, 3]);
    const results = await this.gpuLoss.race(session.run({ [this.onnx.input]: feed }, [this.onnx.labels_output]));
    const output = results[this.onnx.labels_output];
    try {
      // Copied out: the output's buffer may belong to ORT.
      return new Uint8Array(output.data);
    } finally {
      output.dispose?.();
      feed.dispose?.();
    }
  }

  numTensors() {
    return null;
  }

  dispose() {
    for (const session of this.sessions.values()) session.release?.();
    this.sessions.clear();
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
      await engine.run(new Uint8Array(warmup.height * warmup.width * 4), warmup.height, warmup.width);
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
