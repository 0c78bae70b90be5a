// Stage: the overlay over the picture, and the legend's shares.
//   in: frame.overlay, frame.fractions, frame.height, frame.width

import { updateLegendShares } from '../legend.js';

// The overlay canvas shows an RGBA picture at the frame's size (the page stretches it over the
// video or photo).
export function paintOverlay(overlay, height, width) {
  const canvas = document.getElementById('overlay');
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  canvas.getContext('2d').putImageData(new ImageData(overlay, width, height), 0, 0);
}

export const draw = {
  name: 'draw',
  run(frame) {
    const started = performance.now();
    paintOverlay(frame.overlay, frame.height, frame.width);
    updateLegendShares(frame.fractions);
    frame.timings.drawMs = performance.now() - started;
  },
};
