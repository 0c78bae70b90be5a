// A video frame's pixels, copied out as RGBA. Drawing a <video> or a VideoFrame (into a canvas, or
// as an ImageBitmap) makes Chromium keep that frame's RGB conversion in its discardable image
// cache, one entry per frame, until a browser-wide limit of about half a gigabyte: the tab grows
// for minutes on video although every frame is let go. VideoFrame.copyTo converts to RGBA without
// that cache. Where a browser cannot (no VideoFrame from a video element, no RGBA copies, a
// rotated or non-square-pixel frame), the callers draw the frame as before.

let copies = typeof VideoFrame === 'function';

// frame: a VideoFrame, or a Mediabunny VideoSample (the same copyTo). -> ImageData, or null where
// this frame or browser cannot be copied so.
export async function rgbaOf(frame) {
  if (!copies) return null;
  const { visibleRect, displayWidth: width, displayHeight: height } = frame;
  if (visibleRect?.width !== width || visibleRect?.height !== height || (frame.rotation ?? 0) !== 0 || frame.flip) return null;
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
