// The page controller, top-down: read the settings, load Python and the model, then hand each
// source's frames to the scheduler, which runs them through the frame path; replace the model
// when a setting or a failure asks for it.
//
//   settings.js        what the URL and the controls can say
//   source-control.js  camera, photos and videos  frame-scheduler.js  when frames run
//   frame-path.js      the stages of a frame      recovery.js         what to do on failure
//   face-tracker.js    the faces followed         face-notes.js       what the user is told of them
//   stats.js           FPS and stage medians      loading.js          the progress bar
//   exports.js         downloads                  python.js           the page<->Python boundary
//   playback-control.js, export-video-control.js  a video file: play, pause, position; Export video
//   ui.js              status, legend, messages   ../../worker/runner.js  the model
//   view-control.js    the picture shown, its effect and the overlay's look (effects/)

import { chooseThread, createRunner, fetchSetupJson, verifyFiles } from '../../worker/runner.js';
import { exportParse, savePicture } from './exports.js';
import { exportVideo } from './export-video-control.js';
import { startFrame } from './frame-path.js';
import { FaceNotes } from './face-notes.js';
import { FaceTracker } from './face-tracker.js';
import { FrameScheduler } from './frame-scheduler.js';
import { PlaybackControl } from './playback-control.js';
import { LoadProgress } from './loading.js';
import { whenPythonReady } from './python.js';
import { afterSuccess, initialHistory, planRecovery } from './recovery.js';
import { renderLegend, showParts } from './legend.js';
import { bindControls, parseSettings, settingsSchema, writeSettingsUrl } from './settings.js';
import { SourceControl } from './source-control.js';
import { paintOverlay } from './stages/draw.js';
import { FrameStats } from './stats.js';
import * as ui from './ui.js';
import { ViewControl, VIEW_SETTINGS } from './view-control.js';

const ASSETS_URL = new URL('/', location.href).href;
const READY = 'Ready: start the camera, or choose or drop a photo or a video.';

// Everything the page knows, in one place.
const app = {
  manifest: null,
  assets: null,
  python: null,
  schema: null,
  settings: null, // what was chosen (settings.js); runnerInfo says what really runs
  runner: null,
  runnerInfo: null,
  source: null,
  view: null, // the picture shown and the overlay's look (view-control.js)
  stopFrames: null,
  lastParse: null,
  recovery: initialHistory(),
  showSettings: () => {},
};
const stats = new FrameStats();
const tracker = new FaceTracker();
const faceNotes = new FaceNotes();
const progress = new LoadProgress();
const scheduler = new FrameScheduler(runFrame);
const sources = new SourceControl({ onSource: useSource, onStop: stopFrames });
const playback = new PlaybackControl();

async function load() {
  ui.setState('loading', 'Loading Python and the model…');
  [app.manifest, app.assets] = await Promise.all(['/models/manifest.json', '/vendor/assets.json'].map(fetchSetupJson));
  app.schema = settingsSchema(app.manifest);
  const { settings, explicit, problems } = parseSettings(location.search, app.schema);
  app.settings = settings;
  app.showSettings = bindControls(document, app.schema, settings, changeSetting);
  renderLegend(app.manifest.classes, (parts) => changeSetting('parts', parts));
  showParts(settings.parts);
  app.view = new ViewControl(app.manifest, app.schema, settings, setByApp);
  const drawingNote = app.view.start();
  progress.watchPython(app.assets);

  const choice = explicit.has('thread') ? { thread: settings.thread, note: null } : await chooseThread(settings.backend);
  settings.thread = choice.thread;
  app.showSettings(settings);
  const pyodideFiles = Object.entries(app.assets).filter(([path]) => path.startsWith('pyodide/'));
  const verified = verifyFiles(pyodideFiles.map(([path, expected]) => [`/vendor/${path}`, expected]));
  // A damaged Pyodide file explains Python failing to start better than Python's own error does.
  const python = whenPythonReady().catch(async (error) => { await verified; throw error; });
  [app.python] = await Promise.all([
    python.then((ready) => { progress.pythonDone(); return ready; }),
    startModel(),
    verified,
  ]);
  ui.setState('ready', READY);
  const notes = [...problems, choice.note, drawingNote].filter(Boolean);
  if (notes.length) ui.showMessage(notes.join(' '), 'info');
  for (const control of document.querySelectorAll('[data-needs-model]')) control.disabled = false;
}

async function startModel() {
  const { engine, precision, backend, thread, size } = app.settings;
  app.runner?.dispose();
  app.runner = createRunner(thread, { onProgress: progress.onModelProgress });
  const info = await app.runner.init({
    engine, precision, backend, manifest: app.manifest, assets: app.assets, assetsUrl: ASSETS_URL, warmup: { height: size, width: size },
  });
  // What this runner really is, whatever the controls say by the time its frames finish.
  app.runnerInfo = { ...info, thread };
  scheduler.pipelined = thread === 'worker';
  progress.modelDone();
  ui.showBackend(info, thread);
}

// ---- frames ------------------------------------------------------------------------------------

function useSource(source) {
  app.source = source;
  faceNotes.reset();
  stats.reset();
  app.view.useSource(source);
  playback.use(source);
  if (source.moving) app.stopFrames = source.onFrames(() => scheduler.offer());
  else scheduler.request();
}

