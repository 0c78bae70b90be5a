// Creates the engine ('auto' | 'tfjs' | 'ort') in a precision ('int8' | 'fp32') on the requested
// backend ('auto' or a name), falling back along the speed order when a backend is unavailable or
// fails. Every fallback carries its reason; engine-choice.js says which engine and precision run
// on each backend.

import { backendLabel, planBackends, probeCapabilities } from './capabilities.js';
import { ENGINE_LABELS, chooseEngine } from './engine-choice.js';
import { OrtEngine } from './ort-engine.js';
import { TfjsEngine } from './tfjs-engine.js';
import { AssetError } from './verified-fetch.js';

const ENGINES = { tfjs: TfjsEngine, ort: OrtEngine };

// -> {engine, capabilities, fallbacks: [{backend, requested?, reason}], notes, loadMs, warmupMs}
// engine.name and engine.precision say what really runs; notes, why that differs from the request.
export async function createEngine({
  engine: engineName = 'auto', precision: requestedPrecision = 'fp32', backend: requested, assetsUrl, assets = {}, manifest, warmup, onProgress,
}) {
  if (engineName !== 'auto' && !ENGINES[engineName]) throw new Error(`unknown engine "${engineName}"`);
  const capabilities = await probeCapabilities();
  const { order, skipped } = planBackends(requested, capabilities);
  const fallbacks = [...skipped];

  for (const backend of order) {
    const loadStart = performance.now();
    const { engine: name, precision, notes } = chooseEngine(engineName, backend, requestedPrecision);
    let engine = null;
    try {
      onProgress?.({ stage: 'runtime', loaded: 0, total: 0 });
      engine = await ENGINES[name].load({ backend, precision, assetsUrl, assets, manifest, capabilities, onProgress });
      const loadMs = performance.now() - loadStart;
      // The first run compiles shaders / kernels: do it now, not on the user's first frame.
      const warmupStart = performance.now();
      await engine.run(new Uint8Array(warmup.height * warmup.width * 4), warmup.height, warmup.width);
      const detectorSize = manifest.detector.input.size;
      await engine.detect(new Uint8Array(detectorSize * detectorSize * 4), detectorSize, detectorSize);
      const { height, width } = manifest.person.input;
      await engine.segment(new Uint8Array(height * width * 4), height, width);
      return { engine, capabilities, fallbacks, notes, loadMs, warmupMs: performance.now() - warmupStart };
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

// What the page hears once an engine runs (protocol.js 'ready').
export function readyInfo({ engine, fallbacks, notes, loadMs, warmupMs }) {
  const { name, backend, precision, detail } = engine;
  return { engine: name, backend, precision, detail, fallbacks, notes, loadMs, warmupMs };
}
