// The message protocol between the page and the inference worker: the one place it is defined.
//
// Every message is a plain object `{type, ...}`. Big arrays travel as
// ArrayBuffers in the postMessage transfer list, never structured-cloned.
//
// page -> worker
//   {type: 'init', engine, precision, backend, manifest, assets, assetsUrl, warmup: {height, width}}
//       engine: 'auto' | 'tfjs' | 'ort'; precision: 'int8' | 'fp32' (what is asked for: int8 runs
//       only on ORT's WASM, engine-choice.js); backend: 'auto' | 'webgpu' | 'webgl' | 'wasm'; manifest:
//       models/manifest.json as an object (small); assets: vendor/assets.json ({path: {sha256,
//       bytes}}), against which the runtime's wasm is checked; assetsUrl: the app's origin, under
//       which vendor/ and models/ lie. (Re)creates the engine (the parser and the face detector);
//       any previous engine is disposed first. Answered by 'ready' or 'error'.
//   {type: 'infer', id, pixels, height, width}
//       pixels: ArrayBuffer of the captured frame, uint8 RGBA [height,width,4], at the model's
//       input size, transferred; the worker normalises it (model-input.js). Answered by 'result'
//       or 'error' with the same id. The page sends one at a time (its busy flag drops
//       frames meanwhile), so the worker never queues frames.
//   {type: 'detect', id, pixels, height, width}
//       pixels: ArrayBuffer, uint8 RGBA [height,width,4] at the face detector's input size (a view
//       of the frame the page drew), transferred. Answered by 'detection' or 'error' with the id.
//   {type: 'segment', id, pixels, height, width}
//       pixels: ArrayBuffer, uint8 RGBA [height,width,4] at the person mask's input size (the frame
//       stretched to it), transferred. Answered by 'segmentation' or 'error' with the id.
//   {type: 'probe'}
//       Asks which backends work inside the worker. Answered by 'capabilities'.
//   {type: 'dispose'}
//       Frees the model and tensors; the worker can then be terminated.
//
// worker -> page
//   {type: 'capabilities', capabilities}
//       capabilities: {webgpu, webgl, wasm}, each {available, software, renderer | reason, ...}.
//   {type: 'progress', stage, loaded, total}
//       stage: 'runtime' (the wasm binary) | 'model' | 'detector' | 'person'; loaded/total in bytes (total 0
//       when unknown).
//   {type: 'ready', engine, backend, precision, detail, fallbacks, notes, loadMs, warmupMs}
//       engine, backend, precision: what really runs ('tfjs' | 'ort', the backend, 'int8' |
//       'fp32'); detail: e.g. 'ONNX Runtime Web WASM, int8, SIMD, 2 threads'; fallbacks:
//       [{backend, reason}] for every backend tried or skipped before it; notes: [text], how the
//       engine and precision were chosen where that is not what was asked (engine-choice.js).
//   {type: 'result', id, labels, height, width, precision, normalizeMs, inferenceMs, numTensors}
//       labels: ArrayBuffer of uint8 [height,width] class ids, transferred. precision: what ran
//       for this input ('int8' | 'fp32': int8 covers inputs up to its largest checked size).
//       normalizeMs: pixels to model input; inferenceMs: the model, labels read back included.
//       numTensors: live tfjs tensors after the frame (stays flat unless something leaks);
//       null for ONNX Runtime.
//   {type: 'detection', id, regressors, scores, normalizeMs, detectMs}
//       regressors: ArrayBuffer of float32 [anchors, 16] (box and keypoint offsets in input
//       pixels); scores: ArrayBuffer of float32 [anchors] (logits); both transferred. Decoded by
//       Python (faceparts/faces.py). detectMs: the detector, outputs read back included.
//   {type: 'segmentation', id, mask, height, width, normalizeMs, segmentMs}
//       mask: ArrayBuffer of uint8 [height,width], the probability that each pixel is a person
//       (0-255), transferred. segmentMs: the person mask's model, read back included.
//   {type: 'error', id, stage, message, lost}
//       stage: 'init' | 'infer' | 'detect' | 'segment'; id is set for the last three. lost: the engine's GPU context
//       or device is gone, so this backend cannot run again in this worker.

export const MessageType = Object.freeze({
  INIT: 'init',
  INFER: 'infer',
  DETECT: 'detect',
  SEGMENT: 'segment',
  PROBE: 'probe',
  DISPOSE: 'dispose',
  CAPABILITIES: 'capabilities',
  PROGRESS: 'progress',
  READY: 'ready',
  RESULT: 'result',
  DETECTION: 'detection',
  SEGMENTATION: 'segmentation',
  ERROR: 'error',
});
