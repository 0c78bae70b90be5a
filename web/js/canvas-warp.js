// Draws a source (video, photo canvas) through a matrix onto a small canvas and reads its RGBA
// bytes: the detector's views and the face crops. The GPU does the resampling; pixels outside
// the source stay transparent black, which the engine reads as black (as Pillow fills natively).

const canvases = new Map();

function canvasFor(slot, height, width) {
  let entry = canvases.get(slot);
  if (!entry) {
    const canvas = document.createElement('canvas');
    entry = { canvas, context: canvas.getContext('2d', { willReadFrequently: true }) };
    canvases.set(slot, entry);
  }
  if (entry.canvas.width !== width || entry.canvas.height !== height) {
    entry.canvas.width = width;
    entry.canvas.height = height;
  }
  return entry.context;
}

// matrix: [a, b, c, d, e, f] (Python's geometry.to_js), source -> output pixels.
// -> Uint8ClampedArray RGBA [height, width, 4], a new buffer each time (it is transferred).
export function warpPixels(element, matrix, height, width, slot) {
  const context = canvasFor(slot, height, width);
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.clearRect(0, 0, width, height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.setTransform(...matrix);
  context.drawImage(element, 0, 0);
  return context.getImageData(0, 0, width, height).data;
}
