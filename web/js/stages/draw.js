// Stage: what the user sees, all in one task (so it never shows one frame's picture under
// another's parse): the picture with its effect (the frame that was parsed, or with live video
// the next video frames; effects/picture.js), the overlay over it, and the legend's shares.
//   in: frame.picture, frame.labels, frame.overlay, frame.fractions, frame.height, frame.width,
//       frame.size, context.picture

import { softness } from '../effects/effects.js';
import { updateLegendShares } from '../legend.js';

// The overlay canvas shows an RGBA picture at the frame's size (the page stretches it over the
// picture), its class borders smoothed as the effects' mask is, over about one parse pixel:
// a CSS blur, which the compositor draws, in frame pixels as the canvas is shown.
export function paintOverlay(overlay, height, width, size) {
  const canvas = document.getElementById('overlay');
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  canvas.getContext('2d').putImageData(new ImageData(overlay, width, height), 0, 0);
  canvas.dataset.blur = overlayBlur({ height, width, size });
  const shown = canvas.clientWidth / width || 1;
  canvas.style.filter = `blur(${Number(canvas.dataset.blur) * shown}px)`;
}

// The overlay's smoothing in frame pixels (Save picture draws it the same way).
export const overlayBlur = (frame) => (softness(frame) * Math.SQRT1_2).toFixed(2);

export const draw = {
  name: 'draw',
  run(frame, context) {
    const started = performance.now();
    const { height, width, size, labels } = frame;
    context.picture.show({ picture: frame.picture, height, width, size, labels });
    frame.picture = null;
    const painted = performance.now();
    paintOverlay(frame.overlay, height, width, size);
    updateLegendShares(frame.fractions);
    frame.timings.effectMs = painted - started;
    frame.timings.drawMs = performance.now() - painted;
  },
};
