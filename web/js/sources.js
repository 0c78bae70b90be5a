// Where frames come from: the webcam or a video file (a <video>), or a photo (decoded into a
// canvas). A source that keeps giving frames is `moving`: it is tracked and steadied as video.

const MAX_PHOTO_BYTES = 50e6;
// Larger photos are scaled down on decode: the model never sees more than 1024 px anyway.
const MAX_PHOTO_SIDE = 4096;

export class CameraSource {
  constructor(video) {
    this.kind = 'camera';
    this.moving = true;
    this.element = video;
    this.stream = null;
  }

  get width() { return this.element.videoWidth; }
  get height() { return this.element.videoHeight; }

  async start(deviceId, onEnded) {
    this.stop();
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error('This browser gives pages no camera access (it needs https or localhost). Open the app via http://localhost or use a photo.');
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        video: deviceId ? { deviceId: { exact: deviceId } } : { width: { ideal: 640 }, height: { ideal: 480 } },
        audio: false,
      });
    } catch (error) {
      throw new Error(cameraErrorMessage(error));
    }
    const [track] = this.stream.getVideoTracks();
    track.addEventListener('ended', () => onEnded?.(), { once: true });
    this.element.srcObject = this.stream;
    await this.element.play();
    return track.getSettings().deviceId;
  }

  stop() {
    this.stream?.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.element.srcObject = null;
  }

  onFrames(onFrame) {
    return onVideoFrames(this.element, () => Boolean(this.stream), onFrame);
  }
}

// Calls onFrame once per new frame of a <video> while isPlaying() holds, until the returned
// cancel(); a frame already asked for then is not handed on. Without requestVideoFrameCallback,
// once per animation frame in which the video's time moved.
function onVideoFrames(video, isPlaying, onFrame) {
  let active = true;
  let lastTime = -1;
  const frame = () => {
    if (!active || !isPlaying()) return;
    if (video.requestVideoFrameCallback || video.currentTime !== lastTime) onFrame();
    lastTime = video.currentTime;
    next();
  };
  const next = () => {
    if (!active || !isPlaying()) return;
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(frame);
    else requestAnimationFrame(frame);
  };
  next();
  return () => { active = false; };
}

// A video file played in the <video>: its frames run through the frame path as the camera's do,
// while it plays, and once more wherever it is paused or moved to.
export class VideoFileSource {
  constructor(video, file, name = file.name ?? 'video') {
    this.kind = 'video';
    this.moving = true;
    this.element = video;
    this.file = file;
    this.name = name;
    this.url = null;
  }

  get width() { return this.element.videoWidth; }
  get height() { return this.element.videoHeight; }

  // Loads and plays the file, or throws an Error that says what to do.
  async start() {
    const video = this.element;
    this.url = URL.createObjectURL(this.file);
    video.srcObject = null;
    video.muted = true;
    video.loop = false;
    const loaded = new Promise((resolve, reject) => {
      video.addEventListener('loadeddata', resolve, { once: true });
      video.addEventListener('error', () => reject(new Error(videoErrorMessage(video.error, this.name))), { once: true });
    });
    video.src = this.url;
    try {
      await loaded;
    } catch (error) {
      this.stop();
      throw error;
    }
    if (!video.videoWidth || !video.videoHeight) {
      this.stop();
      throw new Error(`"${this.name}" holds no picture (sound only?). Choose a video with a picture, or a photo.`);
    }
    await video.play();
  }

  stop() {
    const video = this.element;
    video.pause();
    video.removeAttribute('src');
    video.load();
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
  }

  onFrames(onFrame) {
    return onVideoFrames(this.element, () => Boolean(this.url), onFrame);
  }
}

const VIDEO_SUFFIXES = /\.(mp4|m4v|mov|webm|mkv|ogv|avi|mpe?g|ts|3gp)$/i;

export function isVideoFile(file) {
  return Boolean(file.type?.startsWith('video/')) || VIDEO_SUFFIXES.test(file.name ?? '');
}

function videoErrorMessage(error, name) {
  const convert = 'Convert it to MP4 (H.264) or WebM (VP9), e.g. ffmpeg -i IN -c:v libx264 -pix_fmt yuv420p OUT.mp4, or parse it with the faceparts command';
  switch (error?.code) {
    case 4: // MEDIA_ERR_SRC_NOT_SUPPORTED
      return `"${name}" cannot be played by this browser: its format or codec is not supported here. ${convert}.`;
    case 3: // MEDIA_ERR_DECODE
      return `"${name}" could not be decoded: the file is damaged or truncated, or its codec is not supported here. ${convert}.`;
    default:
      return `"${name}" could not be opened (${error?.message || 'unknown error'}). Choose another video, or a photo.`;
  }
}

