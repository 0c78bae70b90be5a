// Export of the last parse: one download per [data-export] button, in the formats Python offers.

import * as ui from './ui.js';

// parse: {labels (the frame's size), height, width, size, source, engine, backend, precision, faces}
// parts: the class names the colour export shows.
export function exportParse(python, kind, parse, parts) {
  if (!parse) {
    ui.showMessage('Nothing to export yet: start the camera or open a photo first.', 'info');
    return;
  }
  const { suffix, mime } = python.exportKinds[kind];
  const { source, size, engine, backend, precision, faces } = parse;
  const extra = JSON.stringify({ source, size, engine, backend, precision, faces, parts });
  const bytes = python.exportParse(kind, parse.labels, parse.height, parse.width, extra);
  ui.download(bytes, `faceparts-${parse.size}-${suffix}`, mime);
}

// What the view shows, at the frame's size: the picture with its effect, and the overlay at its
// opacity (0-100). Drawn into `canvas` (made when none is given).
export function viewCanvas(opacity, canvas = document.createElement('canvas')) {
  const picture = document.getElementById('picture');
  if (canvas.width !== picture.width || canvas.height !== picture.height) Object.assign(canvas, { width: picture.width, height: picture.height });
  const context = canvas.getContext('2d');
  context.globalAlpha = 1;
  context.drawImage(picture, 0, 0);
  if (opacity > 0) {
    const overlay = document.getElementById('overlay');
    context.globalAlpha = opacity / 100;
    context.drawImage(overlay, 0, 0, canvas.width, canvas.height);
  }
  return canvas;
}

// "Save picture": what the view shows, as a PNG at the frame's size.
export async function savePicture(parse, opacity) {
  if (!parse || !document.getElementById('picture').width) {
    ui.showMessage('Nothing to save yet: start the camera or open a photo first.', 'info');
    return;
  }
  const canvas = viewCanvas(opacity);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  ui.download(blob, `faceparts-picture-${parse.size}.png`, 'image/png');
}
