// The page controller: wires the controls, loads Python and the model, and runs the frame loop
//   Python input shape -> capture (canvas resize to it) -> normalisation and inference (worker or
//   main) -> Python postprocess -> draw.

import { backendLabel, backendRank, planBackends, probeCapabilities } from '../../worker/capabilities.js';
import { fetchVerified, verifyFiles } from '../../worker/verified-fetch.js';
import { createRunner } from './inference-client.js';
import { whenPythonReady } from './python.js';
import { CameraSource, decodePhoto, listCameras } from './sources.js';
import * as ui from './ui.js';

const $ = (id) => document.getElementById(id);
const ASSETS_URL = new URL('/', location.href).href;
const SAMPLE_PHOTO_URL = '/web/assets/sample-astronaut.jpg';
const STATS_WINDOW = 30;

const state = {
  manifest: null,
  assets: {},
  python: null,
  runner: null,
  runnerInfo: null,
  where: 'worker',
  engine: 'tfjs',
  backend: 'auto',
  size: 448,
  source: null,
  stopFrames: null,
  busy: false,
  switching: false,
  currentFrame: Promise.resolve(),
  lastParse: null,
  frameWaiting: false,
  failures: 0,
  recoveries: [],
  stats: { frames: 0, dropped: 0, finished: [], stages: {}, numTensors: null },
  progress: {},
};

const median = (values) => {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const pushWindow = (list, value) => { list.push(value); if (list.length > STATS_WINDOW) list.shift(); };

// ---- loading -------------------------------------------------------------------------------

function trackPythonDownload(assets) {
  const files = Object.entries(assets).filter(([path]) => path.startsWith('pyodide/'));
  state.progress.Python = { loaded: 0, total: files.reduce((sum, [, f]) => sum + f.bytes, 0), done: false };
  const seen = new Set();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const path = new URL(entry.name).pathname.replace(/^\/vendor\//, '');
      if (!assets[path] || !path.startsWith('pyodide/') || seen.has(path)) continue;
      seen.add(path);
      state.progress.Python.loaded += assets[path].bytes;
      ui.showProgress(state.progress);
    }
  }).observe({ type: 'resource', buffered: true });
}

const PROGRESS_NAMES = { runtime: 'Runtime', model: 'Model' };

function onModelProgress({ stage, loaded, total }) {
  if (!total) return;
  state.progress[PROGRESS_NAMES[stage]] = { loaded, total, done: false };
  ui.showProgress(state.progress);
}

async function startRunner() {
  const { size, where, engine, backend, manifest } = state;
  state.runner?.dispose();
  state.runner = createRunner(where, { onProgress: onModelProgress });
  const info = await state.runner.init({
    engine, backend, manifest, assets: state.assets, assetsUrl: ASSETS_URL, warmup: { height: size, width: size },
  });
  // What this runner really is, whatever the controls say by the time its frames finish.
  state.runnerInfo = { ...info, engine, where };
  for (const name of Object.values(PROGRESS_NAMES)) if (state.progress[name]) state.progress[name].done = true;
  ui.showProgress(state.progress);
  ui.showBackend(info, where);
  return info;
}

// Safari (and any browser without WebGL/WebGPU in workers) runs a GPU backend only on the
// main thread: when the page can use a faster backend than the worker, move there, and say so.
async function preferMainThreadIfFaster() {
  const worker = createRunner('worker', {});
  try {
    const [inWorker, onPage] = await Promise.all([worker.probe(), probeCapabilities()]);
    const workerBest = planBackends(state.backend, inWorker).order[0];
    const pageBest = planBackends(state.backend, onPage).order[0];
    if (pageBest && backendRank(pageBest) < backendRank(workerBest)) {
      $('main-thread-toggle').checked = true;
      state.where = 'main';
      return `This browser has no ${pageBest === 'webgl' ? 'WebGL' : 'WebGPU'} in Web Workers (Safari): the model runs on the main thread.`;
    }
  } finally {
    worker.dispose();
  }
  return null;
}