function stopFrames() {
  app.view.useSource(null);
  playback.use(null);
  app.stopFrames?.();
  app.stopFrames = null;
  app.source = null;
  scheduler.clearWaiting();
}

// What a frame runs with: the model, settings and view of now.
function frameContext(source, faceTracker) {
  return {
    python: app.python, runner: app.runner, runnerInfo: app.runnerInfo, source, picture: app.view.picture, settings: { ...app.settings }, tracker: faceTracker,
  };
}

// The scheduler's callback: one frame through the frame path, with the model and source of now.
function runFrame() {
  const context = frameContext(app.source, tracker);
  const { modelFree, finished } = startFrame(context, { splitTasks: scheduler.pipelined });
  return { modelFree, finished: finished.then((frame) => frameDone(frame, context), (error) => frameFailed(error, context)) };
}

function frameDone(frame, { runnerInfo, source, settings }) {
  app.recovery = afterSuccess(app.recovery);
  const { engine, backend, thread } = runnerInfo;
  const precision = frame.precision ?? runnerInfo.precision;
  const faces = frame.faces.map((track, index) => ({ ...track.face, pose: track.pose, classes: frame.faceAreas[index] }));
  app.lastParse = {
    labels: frame.labels, height: frame.height, width: frame.width, size: frame.size, engine, backend, precision, faces,
    source: source.name ?? 'camera',
  };
  stats.record(performance.now(), frame.timings);
  ui.showStats({
    ...stats.summary(), dropped: scheduler.dropped, numTensors: frame.numTensors, engine, backend, precision, size: frame.size, where: thread,
    faces: settings.faces === 'on' ? faces.length : null, photo: !source.moving,
  });
  if (app.source !== source) return;
  faceNotes.show(frame, settings, source);
  if (source.kind === 'photo') ui.setState('parsed', `Parsed ${source.name}`);
  else if (!playback.paused) ui.setState('running', source.kind === 'camera' ? 'Running' : `Playing ${source.name}`);
}

function frameFailed(error, { runnerInfo }) {
  if (['source', 'snapshot', 'capture'].includes(error.stage)) {
    // The source itself gave no usable frame (e.g. a camera not yet delivering): skip it.
    ui.showMessage(`A frame could not be read: ${error.message}. The app goes on with the next frame.`);
    return;
  }
  const plan = planRecovery(error, app.recovery, runnerInfo, performance.now());
  app.recovery = plan.history;
  if (plan.action === 'skip') {
    ui.showMessage(plan.message);
  } else if (plan.action === 'stop') {
    sources.stop();
    ui.setState('error', 'The model keeps failing');
    ui.showMessage(plan.message);
  } else {
    if (plan.action === 'wasm') app.settings.backend = 'wasm';
    if (plan.action === 'main') app.settings.thread = 'main';
    app.showSettings(app.settings);
    ui.showMessage(plan.message, 'info');
    switchModel(plan.message);
  }
}

// ---- settings ----------------------------------------------------------------------------------

function changeSetting(name, value) {
  app.settings[name] = value;
  // The URL keeps what the user chose, for a bookmark or a reload.
  writeSettingsUrl(app.settings, app.schema, { whenResting: app.schema[name].kind === 'range' });
  if (app.schema[name].restartsModel) {
    switchModel();
  } else if (name === 'parts') {
    showParts(value);
    const parse = app.lastParse;
    if (parse) paintOverlay(app.python.overlay(parse.labels, parse.height, parse.width, value), parse.height, parse.width, parse.size);
  } else if (VIEW_SETTINGS.includes(name)) {
    app.view.changed(name);
  } else {
    stats.reset();
    if (app.source?.kind === 'photo') scheduler.request();
  }
}

// A change the app makes for the user (the overlay cleared for an effect, replace chosen for a
// background image): as if made in the control, which shows it.
// Its URL is written at once: only a slider being dragged waits for rest.
function setByApp(name, value) {
  changeSetting(name, value);
  app.showSettings(app.settings);
  writeSettingsUrl(app.settings, app.schema);
}

// Replaces the model once the frames in flight are done; notice: the message to show once the
// new model runs (none clears the message line). A photo is parsed again with it.
function switchModel(notice = null) {
  return scheduler.switchModel(async () => {
    ui.setState('loading', 'Switching…');
    try {
      await startModel();
      ui.showMessage(notice, 'info');
    } catch (error) {
      ui.showMessage(error.message);
    }
    stats.reset();
    const source = app.source;
    if (source?.kind === 'photo') scheduler.request();
    else if (source?.kind === 'camera') ui.setState('running', 'Running');
    else if (source?.kind === 'video') playback.showState();
    else ui.setState('ready', READY);
  });
}

function wire() {
  sources.wire();
  playback.wire();
  for (const button of document.querySelectorAll('[data-export]')) {
    button.addEventListener('click', () => exportParse(app.python, button.dataset.export, app.lastParse, app.settings.parts));
  }
  document.getElementById('save-picture').addEventListener('click', () => savePicture(app.lastParse, app.settings.opacity));
  document.getElementById('export-video').addEventListener('click', () => exportVideo({
    source: app.source, scheduler, python: app.python, settings: app.settings,
    parseFrame: (frameSource, faceTracker) => startFrame(frameContext(frameSource, faceTracker)).finished,
  }));
}

wire();
load().catch((error) => {
  ui.setState('error', 'Could not start');
  ui.showMessage(error.message);
});
