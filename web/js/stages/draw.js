// Stage: what the user sees, all in one task (so it never shows one frame's picture under
// another's parse): the picture with its effect (the frame that was parsed, or with live video
// the next video frames; effects/picture.js), the overlay over it, and the legend's shares.
//   in: frame.picture, frame.labels, frame.overlay, frame.fractions, frame.height, frame.width,
//       frame.size, context.picture

import { softness } from '../effects/effects.js';
import { updateLegendShares } from '../legend.js';

// The overlay canvas shows an RGBA picture at the frame's size (the page stretches it over the
// picture), its class borders smoothed as the effects' mask is, over about one parse pixel. The
// blur is drawn into the canvas once per parse, in frame pixels: as a CSS filter the compositor
// would blur the stretched layer on every composite, which without a GPU cost a core.
const unblurred = document.createElement('canvas');

export function paintOverlay(overlay, height, width, size) {
  const canvas = document.getElementById('overlay');
  for (const target of [canvas, unblurred]) {
    if (target.width !== width || target.height !== height) Object.assign(target, { width, height });
  }
  unblurred.getContext('2d').putImageData(new ImageData(overlay, width, height), 0, 0);
  const context = canvas.getContext('2d');
  context.clearRect(0, 0, width, height);
  context.filter = `blur(${overlayBlur({ height, width, size })}px)`;
  context.drawImage(unblurred, 0, 0);
}

// The overlay's smoothing in frame pixels.
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