// ?engine=ort&backend=wasm&size=288&thread=main: start with these settings (links, tests, benchmarks).
// Returns whether the thread was chosen explicitly.
function applyUrlSettings(params, manifest) {
  if (['tfjs', 'ort'].includes(params.get('engine'))) state.engine = params.get('engine');
  const backend = params.get('backend');
  if (['auto', 'webgpu', 'webgl', 'wasm'].includes(backend)) state.backend = backend;
  const size = Number(params.get('size'));
  state.size = manifest.sizes.includes(size) ? size : manifest.default_size;
  const thread = params.get('thread');
  if (thread === 'main' || thread === 'worker') state.where = thread;
  $('engine-select').value = state.engine;
  $('backend-select').value = state.backend;
  $('size-select').value = String(state.size);
  $('main-thread-toggle').checked = state.where === 'main';
  return thread === 'main' || thread === 'worker';
}

// Files that scripts/setup writes: without them nothing can start, so say which one is missing.
async function fetchSetupJson(path) {
  return JSON.parse(new TextDecoder().decode(await fetchVerified(path, {})));
}

async function load() {
  ui.setState('loading', 'Loading Python and the model…');
  const [manifest, assets] = await Promise.all(['/models/manifest.json', '/vendor/assets.json'].map(fetchSetupJson));
  state.manifest = manifest;
  state.assets = assets;
  const explicitThread = applyUrlSettings(new URLSearchParams(location.search), manifest);
  ui.renderLegend(manifest.classes);
  trackPythonDownload(assets);
  ui.showProgress(state.progress);

  const note = explicitThread ? null : await preferMainThreadIfFaster();
  const [python] = await Promise.all([
    whenPythonReady().then((api) => {
      state.progress.Python.done = true;
      ui.showProgress(state.progress);
      return api;
    }),
    startRunner(),
    verifyFiles(Object.entries(assets).filter(([path]) => path.startsWith('pyodide/')).map(([path, expected]) => [`/vendor/${path}`, expected])),
  ]);
  state.python = python;
  ui.setState('ready', 'Ready: start the camera, or choose or drop a photo.');
  if (note) ui.showMessage(note, 'info');
  for (const control of document.querySelectorAll('[data-needs-model]')) control.disabled = false;
}

// ---- the frame loop ------------------------------------------------------------------------

const captureCanvas = document.createElement('canvas');
const captureContext = captureCanvas.getContext('2d', { willReadFrequently: true });

function capture(source, height, width) {
  if (captureCanvas.width !== width || captureCanvas.height !== height) {
    captureCanvas.width = width;
    captureCanvas.height = height;
  }
  // The browser resizes on the GPU; Python gets exactly the model's input size.
  captureContext.drawImage(source.element, 0, 0, width, height);
  return captureContext.getImageData(0, 0, width, height).data;
}

function drawOverlay(overlay, height, width) {
  const canvas = $('overlay');
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  canvas.getContext('2d').putImageData(new ImageData(overlay, width, height), 0, 0);
}

const yieldToBrowser = () => new Promise((resolve) => setTimeout(resolve, 0));

// The newest source frame at the model's input size, ready to send: the engine normalises it.
function prepareFrame() {
  const { python, source, size } = state;
  const started = performance.now();
  const [height, width] = python.inputShape(source.height, source.width, size);
  const shaped = performance.now();
  const pixels = capture(source, height, width);
  return { pixels, height, width, size, source, shapeMs: shaped - started, captureMs: performance.now() - shaped };
}

