// The ONNX Runtime Web engine: the converted model on the WebGPU, WebGL or WASM backend, in
// float32 or (WASM) int8.

import { describeThreads } from './capabilities.js';
import { ModelEngine, buildRecord, describeGpu } from './engine.js';
import { fetchAllVerified } from './verified-fetch.js';

// Two builds of ORT: WASM alone (the plain build, at full speed from its first runs), and the
// bundle with WebGL and WebGPU (its JSEP build also runs the face detector on WASM there).
const BUNDLES = {
  wasm: { module: 'ort.wasm.min.mjs', binary: 'ort-wasm-simd-threaded.wasm' },
  gpu: { module: 'ort.all.min.mjs', binary: 'ort-wasm-simd-threaded.jsep.wasm' },
};

// A camera and a photo: the WebGL backend holds a session per input size (and WASM one per
// precision in use), for at most these many.
const SESSIONS_KEPT = 2;

// The parser's file for a backend and precision: {dir, record, name} under models/ (models/manifest.json).
function parserFile(onnx, backend, precision) {
  if (precision === 'int8') return { dir: onnx.int8.dir, record: onnx.int8.record, name: onnx.int8.model };
  // WebGL gets its own copy of the model, in ops its backend computes right (models/convert_onnx.py).
  return { dir: onnx.dir, record: onnx.record, name: backend === 'webgl' ? onnx.webgl_model : onnx.model };
}

export class OrtEngine extends ModelEngine {
  static async load({ backend, precision, assetsUrl, assets, manifest, capabilities, onProgress }) {
    const vendorUrl = new URL('vendor/ort/', assetsUrl);
    const bundle = BUNDLES[backend === 'wasm' ? 'wasm' : 'gpu'];
    const ort = await import(new URL(bundle.module, vendorUrl).href);
    ort.env.wasm.wasmPaths = vendorUrl.href;
    const wasmUrl = new URL(bundle.binary, vendorUrl).href;
    [ort.env.wasm.wasmBinary] = await fetchAllVerified('runtime', [[wasmUrl, assets[`ort/${bundle.binary}`] ?? {}]], onProgress);
    // ORT defaults to 1 thread on a 2-core machine; without shared memory it has no choice. Read
    // only before the page's first session of this build: later values are ignored.
    ort.env.wasm.numThreads = capabilities.wasm.threads ? Math.max(1, navigator.hardwareConcurrency ?? 1) : 1;
    // The parser's files, checked against their build's record, each fetched when first needed.
    const fetchParser = async (modelPrecision) => {
      const file = parserFile(manifest.onnx, backend, modelPrecision);
      const dirUrl = new URL(`models/${file.dir}/`, assetsUrl);
      const record = await buildRecord(dirUrl, file.record);
      const [bytes] = await fetchAllVerified('model', [[new URL(file.name, dirUrl).href, record[file.name]]], onProgress);
      return bytes;
    };
    const bytes = await fetchParser(precision);
    // The detector and the person mask are small: they run on WASM whatever the parser runs on.
    const small = {};
    for (const [stage, converted] of [['detector', manifest.detector], ['person', manifest.person]]) {
      const dirUrl = new URL(`models/${converted.dir}/`, assetsUrl);
      const name = `onnx/${converted.onnx.model}`;
      const record = await buildRecord(dirUrl, converted.record);
      const [modelBytes] = await fetchAllVerified(stage, [[new URL(name, dirUrl).href, record[name]]], onProgress);
      small[stage] = await ort.InferenceSession.create(modelBytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    }
    return new OrtEngine({ ort, bytes, fetchParser, ...small, backend, precision, manifest, capabilities });
  }

  constructor({ ort, bytes, fetchParser, detector, person, backend, precision, manifest, capabilities }) {
    super(manifest);
    this.name = 'ort';
    this.precision = precision;
    this.ort = ort;
    this.modelBytes = { [precision]: Promise.resolve(bytes) };
    this.fetchParser = fetchParser;
    this.detector = detector;
    this.detectorNames = { input: manifest.detector.input.name, ...manifest.detector.outputs };
    this.person = person;
    this.personNames = { input: manifest.person.input.name, output: manifest.person.output };
    this.backend = backend;
    this.onnx = manifest.onnx;
    this.largestInt8Side = Math.max(...manifest.onnx.int8.sizes);
    this.sessions = new Map();
    // WebGL fixes the input size at a session's first run; the others take any size.
    this.sessionPerSize = backend === 'webgl';
    const threads = ort.env.wasm.numThreads;
    this.detail = backend === 'wasm'
      ? `ONNX Runtime Web WASM, ${precision}, SIMD, ${describeThreads(threads, capabilities.wasm)}`
      : `ONNX Runtime Web ${describeGpu(backend, capabilities)}`;
  }

  // int8 runs inputs up to the largest size it was checked at (models/quantize_onnx.py); larger
  // ones run float32, as the CLI does (faceparts/native.py precision_for).
  precisionFor(height, width) {
    return this.precision === 'int8' && Math.max(height, width) <= this.largestInt8Side ? 'int8' : 'fp32';
  }

  async sessionFor(height, width) {
    const precision = this.precisionFor(height, width);
    const key = `${precision} ${this.sessionPerSize ? `${height}x${width}` : 'any'}`;
    let session = this.sessions.get(key);
    if (session) {
      this.sessions.delete(key); // re-inserted below: the Map's order is least recently used first
    } else {
      this.modelBytes[precision] ??= this.fetchParser(precision);
      const bytes = await this.modelBytes[precision];
      session = await this.ort.InferenceSession.create(bytes, { executionProviders: [this.backend], graphOptimizationLevel: 'all' });
      if (this.sessions.size === 0) this.watchGpuLoss();
      while (this.sessions.size >= SESSIONS_KEPT) {
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

  async findFaces(input, height, width) {
    const { input: inputName, regressors, scores } = this.detectorNames;
    const feed = new this.ort.Tensor('float32', input, [1, height, width, 3]);
    const results = await this.gpuLoss.race(this.detector.run({ [inputName]: feed }, [regressors, scores]));
    try {
      return { regressors: new Float32Array(results[regressors].data), scores: new Float32Array(results[scores].data) };
    } finally {
      for (const tensor of [feed, results[regressors], results[scores]]) tensor.dispose?.();
    }
  }

  async findPerson(input, height, width) {
    const { input: inputName, output } = this.personNames;
    const feed = new this.ort.Tensor('float32', input, [1, height, width, 3]);
    const results = await this.gpuLoss.race(this.person.run({ [inputName]: feed }, [output]));
    try {
      return new Float32Array(results[output].data);
    } finally {
      for (const tensor of [feed, results[output]]) tensor.dispose?.();
    }
  }

  numTensors() {
    return null;
  }

  dispose() {
    for (const session of this.sessions.values()) session.release?.();
    this.sessions.clear();
    this.detector?.release?.();
    this.person?.release?.();
    this.detector = null;
    this.person = null;
  }
}
