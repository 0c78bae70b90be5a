// Export of the last parse: one download per [data-export] button, in the formats Python offers.

import * as ui from './ui.js';

// parse: {labels (the frame's size), height, width, size, source, engine, backend, faces}
// parts: the class names the colour export shows.
export function exportParse(python, kind, parse, parts) {
  if (!parse) {
    ui.showMessage('Nothing to export yet: start the camera or open a photo first.', 'info');
    return;
  }
  const { suffix, mime } = python.exportKinds[kind];
  const extra = JSON.stringify({ source: parse.source, size: parse.size, engine: parse.engine, backend: parse.backend, faces: parse.faces, parts });
  const bytes = python.exportParse(kind, parse.labels, parse.height, parse.width, extra);
  ui.download(bytes, `faceparts-${parse.size}-${suffix}`, mime);
}
