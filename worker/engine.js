// What both engines share: the frame's normalisation and the timing around the model.
//
//   engine.run(pixels: Uint8Array | Uint8ClampedArray [H,W,4] RGBA, height, width)
//       -> {labels: Uint8Array [H,W], precision (what ran for this input), normalizeMs, inferenceMs}
//   engine.detect(pixels: RGBA at the face detector's input size, height, width)
//       -> {regressors: Float32Array, scores: Float32Array, normalizeMs, detectMs}
//   engine.segment(pixels: RGBA at the person mask's input size, height, width)
//       -> {mask: Uint8Array [H,W] person probabilities 0-255, normalizeMs, segmentMs}
//   engine.numTensors() -> live tfjs tensors (null for ONNX Runtime)
//   engine.dispose()
//   engine.name ('tfjs' | 'ort'), engine.backend, engine.precision ('int8' | 'fp32'), engine.detail
//
// Subclasses (tfjs-engine.js, ort-engine.js) implement, on normalised input Float32Array [1,H,W,3],
//   infer(input, height, width) -> Uint8Array labels
//   findFaces(input, height, width) -> {regressors: Float32Array, scores: Float32Array}
//   findPerson(input, height, width) -> Float32Array person probabilities [H,W]

import { backendLabel } from './capabilities.js';
import { GpuLossGuard } from './gpu-loss.js';
import { normalizationTable, rgbaToModelInput } from './model-input.js';
import { fetchAllVerified } from './verified-fetch.js';

export class ModelEngine {
  constructor(manifest) {
    this.inputTable = normalizationTable(manifest.input.scale, manifest.input.offset);
    this.detectorTable = normalizationTable(manifest.detector.input.scale, manifest.detector.input.offset);
    this.personTable = normalizationTable(manifest.person.input.scale, manifest.person.input.offset);
    this.gpuLoss = new GpuLossGuard();
  }

  async run(pixels, height, width) {
    this.gpuLoss.throwIfLost();
    const started = performance.now();
    const input = rgbaToModelInput(pixels, height, width, this.inputTable);
    const normalized = performance.now();
    const labels = await this.infer(input, height, width);
    return { labels, precision: this.precisionFor(height, width), normalizeMs: normalized - started, inferenceMs: performance.now() - normalized };
  }

  // The precision an input of this shape runs in (the ORT engine runs large inputs in float32).
  precisionFor() {
    return this.precision;
  }

  async detect(pixels, height, width) {
    this.gpuLoss.throwIfLost();
    const started = performance.now();
    const input = rgbaToModelInput(pixels, height, width, this.detectorTable);
    const normalized = performance.now();
    const { regressors, scores } = await this.findFaces(input, height, width);
    return { regressors, scores, normalizeMs: normalized - started, detectMs: performance.now() - normalized };
  }

  async segment(pixels, height, width) {
    this.gpuLoss.throwIfLost();
    const started = performance.now();
    const input = rgbaToModelInput(pixels, height, width, this.personTable);
    const normalized = performance.now();
    const probabilities = await this.findPerson(input, height, width);
    // A quarter of the bytes to move, and all the precision a threshold needs.
    const mask = Uint8Array.from(probabilities, (p) => Math.round(p * 255));
    return { mask, normalizeMs: normalized - started, segmentMs: performance.now() - normalized };
  }
}

// A converted model's files ({name: {sha256, bytes}}), from the record its build wrote beside them
// (models/build.py): the converters' output is not byte-reproducible.
export async function buildRecord(dirUrl, recordName) {
  const [bytes] = await fetchAllVerified('model', [[new URL(recordName, dirUrl).href, {}]]);
  return JSON.parse(new TextDecoder().decode(bytes)).files;
}

// 'TensorFlow.js WebGL on <renderer> (software)'-style text for a GPU backend.
export function describeGpu(backend, capabilities) {
  const probe = capabilities[backend];
  return `${backendLabel(backend)} on ${probe.renderer}${probe.software ? ' (software)' : ''}`;
}
