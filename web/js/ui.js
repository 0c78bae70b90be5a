// Small DOM helpers: legend, status line, progress, messages and downloads.

import { backendLabel } from '../../worker/capabilities.js';

const $ = (id) => document.getElementById(id);

export function renderLegend(classes) {
  const list = $('legend');
  list.replaceChildren(...classes.map((cls) => {
    const item = document.createElement('li');
    item.dataset.classId = cls.id;
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = `rgb(${cls.color.join(',')})`;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = cls.label;
    const share = document.createElement('span');
    share.className = 'share';
    item.append(swatch, name, share);
    return item;
  }));
}

export function updateLegendShares(fractions) {
  const items = $('legend').children;
  for (let i = 0; i < items.length; i++) {
    const fraction = fractions[i] ?? 0;
    items[i].querySelector('.share').textContent = fraction > 0 ? `${(fraction * 100).toFixed(1)} %` : '';
    items[i].classList.toggle('absent', fraction === 0);
  }
}

export function setState(state, text) {
  const status = $('status');
  status.dataset.state = state;
  $('status-text').textContent = text;
}

export function showStats(stats) {
  const status = $('status');
  Object.assign(status.dataset, {
    frames: stats.frames, dropped: stats.dropped, tensors: stats.numTensors ?? '',
    engine: stats.engine, backend: stats.backend, size: stats.size, where: stats.where,
    fps: stats.fps.toFixed(2), preMs: stats.preMs.toFixed(1), inferenceMs: stats.inferenceMs.toFixed(1), postMs: stats.postMs.toFixed(1),
  });
  const ms = (value) => `${value.toFixed(1)} ms`;
  $('stats').textContent = [
    `${stats.fps.toFixed(1)} FPS`,
    `pre ${ms(stats.preMs)}`,
    `inference ${ms(stats.inferenceMs)}`,
    `post ${ms(stats.postMs)}`,
    stats.engine === 'ort' ? 'ORT' : 'tfjs',
    backendLabel(stats.backend),
    `${stats.size} px`,
    stats.where === 'main' ? 'main thread' : 'worker',
  ].join(' · ');
}

export function showBackend({ backend, detail, fallbacks }, where) {
  const info = $('backend-info');
  info.dataset.backend = backend;
  const why = fallbacks.map((f) => `${backendLabel(f.backend)} skipped: ${f.reason}`).join('. ');
  info.textContent = `Running on ${detail}, ${where === 'main' ? 'on the main thread' : 'in a Web Worker'}.${why ? ` ${why}.` : ''}`;
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