export async function listCameras() {
  const devices = await navigator.mediaDevices?.enumerateDevices?.() ?? [];
  return devices.filter((device) => device.kind === 'videoinput');
}

function cameraErrorMessage(error) {
  switch (error.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera permission was denied. Allow the camera for this site in the address bar, then press Start again — or use a photo.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found. Plug one in and press Start again — or use a photo.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The camera is busy in another application. Close it there and press Start again.';
    default:
      return `The camera could not start (${error.name}: ${error.message}). Try another camera or a photo.`;
  }
}

export class PhotoSource {
  constructor(canvas, bitmap, name, notes = []) {
    this.kind = 'photo';
    this.moving = false;
    this.element = canvas;
    this.name = name;
    this.notes = notes;
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const context = canvas.getContext('2d');
    // Transparent pixels would read back as black; the model was trained on opaque photos,
    // and a cut-out on white is what the user sees too.
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0);
    bitmap.close();
  }

  get width() { return this.element.width; }
  get height() { return this.element.height; }
}

// The first bytes of the formats browsers decode, to tell a damaged photo from a non-image.
const SIGNATURES = [
  ['JPEG', [0xff, 0xd8, 0xff]],
  ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['GIF', [0x47, 0x49, 0x46, 0x38]],
  ['WebP', [0x52, 0x49, 0x46, 0x46, null, null, null, null, 0x57, 0x45, 0x42, 0x50]],
  ['BMP', [0x42, 0x4d]],
  ['AVIF', [null, null, null, null, 0x66, 0x74, 0x79, 0x70]],
];

export async function sniffImageFormat(blob) {
  const head = new Uint8Array(await blob.slice(0, 12).arrayBuffer());
  const match = SIGNATURES.find(([, bytes]) => bytes.every((byte, i) => byte === null || head[i] === byte));
  return match?.[0] ?? null;
}

async function countFrames(blob) {
  if (typeof ImageDecoder === 'undefined') return 1;
  const decoder = new ImageDecoder({ data: await blob.arrayBuffer(), type: 'image/gif' });
  try {
    await decoder.tracks.ready;
    return decoder.tracks.selectedTrack?.frameCount ?? 1;
  } finally {
    decoder.close();
  }
}

// Decodes a File/Blob into a PhotoSource, or throws an Error that says what to do.
// The source's `notes` say what was adapted (scaled down, first frame of an animation).
export async function decodePhoto(blob, canvas, name = blob.name ?? 'photo') {
  const { bitmap, notes } = await decodeImage(blob, name);
  return new PhotoSource(canvas, bitmap, name, notes);
}

// A File/Blob -> {bitmap, notes}, or an Error that says what to do.
export async function decodeImage(blob, name = blob.name ?? 'photo') {
  if (blob.size === 0) throw new Error(`"${name}" is empty (0 bytes). Choose another photo.`);
  if (blob.size > MAX_PHOTO_BYTES) {
    throw new Error(`"${name}" is ${(blob.size / 1e6).toFixed(0)} MB; photos up to ${MAX_PHOTO_BYTES / 1e6} MB are accepted. Choose a smaller one.`);
  }
  const format = await sniffImageFormat(blob);
  if (!format) {
    throw new Error(`"${name}" is not an image. Choose a JPEG, PNG, WebP or GIF photo, or a video (MP4, WebM).`);
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    throw new Error(`"${name}" looks like a ${format} but could not be decoded: the file is truncated or damaged. Choose another photo, or save this one again.`);
  }
  const notes = [];
  if (format === 'GIF' && (await countFrames(blob).catch(() => 1)) > 1) {
    notes.push(`"${name}" is animated: its first frame is parsed.`);
  }
  const scale = Math.min(1, MAX_PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
  if (scale < 1) {
    const resized = await createImageBitmap(bitmap, {
      resizeWidth: Math.round(bitmap.width * scale), resizeHeight: Math.round(bitmap.height * scale), resizeQuality: 'high',
    });
    notes.push(`"${name}" is ${bitmap.width}×${bitmap.height} pixels: scaled down to ${resized.width}×${resized.height} (the model sees at most 1024).`);
    bitmap.close();
    bitmap = resized;
  }
  return { bitmap, notes };
}
