// Export video: every frame of a video file through the frame path, none dropped and the detector
// on each (as the faceparts command does), written as a video of what the view shows (effect and
// overlay) at the source's size and frame rate, its sound kept where the browser can, and the
// labels of every frame as a zip of palette PNGs (000000.png, ...: the class ids, lossless).
// Mediabunny demuxes, decodes, encodes and muxes with WebCodecs; fflate writes the zip. Each
// frame's decoded planes go to Python, which converts and resamples them for the models as the
// faceparts command does (model-view.js): the labels are the command's, not the browser's
// rounding of them.

import {
  ALL_FORMATS, BlobSource, BufferTarget, Conversion, ConversionCanceledError, Input, Mp4OutputFormat, Output, WebMOutputFormat,
  canEncodeVideo,
} from '/vendor/mediabunny/mediabunny.min.mjs';
import { Zip, ZipPassThrough } from '/vendor/fflate/fflate.mjs';
import { planesOf, rgbaOf } from './video-pixels.js';

// The written video: H.264 in MP4 where the browser can encode it, else VP9 or VP8 in WebM.
const OUTPUTS = [
  { codec: 'avc', suffix: 'mp4', mime: 'video/mp4', format: () => new Mp4OutputFormat() },
  { codec: 'vp9', suffix: 'webm', mime: 'video/webm', format: () => new WebMOutputFormat() },
  { codec: 'vp8', suffix: 'webm', mime: 'video/webm', format: () => new WebMOutputFormat() },
];

const HOW_ELSE = 'The faceparts command parses videos too (faceparts parse VIDEO).';

export class VideoExport {
  // file: the video (a File); parseFrame(source) -> Promise of the parsed frame, drawn in the view;
  // view() -> a canvas of what the view shows; python: the page's (python.js);
  // onProgress({frames, fraction, secondsLeft}).
  constructor({ file, parseFrame, view, python, onProgress }) {
    Object.assign(this, { file, parseFrame, view, python, onProgress });
    this.conversion = null;
    this.cancelled = false;
  }

  cancel() {
    this.cancelled = true;
    this.conversion?.cancel();
  }

