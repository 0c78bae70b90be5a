// The load progress bar: Python's files (seen as the browser fetches them) and the runtime and
// model (reported by the runner), each with its bytes.

import * as ui from './ui.js';

const MODEL_PARTS = { runtime: 'Runtime', model: 'Model', detector: 'Face detector', person: 'Person mask' };

export class LoadProgress {
  constructor() {
    this.parts = {};
  }

  // assets: vendor/assets.json; Pyodide fetches its files itself, so watch the network for them.
  watchPython(assets) {
    const files = Object.entries(assets).filter(([path]) => path.startsWith('pyodide/'));
    const python = { loaded: 0, total: files.reduce((sum, [, file]) => sum + file.bytes, 0), done: false };
    this.parts.Python = python;
    const seen = new Set();
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const path = new URL(entry.name).pathname.replace(/^\/vendor\//, '');
        if (!assets[path] || !path.startsWith('pyodide/') || seen.has(path)) continue;
        seen.add(path);
        python.loaded += assets[path].bytes;
        this.show();
      }
    }).observe({ type: 'resource', buffered: true });
    this.show();
  }

  // The runner's {stage, loaded, total}.
  onModelProgress = ({ stage, loaded, total }) => {
    if (!total) return;
    this.parts[MODEL_PARTS[stage]] = { loaded, total, done: false };
    this.show();
  };

  pythonDone() {
    this.parts.Python.done = true;
    this.show();
  }

  modelDone() {
    for (const name of Object.values(MODEL_PARTS)) if (this.parts[name]) this.parts[name].done = true;
    this.show();
  }

  show() {
    ui.showProgress(this.parts);
  }
}
