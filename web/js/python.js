// The page <-> Python boundary, the one place it is written down. web/python/main.py (the
// PyScript glue around the faceparts package) puts exactly these names on window.facepartsPython
// and then fires 'faceparts:python-ready' (tests/unit/test_python_boundary.py checks the names):
//
// Matrices are [a, b, c, d, e, f] as canvas' setTransform takes them (geometry.to_js), frame ->
// picture. A face is {box: [x0, y0, x1, y1], score, keypoints: [[x, y] x 6]} in frame pixels; a
// track is {pose: [cx, cy, side, angle], face} (faces.py, tracking.py).
//
//   detectorViews(frameHeight, frameWidth) -> [{matrix, size}]
//       The face detector's views of the frame, to try in order until one finds a face.
//   findFaces(regressors: Float32Array, scores: Float32Array, viewMatrix) -> [face]
//       The detector's output for one view, decoded and de-duplicated.
//   largestFaces(faces, limit) -> {faces, leftOut}
//   closerLooks(faces, tracks, viewMatrix) -> [{matrix, size} | null] per face: a second, closer
//       look for each face that needs one (new, or small in the view that found it: viewMatrix).
//   refineFace(face, regressors, scores, viewMatrix) -> face: that look's face.
//   trackFaces(tracks, faces) -> tracks: the crops follow the faces, still while they are.
//   shouldDetect(nowMs, lastDetectionMs | null, detectionMs, tracked, recheck) -> bool: whether
//       this video frame runs the detector (tracked: any face is; recheck: the scene cut or a
//       crop lost its face since the last detection).
//   sceneCut(previous: Uint8ClampedArray | null, thumbnail: Uint8ClampedArray) -> bool: whether
//       the scene cut between two frames, each drawn as RGBA at thumbnailSize.
//   thumbnailSize: [height, width]
//   planCrops(tracks, frameHeight, frameWidth, size, video) -> [{matrix, height, width, whole}]
//       What the model parses: a size x size crop per face, then the whole frame at the model's
//       input shape (whole: true; at `size`, or on video under faces at the manifest's context
//       video_size; alone, at `size`, without a face).
//   personView(frameHeight, frameWidth) -> {matrix, height, width}: the person mask's input.
//   framePixels(data: Uint8Array, layout: [{offset, stride}], format, height, width, matrix, fullRange)
//       -> a Python handle (a PyProxy: destroy() it) to the frame as RGB, converted from the YUV
//       planes a decoded frame was copied out as (VideoFrame.copyTo without a format: `layout` is
//       what it returned; `format` one of yuvFormats) with the colour matrix its stream declares
//       (a VideoColorSpace matrix name, or null) as the faceparts command converts its frames
//       (faceparts/yuv.py).
//   modelView(rgb: framePixels' handle, kind, matrix, height, width) -> Uint8ClampedArray RGBA
//       [h,w,4]: what a model sees of that frame, resampled as the faceparts command resamples it
//       (faceparts/sampling.py; kind: 'detector', 'crop', 'context' or 'person').
//   yuvFormats: [format]: the VideoFrame formats framePixels takes.
//   steadyLabels(labels: Uint8Array [h*w], plan, state | null) -> {labels, state}: one crop's
//       labels steadied on video (faceparts/steady.py); state: what the last call returned for
//       the same crop, {shown, raw: Uint8Array [h*w], matrix}, or null to start.
//   steadyPerson(mask: Uint8Array [h*w] probabilities 0-255, view, state | null) -> {mask, state}:
//       the person mask steadied on video the same way (faceparts/person.py steady_mask): mask
//       0 or 255 per pixel; state as steadyLabels'.
//   postprocess(labels: [Uint8Array [h*w]] per plan, plans, frameHeight, frameWidth, parts,
//               personMask: {mask: Uint8Array [h*w] probabilities 0-255, view} | null)
//       The crops over the whole frame, and the person's body (compose.py).
//       -> {labels: Uint8Array [H*W] at the frame's size, overlay: Uint8ClampedArray RGBA
//           [H,W,4] in the class colours, background and the parts not in `parts` (class
//           names) transparent; fractions: number[] per class in manifest order; faceAreas: per
//           face's crop {class: {pixels, fraction}}; lostFaces: per face's crop, whether its
//           parse has none of the face's own parts (a tracked crop that lost its face)}
//   overlay(labels: Uint8Array [H*W], height, width, parts) -> Uint8ClampedArray RGBA [H,W,4]:
//       the overlay again, for other parts, without parsing again.
//   exportParse(kind, labels: Uint8Array [H*W], height, width, extraJson: string) -> Uint8Array
//       The bytes of one export file; `kind` is a key of exportKinds. extraJson's `parts` (class
//       names) are the ones the colour PNG shows.
//   exportKinds: {kind: {suffix, mime}}
//       Every export the page offers (export.EXPORTS): a button with data-export="kind" each.
//   versions: {numpy, pillow}
//
// Big arrays cross as typed arrays (one copy each way); everything else is small.

export const PYTHON_API = Object.freeze([
  'detectorViews', 'findFaces', 'largestFaces', 'closerLooks', 'refineFace', 'trackFaces', 'shouldDetect', 'sceneCut', 'thumbnailSize',
  'planCrops', 'personView', 'framePixels', 'modelView', 'yuvFormats', 'steadyLabels', 'steadyPerson', 'postprocess', 'overlay',
  'exportParse', 'exportKinds', 'versions',
]);

const PYTHON_TIMEOUT_MS = 180_000;

export function whenPythonReady() {
  if (window.facepartsPython) return Promise.resolve(checked(window.facepartsPython));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('Python (Pyodide) did not start within 3 minutes. Check the browser console, then reload the page.')),
      PYTHON_TIMEOUT_MS,
    );
    window.addEventListener('faceparts:python-ready', () => {
      clearTimeout(timer);
      try {
        resolve(checked(window.facepartsPython));
      } catch (error) {
        reject(error);
      }
    }, { once: true });
    // PyScript shows a failing script (e.g. a wheel that did not load) as a .py-error element.
    new MutationObserver((records, observer) => {
      const shown = [...document.querySelectorAll('.py-error')];
      if (!shown.length) return;
      observer.disconnect();
      clearTimeout(timer);
      // PyScript splits one failure over several elements; the last line of each says the most.
      const what = shown.map((element) => element.textContent.trim().split('\n').pop()).join(' ');
      reject(new Error(`Python failed to start (${what}). Run scripts/setup on the server, then reload the page.`));
    }).observe(document.body, { childList: true, subtree: true });
  });
}

// A page and a main.py from different versions (a stale cache) would fail later, obscurely.
function checked(api) {
  const missing = PYTHON_API.filter((name) => !(name in api));
  if (missing.length) throw new Error(`Python lacks ${missing.join(', ')}: the page and its Python are from different versions. Reload the page.`);
  return api;
}