// Post-processing and drawing of a finished frame. `splitTasks`: each in its own task, so that
// with the model in a worker no main-thread task grows long (sending the next frame is one task).
async function finishFrame(frame, result, runnerInfo, splitTasks) {
  const { height, width } = frame;
  if (splitTasks) await yieldToBrowser();
  const started = performance.now();
  const { overlay, fractions } = state.python.postprocess(result.labels, height, width);
  const postprocessed = performance.now();
  if (splitTasks) await yieldToBrowser();
  const drawStarted = performance.now();
  drawOverlay(overlay, height, width);
  ui.updateLegendShares(fractions);
  const finished = performance.now();

  state.lastParse = { labels: result.labels, height, width, size: frame.size, runnerInfo, source: frame.source.kind === 'photo' ? frame.source.name : 'camera' };
  const stats = state.stats;
  stats.frames += 1;
  stats.numTensors = result.numTensors;
  pushWindow(stats.finished, finished);
  const stages = {
    captureMs: frame.captureMs,
    preMs: frame.shapeMs + result.normalizeMs,
    transferMs: result.roundTripMs - result.normalizeMs - result.inferenceMs,
    inferenceMs: result.inferenceMs, postMs: postprocessed - started, drawMs: finished - drawStarted,
  };
  for (const [name, value] of Object.entries(stages)) pushWindow(stats.stages[name] ??= [], value);
  const span = (stats.finished.at(-1) - stats.finished[0]) / 1000;
  ui.showStats({
    fps: span > 0 ? (stats.finished.length - 1) / span : 0,
    ...Object.fromEntries(Object.entries(stats.stages).map(([name, values]) => [name, median(values)])),
    frames: stats.frames, dropped: stats.dropped, numTensors: stats.numTensors,
    engine: runnerInfo.engine, backend: runnerInfo.backend, size: frame.size, where: runnerInfo.where,
  });
}

const canRunFrame = () => !state.busy && !state.switching && state.source && state.python;

// Runs one frame. With the model in a worker, the next frame is sent as soon as this one's labels
// are back, and this one is post-processed and drawn while the model works on the next. On the
// main thread inference blocks the page, so frames run strictly one after another, and the next
// waits for the browser to paint this one.
function runFrame() {
  state.busy = true;
  state.frameWaiting = false;
  const { runner, runnerInfo } = state;
  const pipelined = runnerInfo.where === 'worker';
  let frame;
  try {
    frame = prepareFrame();
  } catch (error) {
    // The source itself gave no usable frame (e.g. a camera not yet delivering): skip it.
    state.busy = false;
    ui.showMessage(`A frame could not be read: ${error.message}. The app goes on with the next frame.`);
    return state.currentFrame;
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    state.busy = false;
  };
  const sent = performance.now();
  state.currentFrame = runner.infer(frame.pixels, frame.height, frame.width)
    .then(async (result) => {
      result.roundTripMs = performance.now() - sent;
      state.failures = 0;
      if (pipelined) {
        release();
        if (state.frameWaiting && canRunFrame()) runFrame();
      }
      await finishFrame(frame, result, runnerInfo, pipelined);
      if (state.source === frame.source) {
        if (frame.source.kind === 'camera') ui.setState('running', 'Running');
        else ui.setState('parsed', `Parsed ${frame.source.name}`);
      }
    })
    .catch((error) => onFrameFailed(error, frame.source))
    // Main thread: the next frame starts at the next video frame callback, after the page has
    // painted this one and handled input. Starting sooner (at once, from a timer, or from a later
    // animation frame) starved the page's other tasks or merged frames into multi-second tasks.
    .finally(release);
  return state.currentFrame;
}

// Called for every new source frame. A frame that arrives while the previous one is still in
// flight is dropped, not queued: only the newest is taken once the model is free, so latency
// stays at one frame however slow the backend is.
function onFrame() {
  if (!canRunFrame()) {
    if (state.busy) state.stats.dropped += 1;
    state.frameWaiting = true;
    return state.currentFrame;
  }
  return runFrame();
}

// ---- recovery ------------------------------------------------------------------------------

const RECOVERY_WINDOW_MS = 120_000;
const MAX_RECOVERIES = 4;