  // -> {video: {blob, suffix, mime}, labels: Blob, frames, notes: [what the user should know]};
  // throws an Error that says what to do (a cancelled export: `cancelled` is true on it).
  async run() {
    if (typeof VideoDecoder === 'undefined' || typeof VideoEncoder === 'undefined') {
      throw new Error(`This browser has no WebCodecs (VideoDecoder, VideoEncoder), which exporting a video needs. ${HOW_ELSE}`);
    }
    const input = new Input({ source: new BlobSource(this.file), formats: ALL_FORMATS });
    const track = await input.getPrimaryVideoTrack().catch(() => null);
    if (!track) throw new Error(`"${this.file.name}" holds no video track this browser can read. ${HOW_ELSE}`);
    if (!(await track.canDecode())) {
      throw new Error(`This browser cannot decode the video of "${this.file.name}" (${track.codec ?? 'unknown codec'}). ${HOW_ELSE}`);
    }
    const { displayWidth: width, displayHeight: height } = track;
    const chosen = await chooseOutput(width, height);
    if (!chosen) throw new Error(`This browser can encode none of H.264, VP9 or VP8 at ${width}×${height}. ${HOW_ELSE}`);

    const output = new Output({ format: chosen.format(), target: new BufferTarget() });
    const source = { kind: 'video', moving: true, everyFrame: true, name: this.file.name, element: frameCanvas(width, height), width, height };
    const labels = new LabelZip();
    // What the stream declares of its colours (the decoder's frames say what the browser assumes).
    const colours = await track.getColorSpace();
    let frames = 0;
    let browserPixels = null;
    const started = performance.now();
    this.conversion = await Conversion.init({
      input,
      output,
      video: {
        codec: chosen.codec,
        forceTranscode: true,
        process: async (sample) => {
          if (this.cancelled) return null;
          await drawSample(sample, source.element.getContext('2d'), width, height);
          source.decoded = await decodedPixels(sample, this.python, colours, width, height);
          if (!source.decoded) browserPixels ??= sample.format ?? 'unknown';
          let frame;
          try {
            frame = await this.parseFrame(source);
          } finally {
            source.decoded?.destroy();
            source.decoded = null;
          }
          labels.add(this.python.exportParse('label-png', frame.labels, frame.height, frame.width, '{}'));
          frames += 1;
          return this.view();
        },
        processedWidth: width,
        processedHeight: height,
      },
      showWarnings: false,
    });
    if (!this.conversion.isValid) {
      const reasons = this.conversion.discardedTracks.map((discarded) => discarded.reason).join(', ');
      throw new Error(`"${this.file.name}" cannot be converted here (${reasons}). ${HOW_ELSE}`);
    }
    const notes = this.conversion.discardedTracks
      .filter((discarded) => discarded.track.type === 'audio')
      .map((discarded) => `Its sound could not be kept (${discarded.reason.replaceAll('_', ' ')}).`);
    this.conversion.onProgress = (fraction) => {
      const seconds = (performance.now() - started) / 1000;
      this.onProgress({ frames, fraction, secondsLeft: fraction > 0 ? (seconds / fraction) * (1 - fraction) : null });
    };
    try {
      if (this.cancelled) throw new ConversionCanceledError();
      await this.conversion.execute();
    } catch (error) {
      if (error instanceof ConversionCanceledError || this.cancelled) throw Object.assign(new Error('Export cancelled: nothing was saved.'), { cancelled: true });
      throw error;
    } finally {
      input.dispose?.();
    }
    if (browserPixels) {
      notes.push(`Its frames (pixel format ${browserPixels}) were converted by the browser, not as the faceparts command converts them: their labels may differ from the command's at a few edge pixels.`);
    }
    return {
      video: { blob: new Blob([output.target.buffer], { type: chosen.mime }), suffix: chosen.suffix, mime: chosen.mime },
      labels: labels.finish(),
      frames,
      notes,
    };
  }
}

async function chooseOutput(width, height) {
  for (const candidate of OUTPUTS) {
    if (await canEncodeVideo(candidate.codec, { width, height }).catch(() => false)) return candidate;
  }
  return null;
}

// The decoded frame's pixels in Python (python.js framePixels: a handle to destroy), converted as
// the faceparts command converts them; null where its format or this browser does not allow.
async function decodedPixels(sample, python, colours, width, height) {
  const planes = await planesOf(sample, python.yuvFormats);
  if (planes?.width !== width || planes.height !== height) return null;
  try {
    return python.framePixels(planes.data, planes.layout, planes.format, height, width, colours.matrix ?? null, Boolean(colours.fullRange));
  } catch (error) {
    console.warn('Python could not convert this frame; the browser converts it instead.', error);
    return null;
  }
}

// The decoded frame into the frame path's canvas: its pixels copied (video-pixels.js: a drawn
// frame stays in the browser's image cache), or drawn where they cannot be.
async function drawSample(sample, context, width, height) {
  const pixels = await rgbaOf(sample);
  if (pixels?.width === width && pixels.height === height) {
    context.putImageData(pixels, 0, 0);
    return;
  }
  context.clearRect(0, 0, width, height);
  sample.draw(context, 0, 0, width, height);
}

function frameCanvas(width, height) {
  const canvas = document.createElement('canvas');
  Object.assign(canvas, { width, height });
  return canvas;
}

// Each frame's label PNG, stored (PNGs are compressed already), in frame order.
class LabelZip {
  constructor() {
    this.chunks = [];
    this.count = 0;
    this.zip = new Zip((error, chunk) => {
      if (error) throw error;
      this.chunks.push(chunk);
    });
  }

  add(png) {
    const entry = new ZipPassThrough(`${String(this.count).padStart(6, '0')}.png`);
    this.zip.add(entry);
    entry.push(png, true);
    this.count += 1;
  }

  finish() {
    this.zip.end();
    return new Blob(this.chunks, { type: 'application/zip' });
  }
}
