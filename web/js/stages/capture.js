// Stage: the newest source frame at the model's input size, as RGBA bytes (the engine normalises
// them). The browser resizes on the GPU; Python only says to which shape.
//   in: frame.source, frame.size  out: frame.pixels, frame.height, frame.width

let canvas = null;
let context = null;

function draw(element, height, width) {
  if (!canvas) {
    canvas = document.createElement('canvas');
    context = canvas.getContext('2d', { willReadFrequently: true });
  }
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  context.drawImage(element, 0, 0, width, height);
  return context.getImageData(0, 0, width, height).data;
}

export const capture = {
  name: 'capture',
  run(frame, { python }) {
    const started = performance.now();
    [frame.height, frame.width] = python.inputShape(frame.source.height, frame.source.width, frame.size);
    const shaped = performance.now();
    frame.pixels = draw(frame.source.element, frame.height, frame.width);
    frame.timings.shapeMs = shaped - started;
    frame.timings.captureMs = performance.now() - shaped;
  },
};