// One failed frame gets a message and the next frame goes ahead. A crashed or hung worker, a
// lost GPU context, or a second failure in a row replaces the runner: with the same settings
// first; if it keeps failing, on WASM, then on the main thread.
function onFrameFailed(error, source) {
  state.failures += 1;
  if (!error.fatal && !error.lost && state.failures < 2) {
    ui.showMessage(`A frame failed: ${error.message}. The app goes on with the next frame.`);
    return;
  }
  const now = performance.now();
  state.recoveries = state.recoveries.filter((time) => now - time < RECOVERY_WINDOW_MS);
  state.recoveries.push(now);
  state.failures = 0;
  if (state.recoveries.length > MAX_RECOVERIES) {
    stopSource();
    ui.setState('error', 'The model keeps failing');
    ui.showMessage(`The model failed ${state.recoveries.length} times in two minutes (${error.message}). Reload the page; if it happens again, choose another backend or engine, or another browser.`);
    return;
  }
  const ran = state.runnerInfo ?? {};
  let action = 'restarted the model';
  let change = () => {};
  if ((error.lost || state.recoveries.length > 1) && ran.backend !== 'wasm') {
    action = `switched from ${backendLabel(ran.backend)} to WASM`;
    change = () => { state.backend = 'wasm'; $('backend-select').value = 'wasm'; };
  } else if (state.recoveries.length > 2 && ran.where === 'worker') {
    action = 'moved the model to the main thread';
    change = () => { state.where = 'main'; $('main-thread-toggle').checked = true; };
  }
  const notice = `The model stopped working (${error.message}). The app ${action} and goes on.`;
  ui.showMessage(notice, 'info');
  switchRunner(change, { notice, rerunPhoto: source?.kind === 'photo' });
}

function resetStats() {
  state.stats.finished = [];
  state.stats.stages = {};
}

// ---- sources -------------------------------------------------------------------------------

const camera = new CameraSource($('video'));

async function startCamera(deviceId) {
  ui.showMessage(null);
  stopSource();
  try {
    const activeId = await camera.start(deviceId, () => {
      stopSource();
      ui.setState('stopped', 'The camera stopped (unplugged or taken by another app). Press Start to resume.');
    });
    await fillCameraPicker(activeId);
  } catch (error) {
    ui.showMessage(error.message);
    ui.setState('ready', 'Ready: use a photo, or fix the camera and press Start.');
    return;
  }
  showView('camera');
  state.source = camera;
  resetStats();
  state.stopFrames = camera.onFrames(onFrame);
  $('camera-stop').disabled = false;
}

async function fillCameraPicker(activeId) {
  const cameras = await listCameras();
  const picker = $('camera-select');
  picker.hidden = cameras.length < 2;
  picker.replaceChildren(...cameras.map((device, index) => {
    const option = new Option(device.label || `Camera ${index + 1}`, device.deviceId);
    option.selected = device.deviceId === activeId;
    return option;
  }));
}

function stopSource() {
  state.stopFrames?.();
  state.stopFrames = null;
  camera.stop();
  state.source = null;
  $('camera-stop').disabled = true;
}

async function openPhoto(blob, name) {
  ui.showMessage(null);
  let photo;
  try {
    photo = await decodePhoto(blob, $('photo'), name);
  } catch (error) {
    ui.showMessage(error.message);
    return;
  }
  stopSource();
  showView('photo');
  state.source = photo;
  resetStats();
  if (photo.notes.length) ui.showMessage(photo.notes.join(' '), 'info');
  await onFrame();
}

function showView(kind) {
  $('video').hidden = kind !== 'camera';
  $('photo').hidden = kind !== 'photo';
  $('drop-hint').hidden = true;
  const { width, height } = kind === 'camera' ? { width: camera.width, height: camera.height } : $('photo');
  $('stage').style.setProperty('--aspect', String(width / height));
}

// ---- switching while running ---------------------------------------------------------------

// Settings change at once; the runner restarts after the frame in flight, with whatever the
// settings are by then. Changes that arrive before a queued restart begins join it, so quick
// successive switches cost one restart, not one per intermediate state.
let switchQueue = Promise.resolve();
let restartQueued = false;

