// A video frame's pixels, copied out as RGBA. Drawing a <video> or a VideoFrame (into a canvas, or
// as an ImageBitmap) makes Chromium keep that frame's RGB conversion in its discardable image
// cache, one entry per frame, until a browser-wide limit of about half a gigabyte: the tab grows
// for minutes on video although every frame is let go. VideoFrame.copyTo converts to RGBA without
// that cache. Where a browser cannot (no VideoFrame from a video element, no RGBA copies, a
// rotated or non-square-pixel frame), the callers draw the frame as before. An export also copies
// each frame's own planes (YUV, unconverted), which Python converts as the faceparts command does.

let copies = typeof VideoFrame === 'function';

// Whether a frame's pixels, as stored, are the picture shown: not rotated, mirrored or stretched.
function upright({ visibleRect, displayWidth, displayHeight, rotation, flip }) {
  return visibleRect?.width === displayWidth && visibleRect?.height === displayHeight && (rotation ?? 0) === 0 && !flip;
}

// frame: a VideoFrame, or a Mediabunny VideoSample (the same copyTo). -> ImageData, or null where
// this frame or browser cannot be copied so.
export async function rgbaOf(frame) {
  if (!copies || !upright(frame)) return null;
  const { displayWidth: width, displayHeight: height } = frame;
  const pixels = new Uint8ClampedArray(width * height * 4);
  let layout;
  try {
    layout = await frame.copyTo(pixels, { format: 'RGBA', colorSpace: 'srgb' });
  } catch (error) {
    // A browser without RGBA copies says so with a TypeError or NotSupportedError; anything else
    // (a closed frame) is this frame's.
    if (error instanceof TypeError || error?.name === 'NotSupportedError') copies = false;
    return null;
  }
  // A browser that ignores `format` copies the frame's own planes (YUV) without a word.
  if (layout?.length !== 1 || layout[0].offset !== 0 || layout[0].stride !== width * 4) {
    copies = false;
    return null;
  }
  return new ImageData(pixels, width, height);
}

// A decoded frame's own planes, copied out unconverted (YUV, as the decoder gave them), for
// Python to convert as the faceparts command does. frame: a VideoFrame or VideoSample; formats:
// the pixel formats wanted. -> {data: Uint8Array, layout: [{offset, stride}] per plane, format,
// height, width}, or null where the frame is in another format or is not upright.
export async function planesOf(frame, formats) {
  if (!formats.includes(frame.format) || !upright(frame)) return null;
  const data = new Uint8Array(frame.allocationSize());
  try {
    const layout = await frame.copyTo(data);
    return { data, layout, format: frame.format, height: frame.displayHeight, width: frame.displayWidth };
  } catch {
    return null;
  }
}

// The video element's current frame, held still: an ImageBitmap.
export async function stillOf(video) {
  if (copies && video instanceof HTMLVideoElement && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) {
    let frame = null;
    try {
      frame = new VideoFrame(video);
    } catch {
      copies = false;
    }
    if (frame) {
      try {
        const pixels = await rgbaOf(frame);
        if (pixels) return createImageBitmap(pixels);
      } finally {
        frame.close();
      }
    }
  }
  return createImageBitmap(video);
}
