// What both engines share: the frame's normalisation and the timing around the model.
//
//   engine.run(pixels: Uint8Array | Uint8ClampedArray [H,W,4] RGBA, height, width)
//       -> {labels: Uint8Array [H,W], normalizeMs, inferenceMs}
//   engine.numTensors() -> live tfjs tensors (null for ONNX Runtime)
//   engine.dispose()
//   engine.backend, engine.detail
//
// Subclasses (tfjs-engine.js, ort-engine.js) implement
//   infer(input: Float32Array [1,H,W,3], height, width) -> Uint8Array labels.

import { backendLabel } from './capabilities.js';
import { GpuLossGuard } from './gpu-loss.js';
import { normalizationTable, rgbaToModelInput } from './model-input.js';

export class ModelEngine {
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

// 'TensorFlow.js WebGL on <renderer> (software)'-style text for a GPU backend.
export function describeGpu(backend, capabilities) {
  const probe = capabilities[backend];
  return `${backendLabel(backend)} on ${probe.renderer}${probe.software ? ' (software)' : ''}`;
}
