// The model's input from a captured frame: RGBA bytes -> float32 RGB [1,H,W,3], x*scale + offset
// (models/manifest.json "input"). It runs inside the engine, so in the worker when the model is
// there: per pixel, a JS loop costs ~1 ns where numpy under Pyodide costs ~30 (a 1024 frame took
// 30-47 ms of main-thread Python, over the 50 ms long-task line once capture was added).

// float32 arithmetic, as numpy does in faceparts.pipeline.preprocess (the native CLI's path): the
// browser and native models get the same input, bit for bit. v*scale and the sum are exact in
// float64 for these magnitudes, so one fround each equals one float32 operation each.
export function normalizationTable(scale, offset) {
  const scale32 = Math.fround(scale);
  const offset32 = Math.fround(offset);
  return Float32Array.from({ length: 256 }, (_, value) => Math.fround(Math.fround(value * scale32) + offset32));
}

// Alpha is dropped: the page captures opaque frames (photos are flattened on white first).
export function rgbaToModelInput(rgba, height, width, table) {
  const pixels = height * width;
  if (!(height > 0 && width > 0) || rgba?.length !== pixels * 4) {
    throw new Error(`the frame has ${rgba?.length ?? 'no'} bytes, expected ${height}x${width} RGBA pixels (${pixels * 4} bytes)`);
  }
  // One 32-bit read per pixel (R in the low byte: typed arrays are little-endian on every
  // browser platform) is 2.5x faster than four byte reads: 5 instead of 12 ms at 1024.
  const aligned = rgba.byteOffset % 4 === 0 ? rgba : rgba.slice();
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, pixels);
  const input = new Float32Array(pixels * 3);
  for (let pixel = 0, to = 0; pixel < pixels; pixel += 1, to += 3) {
    const word = words[pixel];
    input[to] = table[word & 0xff];
    input[to + 1] = table[(word >>> 8) & 0xff];
    input[to + 2] = table[(word >>> 16) & 0xff];
  }
  return input;
}
