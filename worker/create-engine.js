// Creates an engine ('tfjs' | 'ort') on the requested backend ('auto' or a name), falling back
// along the speed order when a backend is unavailable or fails. Every fallback carries its reason.

import { backendLabel, planBackends, probeCapabilities } from './capabilities.js';
import { OrtEngine } from './ort-engine.js';
import { TfjsEngine } from './tfjs-engine.js';
import { AssetError } from './verified-fetch.js';

export const ENGINE_LABELS = { tfjs: 'TensorFlow.js', ort: 'ONNX Runtime Web' };
const ENGINES = { tfjs: TfjsEngine, ort: OrtEngine };

// -> {engine, capabilities, fallbacks: [{backend, requested?, reason}], loadMs, warmupMs}
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
      const detectorSize = manifest.detector.input.size;
      await engine.detect(new Uint8Array(detectorSize * detectorSize * 4), detectorSize, detectorSize);
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
