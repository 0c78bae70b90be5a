// The ONNX Runtime Web engine: the converted model on the WebGPU, WebGL or WASM backend.

import { describeThreads } from './capabilities.js';
import { ModelEngine, buildRecord, describeGpu } from './engine.js';
import { fetchAllVerified } from './verified-fetch.js';

// The one ORT binary that runs the wasm backend (and JSEP for WebGPU) with SIMD and threads.
const ORT_WASM = 'ort-wasm-simd-threaded.jsep.wasm';

// A camera and a photo: the WebGL backend holds a session per input size, for at most these many.
const WEBGL_SESSIONS_KEPT = 2;

export class OrtEngine extends ModelEngine {
  static async load({ backend, assetsUrl, assets, manifest, capabilities, onProgress }) {
    const vendorUrl = new URL('vendor/ort/', assetsUrl);
    const ort = await import(new URL('ort.all.min.mjs', vendorUrl).href);
    ort.env.wasm.wasmPaths = vendorUrl.href;
    const wasmUrl = new URL(ORT_WASM, vendorUrl).href;
    [ort.env.wasm.wasmBinary] = await fetchAllVerified('runtime', [[wasmUrl, assets[`ort/${ORT_WASM}`] ?? {}]], onProgress);
    // ORT defaults to 1 thread on a 2-core machine; without shared memory it has no choice.
    ort.env.wasm.numThreads = capabilities.wasm.threads ? Math.max(1, navigator.hardwareConcurrency ?? 1) : 1;
    const onnxDirUrl = new URL(`models/${manifest.onnx.dir}/`, assetsUrl);
    const record = await buildRecord(onnxDirUrl, manifest.onnx.record);
    // WebGL gets its own copy of the model, in ops its backend computes right (models/convert_onnx.py).
    const modelName = backend === 'webgl' ? manifest.onnx.webgl_model : manifest.onnx.model;
    const [bytes] = await fetchAllVerified('model', [[new URL(modelName, onnxDirUrl).href, record[modelName]]], onProgress);
    // The detector is small: it runs on WASM whatever the parser runs on.
    const detectorDirUrl = new URL(`models/${manifest.detector.dir}/`, assetsUrl);
    const detectorName = `onnx/${manifest.detector.onnx.model}`;
    const detectorRecord = await buildRecord(detectorDirUrl, manifest.detector.record);
    const [detectorBytes] = await fetchAllVerified('detector', [[new URL(detectorName, detectorDirUrl).href, detectorRecord[detectorName]]], onProgress);
    const detector = await ort.InferenceSession.create(detectorBytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    return new OrtEngine(ort, bytes, detector, backend, manifest, capabilities);
  }

  constructor(ort, modelBytes, detector, backend, manifest, capabilities) {
    super(manifest);
    this.ort = ort;
    this.modelBytes = modelBytes;
    this.detector = detector;
    this.detectorNames = { input: manifest.detector.input.name, ...manifest.detector.outputs };
    this.backend = backend;
    this.onnx = manifest.onnx;
    // WebGL fixes the input size at a session's first run; the others take any size.
    this.sessions = new Map();
    this.sessionPerSize = backend === 'webgl';
    const threads = ort.env.wasm.numThreads;
    this.detail = backend === 'wasm'
      ? `ONNX Runtime Web WASM, ${describeThreads(threads, capabilities.wasm)}`
      : `ONNX Runtime Web ${describeGpu(backend, capabilities)}`;
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

  numTensors() {
    return null;
  }

  dispose() {
    for (const session of this.sessions.values()) session.release?.();
    this.sessions.clear();
    this.detector?.release?.();
    this.detector = null;
  }
}
