// The TensorFlow.js engine: the graph model on the WebGPU, WebGL or WASM backend.

import { backendLabel, describeThreads } from './capabilities.js';
import { ModelEngine, buildRecord, describeGpu } from './engine.js';
import { concatBytes, fetchAllVerified, fetchVerified, progressOver } from './verified-fetch.js';

const SCRIPTS = {
  core: 'tf.min.js',
  wasm: 'tf-backend-wasm.min.js',
  webgpu: 'tf-backend-webgpu.min.js', // webgl and cpu ship inside tf.min.js
};

export class TfjsEngine extends ModelEngine {
  // The tfjs UMD bundles register `globalThis.tf` when imported as modules; importing them
  // lazily means a WASM-only run never downloads the WebGPU backend.
  static async load({ backend, assetsUrl, assets, manifest, capabilities, onProgress }) {
    const vendorUrl = new URL('vendor/tfjs/', assetsUrl);
    await import(new URL(SCRIPTS.core, vendorUrl).href);
    if (backend === 'wasm' || backend === 'webgpu') await import(new URL(SCRIPTS[backend], vendorUrl).href);
    const tf = globalThis.tf;
    let wasmPaths = null;
    if (backend === 'wasm') {
      wasmPaths = await verifiedWasm(vendorUrl, assets, capabilities.wasm, onProgress);
      tf.wasm.setWasmPaths(wasmPaths);
      tf.wasm.setThreadsCount(Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1));
    }
    const start = async () => {
      const ok = await tf.setBackend(backend);
      await tf.ready();
      return ok;
    };
    const initialised = backend === 'wasm' ? await withAllCoresVisible(start) : await start();
    // The binary is compiled by now (threads get the compiled module, not the URL).
    for (const url of Object.values(wasmPaths ?? {})) if (url.startsWith('blob:')) URL.revokeObjectURL(url);
    if (!initialised) throw new Error(`${backendLabel(backend)} backend failed to initialise`);
    if (tf.getBackend() !== backend) throw new Error(`tfjs runs ${tf.getBackend()} instead of ${backend}`);
    const modelUrl = new URL(`models/${manifest.tfjs.dir}/`, assetsUrl);
    const model = await tf.loadGraphModel(await verifiedGraphModel(tf, modelUrl, manifest.tfjs, 'model', onProgress));
    const detector = await tf.loadGraphModel(await verifiedConverted(tf, manifest.detector, assetsUrl, 'detector', onProgress));
    const person = await tf.loadGraphModel(await verifiedConverted(tf, manifest.person, assetsUrl, 'person', onProgress));
    return new TfjsEngine(tf, model, detector, person, manifest, backend, capabilities);
  }

  constructor(tf, model, detector, person, manifest, backend, capabilities) {
    super(manifest);
    this.name = 'tfjs';
    this.precision = 'fp32';
    this.tf = tf;
    this.model = model;
    this.detector = detector;
    this.detectorOutputs = [manifest.detector.outputs.regressors, manifest.detector.outputs.scores];
    this.person = person;
    this.personOutput = manifest.person.output;
    this.logitsName = manifest.tfjs.logits_output;
    this.backend = backend;
    this.detail = `TensorFlow.js ${backend === 'wasm' ? describeWasm(tf, capabilities.wasm) : describeGpu(backend, capabilities)}`;
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

  async findFaces(input, height, width) {
    const tf = this.tf;
    const outputs = tf.tidy(() => this.detector.execute(tf.tensor4d(input, [1, height, width, 3]), this.detectorOutputs));
    try {
      const [regressors, scores] = await this.gpuLoss.race(Promise.all(outputs.map((output) => output.data())));
      return { regressors: new Float32Array(regressors), scores: new Float32Array(scores) };
    } finally {
      tf.dispose(outputs);
    }
  }

  async findPerson(input, height, width) {
    const tf = this.tf;
    const output = tf.tidy(() => this.person.execute(tf.tensor4d(input, [1, height, width, 3]), this.personOutput));
    try {
      return new Float32Array(await this.gpuLoss.race(output.data()));
    } finally {
      output.dispose();
    }
  }

  numTensors() {
    return this.tf.memory().numTensors;
  }

  dispose() {
    this.model?.dispose();
    this.detector?.dispose();
    this.person?.dispose();
    this.model = null;
    this.detector = null;
    this.person = null;
  }
}

// tfjs-backend-wasm 4.22 caps its thread pool at navigator.hardwareConcurrency / 2 (it assumes
// two hyper-threads per core) whatever setThreadsCount asks: 1 thread on a 2-core machine, half
// the speed. Reporting twice the cores while the backend starts lets it use them all.
async function withAllCoresVisible(initialise) {
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
async function verifiedWasm(vendorUrl, assets, wasm, onProgress) {
  const names = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
  const chosen = names[wasm.simd ? (wasm.threads ? 2 : 1) : 0];
  const url = new URL(chosen, vendorUrl).href;
  const [bytes] = await fetchAllVerified('runtime', [[url, assets[`tfjs/${chosen}`] ?? {}]], onProgress);
  const paths = Object.fromEntries(names.map((name) => [name, new URL(name, vendorUrl).href]));
  paths[chosen] = URL.createObjectURL(new Blob([bytes], { type: 'application/wasm' }));
  return paths;
}

// model.json and its weight shards, each checked against spec.files ({name: {sha256, bytes}}),
// as a tfjs IOHandler.
async function verifiedGraphModel(tf, modelDirUrl, spec, stage, onProgress) {
  const fileUrl = (name) => new URL(name, modelDirUrl).href;
  const track = progressOver(stage, Object.entries(spec.files).map(([name, expected]) => [fileUrl(name), expected]), onProgress);
  const fetchFile = (name) => fetchVerified(fileUrl(name), spec.files[name] ?? {}, track(fileUrl(name)));
  const modelJson = JSON.parse(new TextDecoder().decode(await fetchFile(spec.model)));
  const shards = await Promise.all(modelJson.weightsManifest.flatMap((group) => group.paths).map(fetchFile));
  return tf.io.fromMemory({
    ...modelJson,
    weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
    weightData: concatBytes(shards).buffer,
  });
}

// A converted graph model (the face detector's or the person mask's manifest entry), checked
// against its build's record.
async function verifiedConverted(tf, converted, assetsUrl, stage, onProgress) {
  const dirUrl = new URL(`models/${converted.dir}/`, assetsUrl);
  const record = await buildRecord(dirUrl, converted.record);
  const files = Object.fromEntries(Object.entries(record).filter(([name]) => name.startsWith('tfjs/')).map(([name, expected]) => [name.slice('tfjs/'.length), expected]));
  return verifiedGraphModel(tf, new URL('tfjs/', dirUrl), { model: converted.tfjs.model, files }, stage, onProgress);
}

function describeWasm(tf, wasm) {
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? tf.wasm.getThreadsCount() : 1;
  return `WASM${simd ? ', SIMD' : ''}, ${describeThreads(threads, wasm)}`;
}
