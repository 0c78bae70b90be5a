// Stage: the overlay over the picture, and the legend's shares.
//   in: frame.overlay, frame.fractions, frame.height, frame.width

import * as ui from '../ui.js';

export const draw = {
  name: 'draw',
  run(frame) {
    const started = performance.now();
    const canvas = document.getElementById('overlay');
    if (canvas.width !== frame.width || canvas.height !== frame.height) {
      canvas.width = frame.width;
      canvas.height = frame.height;
    }
    canvas.getContext('2d').putImageData(new ImageData(frame.overlay, frame.width, frame.height), 0, 0);
    ui.updateLegendShares(frame.fractions);
    frame.timings.drawMs = performance.now() - started;
  },
};
