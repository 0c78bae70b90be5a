// Small DOM helpers: status line, progress, messages and downloads.

import { backendLabel } from '../../worker/runner.js';

const $ = (id) => document.getElementById(id);

export function setState(state, text) {
  const status = $('status');
  status.dataset.state = state;
  $('status-text').textContent = text;
}

// stats: fps, per-stage medians in ms (captureMs, preMs, transferMs, inferenceMs, postMs, drawMs,
// detectMs, contextMs, personMs), frames, dropped, numTensors, faces (parsed; null when face finding is off), photo
// (a single picture: it has no frame rate), and what ran (engine, backend, precision, size, where).
export function showStats(stats) {
  const status = $('status');
  const stageNames = ['captureMs', 'preMs', 'transferMs', 'inferenceMs', 'postMs', 'effectMs', 'drawMs', 'detectMs', 'contextMs', 'personMs'];
  Object.assign(status.dataset, {
    frames: stats.frames, dropped: stats.dropped, tensors: stats.numTensors ?? '',
    engine: stats.engine, backend: stats.backend, precision: stats.precision, size: stats.size, where: stats.where,
    fps: stats.fps.toFixed(2), faces: stats.faces ?? '',
    ...Object.fromEntries(stageNames.map((name) => [name, (stats[name] ?? 0).toFixed(1)])),
  });
  const ms = (value) => `${value.toFixed(1)} ms`;
  const faces = stats.faces === null ? 'faces off'
    : `${stats.faces ? `${stats.faces} face${stats.faces === 1 ? '' : 's'}` : 'no face: whole frame'}, detect ${ms(stats.detectMs ?? 0)}`;
  $('stats').textContent = [
    stats.photo ? null : `${stats.fps.toFixed(1)} FPS`,
    faces,
    `pre ${ms(stats.captureMs + stats.preMs)}`,
    `inference ${ms(stats.inferenceMs)}${stats.contextMs ? ` (whole frame ${ms(stats.contextMs)})` : ''}`,
    `person ${ms(stats.personMs ?? 0)}`,
    `post ${ms(stats.postMs + stats.effectMs + stats.drawMs)}`,
    stats.engine === 'ort' ? 'ORT' : 'tfjs',
    backendLabel(stats.backend),
    stats.precision,
    `${stats.size} px`,
    stats.where === 'main' ? 'main thread' : 'worker',
  ].filter(Boolean).join(' · ');
}

export function showBackend({ backend, detail, fallbacks, notes = [], loadMs, warmupMs }, where) {
  const info = $('backend-info');
  // warmupMs is the first inference (kernel compilation included), for benchmarks.
  Object.assign(info.dataset, { backend, loadMs: loadMs.toFixed(0), firstInferenceMs: warmupMs.toFixed(0) });
  // The backend the user chose explicitly comes first: it is the one they expected to run.
  const why = fallbacks.map((f) => (f.requested
    ? `${backendLabel(f.backend)} was chosen but does not work here (${f.reason}): ${backendLabel(backend)} runs instead`
    : `${backendLabel(f.backend)} skipped: ${f.reason}`)).join('. ');
  const chosen = notes.length ? ` ${notes.join('. ')}.` : '';
  info.textContent = `Running on ${detail}, ${where === 'main' ? 'on the main thread' : 'in a Web Worker'}.${chosen}${why ? ` ${why}.` : ''}`;
}

const MB = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

export function showProgress(parts) {
  // parts: {name: {loaded, total, done}}
  const entries = Object.entries(parts);
  const loaded = entries.reduce((sum, [, p]) => sum + (p.done ? p.total : Math.min(p.loaded, p.total)), 0);
  const total = entries.reduce((sum, [, p]) => sum + p.total, 0);
  const bar = $('progress');
  bar.hidden = entries.every(([, p]) => p.done);
  bar.querySelector('progress').value = total ? loaded / total : 0;
  bar.querySelector('span').textContent = entries
    .map(([name, p]) => `${name} ${p.done ? '✓' : `${MB(Math.min(p.loaded, p.total))} / ${MB(p.total)}`}`)
    .join(' · ');
}

// opacity: 0..100, the overlay's.
export function showOverlayOpacity(opacity) {
  $('overlay').style.opacity = String(opacity / 100);
}

// kind: what draws the picture, 'webgl' or '2d'; why: why not WebGL2, when it is not.
export function showRender(kind, why) {
  $('status').dataset.render = kind;
  $('render-info').textContent = why ?? `Effects are drawn with ${kind === 'webgl' ? 'WebGL2' : 'Canvas 2D'}.`;
}

export function showMessage(text, kind = 'error') {
  const message = $('message');
  message.textContent = text ?? '';
  message.dataset.kind = kind;
  message.hidden = !text;
}

export function download(bytes, filename, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