// notice: the message to show once the new runner runs (null clears the message line).
function switchRunner(change, { notice = null, rerunPhoto = true } = {}) {
  change();
  if (restartQueued) return switchQueue;
  restartQueued = true;
  state.switching = true;
  switchQueue = switchQueue.then(async () => {
    await state.currentFrame;
    restartQueued = false;
    ui.setState('loading', 'Switching…');
    try {
      await startRunner();
      ui.showMessage(notice, 'info');
    } catch (error) {
      ui.showMessage(error.message);
    } finally {
      state.switching = restartQueued;
    }
    resetStats();
    if (state.source?.kind === 'photo' && rerunPhoto) await onFrame();
    else if (state.source?.kind === 'camera') ui.setState('running', 'Running');
    else if (state.source) ui.setState('parsed', `Parsed ${state.source.name}`);
    else ui.setState('ready', 'Ready: start the camera, or choose or drop a photo.');
  });
  return switchQueue;
}

// ---- export --------------------------------------------------------------------------------

const EXPORTS = {
  'label-png': { suffix: 'labels.png', type: 'image/png' },
  'color-png': { suffix: 'colors.png', type: 'image/png' },
  'areas-json': { suffix: 'areas.json', type: 'application/json' },
};

function exportParse(kind) {
  const parse = state.lastParse;
  if (!parse) {
    ui.showMessage('Nothing to export yet: start the camera or open a photo first.', 'info');
    return;
  }
  const extra = JSON.stringify({ source: parse.source, size: parse.size, engine: parse.runnerInfo.engine, backend: parse.runnerInfo.backend });
  const bytes = state.python.exportParse(kind, parse.labels, parse.height, parse.width, extra);
  ui.download(bytes, `faceparts-${parse.size}-${EXPORTS[kind].suffix}`, EXPORTS[kind].type);
}

// ---- wiring --------------------------------------------------------------------------------

function wireControls() {
  $('camera-start').addEventListener('click', () => startCamera());
  $('camera-stop').addEventListener('click', () => {
    stopSource();
    ui.setState('stopped', 'Camera stopped.');
  });
  $('camera-select').addEventListener('change', (event) => startCamera(event.target.value));
  $('photo-input').addEventListener('change', (event) => {
    const [file] = event.target.files;
    if (file) openPhoto(file, file.name);
    event.target.value = '';
  });
  $('sample-photo').addEventListener('click', async () => {
    const response = await fetch(SAMPLE_PHOTO_URL);
    openPhoto(await response.blob(), 'sample photo (astronaut Eileen Collins, NASA)');
  });
  const stage = $('stage');
  stage.addEventListener('dragover', (event) => { event.preventDefault(); stage.classList.add('dragging'); });
  stage.addEventListener('dragleave', () => stage.classList.remove('dragging'));
  stage.addEventListener('drop', (event) => {
    event.preventDefault();
    stage.classList.remove('dragging');
    const [file] = event.dataTransfer.files;
    if (file) openPhoto(file, file.name);
    else ui.showMessage('Only files can be dropped here: drop a photo from your computer.');
  });
  $('size-select').addEventListener('change', (event) => {
    state.size = Number(event.target.value);
    resetStats();
    if (state.source?.kind === 'photo') onFrame();
  });
  $('engine-select').addEventListener('change', (event) => switchRunner(() => { state.engine = event.target.value; }));
  $('backend-select').addEventListener('change', (event) => switchRunner(() => { state.backend = event.target.value; }));
  $('main-thread-toggle').addEventListener('change', (event) => switchRunner(() => {
    state.where = event.target.checked ? 'main' : 'worker';
  }));
  $('opacity').addEventListener('input', (event) => {
    $('overlay').style.opacity = String(Number(event.target.value) / 100);
  });
  for (const [id, kind] of [['export-label', 'label-png'], ['export-color', 'color-png'], ['export-areas', 'areas-json']]) {
    $(id).addEventListener('click', () => exportParse(kind));
  }
}

wireControls();
load().catch((error) => {
  ui.setState('error', 'Could not start');
  ui.showMessage(error.message);
});
