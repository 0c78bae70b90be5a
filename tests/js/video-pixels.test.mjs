// A video frame's pixels copied out as RGBA, and the fallback to drawing where a browser cannot:
// frames stand in for WebCodecs' VideoFrame (node has none).
import assert from 'node:assert/strict';
import { test } from 'node:test';

globalThis.VideoFrame ??= class {};
globalThis.ImageData ??= class {
  constructor(data, width, height) {
    Object.assign(this, { data, width, height });
  }
};

let imports = 0;
// Each test gets the module fresh: what a browser cannot do is remembered per page.
const fresh = () => import(`../../web/js/video-pixels.js?${(imports += 1)}`);

// A 2x1 frame; copyTo(pixels, options) does what `copy` says and returns its plane layout.
function fakeFrame(copy, extra = {}) {
  return {
    displayWidth: 2, displayHeight: 1, visibleRect: { x: 0, y: 0, width: 2, height: 1 }, rotation: 0, flip: false,
    copies: 0,
    async copyTo(pixels, options) {
      this.copies += 1;
      return copy(pixels, options);
    },
    ...extra,
  };
}
const asRgba = (pixels, options) => {
  assert.equal(options.format, 'RGBA');
  pixels.set([1, 2, 3, 255, 4, 5, 6, 255]);
  return [{ offset: 0, stride: 8 }];
};
// What a browser that ignores `format` does: the frame's own I420 planes.
const asI420 = (pixels) => {
  pixels.set([9, 9, 7, 8]);
  return [{ offset: 0, stride: 2 }, { offset: 2, stride: 1 }, { offset: 3, stride: 1 }];
};

test('a frame is copied as RGBA, at its size', async () => {
  const { rgbaOf } = await fresh();
  const pixels = await rgbaOf(fakeFrame(asRgba));
  assert.deepEqual([pixels.width, pixels.height], [2, 1]);
  assert.deepEqual([...pixels.data], [1, 2, 3, 255, 4, 5, 6, 255]);
});

test('a browser that copies YUV planes instead is drawn from then on, never read as RGBA', async () => {
  const { rgbaOf } = await fresh();
  assert.equal(await rgbaOf(fakeFrame(asI420)), null);
  const later = fakeFrame(asRgba);
  assert.equal(await rgbaOf(later), null);
  assert.equal(later.copies, 0, 'not tried again');
});

test('a browser without RGBA copies (TypeError) is drawn from then on', async () => {
  const { rgbaOf } = await fresh();
  assert.equal(await rgbaOf(fakeFrame(() => { throw new TypeError('format'); })), null);
  const later = fakeFrame(asRgba);
  assert.equal(await rgbaOf(later), null);
  assert.equal(later.copies, 0);
});

test('a rotated, mirrored or non-square-pixel frame is drawn, and the next plain frame copied', async () => {
  const { rgbaOf } = await fresh();
  for (const extra of [{ rotation: 90 }, { flip: true }, { displayWidth: 3 }]) {
    const frame = fakeFrame(asRgba, extra);
    assert.equal(await rgbaOf(frame), null, JSON.stringify(extra));
    assert.equal(frame.copies, 0);
  }
  assert.notEqual(await rgbaOf(fakeFrame(asRgba)), null);
});

test("one frame's failure (closed) leaves copies on for the next", async () => {
  const { rgbaOf } = await fresh();
  const closed = () => { throw Object.assign(new Error('closed'), { name: 'InvalidStateError' }); };
  assert.equal(await rgbaOf(fakeFrame(closed)), null);
  assert.notEqual(await rgbaOf(fakeFrame(asRgba)), null);
});

// A decoded frame's own planes, for Python to convert as the faceparts command does.
const i420Frame = (extra = {}) => fakeFrame(asI420, { format: 'I420', allocationSize: () => 4, ...extra });

test("a decoded frame's planes are copied out unconverted, with their layout", async () => {
  const { planesOf } = await fresh();
  const frame = i420Frame();
  const planes = await planesOf(frame, ['I420', 'NV12']);
  assert.deepEqual([...planes.data], [9, 9, 7, 8]);
  assert.deepEqual(planes.layout, [{ offset: 0, stride: 2 }, { offset: 2, stride: 1 }, { offset: 3, stride: 1 }]);
  assert.deepEqual([planes.format, planes.height, planes.width], ['I420', 1, 2]);
});

test('planes in a format not asked for, of a turned frame, or that fail to copy are not given', async () => {
  const { planesOf } = await fresh();
  for (const extra of [{ format: 'I444' }, { format: null }, { rotation: 180 }, { displayHeight: 2 }]) {
    const frame = i420Frame(extra);
    assert.equal(await planesOf(frame, ['I420']), null, JSON.stringify(extra));
    assert.equal(frame.copies, 0);
  }
  const closed = fakeFrame(() => { throw new Error('closed'); }, { format: 'I420', allocationSize: () => 4 });
  assert.equal(await planesOf(closed, ['I420']), null);
  assert.notEqual(await planesOf(i420Frame(), ['I420']), null);
});
