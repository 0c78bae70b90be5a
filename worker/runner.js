// worker/ holds everything that loads and runs a model, in a Web Worker or, toggled, on the
// main thread. This module is the page's one door into it:
//
//   createRunner(thread: 'worker' | 'main', {onProgress}) -> runner
//     await runner.init({engine, precision, backend, manifest, assets, assetsUrl, warmup}) -> ready
//         info ({engine, backend, precision, detail, fallbacks, notes, loadMs, warmupMs}:
//         protocol.js 'ready')
//     await runner.infer(pixels: Uint8ClampedArray RGBA [H,W,4], height, width)
//         -> {labels: Uint8Array [H,W], precision, normalizeMs, inferenceMs, numTensors}
//     await runner.detect(pixels: RGBA at the face detector's input size, height, width)
//         -> {regressors: Float32Array, scores: Float32Array, normalizeMs, detectMs}
//     await runner.segment(pixels: RGBA at the person mask's input size, height, width)
//         -> {mask: Uint8Array person probabilities 0-255, normalizeMs, segmentMs}
//     runner.dispose()
//     A rejected infer() carries `fatal` when the runner cannot go on (its worker crashed or
//     hung) and `lost` when the engine's GPU context is gone: the page then replaces it.
//   chooseThread(backend) -> {thread, note}: where a model runs best in this browser.
//   fetchSetupJson(path), verifyFiles([[url, {sha256, bytes}]]): the model's checked download,
//     for the other files setup writes (the manifest, the Pyodide runtime).
//
// Inside: worker.js (the worker's entry) and protocol.js (its messages); worker-runner.js and
// main-thread-runner.js (the two runners); create-engine.js (backend choice and fallback),
// engine-choice.js (which engine and precision run), engine.js, tfjs-engine.js, ort-engine.js,
// gpu-loss.js (the engines); capabilities.js (probes),
// model-input.js (frame normalisation), verified-fetch.js (sha256-checked downloads).

import { backendLabel, backendRank, planBackends, probeCapabilities } from './capabilities.js';
import { MainThreadRunner } from './main-thread-runner.js';
import { fetchVerified, verifyFiles } from './verified-fetch.js';
import { WorkerRunner } from './worker-runner.js';

export { BACKEND_LABELS, backendLabel, isSoftwareRenderer } from './capabilities.js';
export { ENGINE_LABELS, PRECISION_LABELS } from './engine-choice.js';
export { verifyFiles };

export function createRunner(thread, options) {
  return thread === 'main' ? new MainThreadRunner(options) : new WorkerRunner(options);
}

// Safari (and any browser without WebGL/WebGPU in workers) runs a GPU backend only on the main
// thread: when the page can use a faster backend than a worker, the model belongs there.
export async function chooseThread(backend) {
  const worker = new WorkerRunner();
  try {
    const [inWorker, onPage] = await Promise.all([worker.probe(), probeCapabilities()]);
    const workerBest = planBackends(backend, inWorker).order[0];
    const pageBest = planBackends(backend, onPage).order[0];
    if (pageBest && backendRank(pageBest) < backendRank(workerBest)) {
      return { thread: 'main', note: `This browser has no ${backendLabel(pageBest)} in Web Workers (Safari): the model runs on the main thread.` };
    }
    return { thread: 'worker', note: null };
  } finally {
    worker.dispose();
  }
}

// Files that scripts/setup writes: without them nothing can start, so a failure names the file.
export async function fetchSetupJson(path) {
  return JSON.parse(new TextDecoder().decode(await fetchVerified(path, {})));
}
