// Stage: where the faces are. The detector looks at the whole frame (a second, wider view when
// the first finds none: faces that fill the frame), then once more at each face it keeps, for
// keypoints as good as it gives; Python decodes, keeps the largest faces and tracks them, so a
// still head keeps a still crop. On video it runs only as often as keeps its share of the time
// small (faceparts/tracking.py); a photo is looked at once.
//   in: frame.picture, frame.source, context.settings.faces, .maxFaces
//   out: frame.faces (tracks: [{pose, face}], [] when none), frame.facesLeftOut, timings.detectMs

import { warpPixels } from '../canvas-warp.js';

// The tracks of the current source, kept between its frames.
let tracker = { key: null, tracks: [], leftOut: 0, lastDetectionAt: null, detectionMs: 0 };

async function look(frame, view, { python, runner }) {
  const pixels = warpPixels(frame.picture, view.matrix, view.size, view.size, 'detector');
  return runner.detect(pixels, view.size, view.size);
}

async function findFaces(frame, context) {
  const { python, settings } = context;
  let found = [];
  for (const view of python.detectorViews(frame.height, frame.width)) {
    const { regressors, scores } = await look(frame, view, context);
    found = python.findFaces(regressors, scores, view.matrix);
    if (found.length) break;
  }
  const { faces, leftOut } = python.largestFaces(found, settings.maxFaces);
  const refined = [];
  for (const face of faces) {
    const view = python.refineView(face);
    const { regressors, scores } = await look(frame, view, context);
    refined.push(python.refineFace(face, regressors, scores, view.matrix));
  }
  return { faces: refined, leftOut };
}

export const detect = {
  name: 'detect',
  usesModel: true,
  async run(frame, context) {
    const { python, settings } = context;
    if (settings.faces !== 'on') {
      frame.faces = [];
      frame.facesLeftOut = 0;
      return;
    }
    const key = `${settings.maxFaces} ${frame.width}x${frame.height}`;
    if (tracker.source !== frame.source || tracker.key !== key) {
      tracker = { source: frame.source, key, tracks: [], leftOut: 0, lastDetectionAt: null, detectionMs: 0 };
    }
    const photo = frame.source.kind === 'photo';
    const started = performance.now();
    if (photo ? tracker.lastDetectionAt === null : python.shouldDetect(started, tracker.lastDetectionAt, tracker.detectionMs)) {
      const { faces, leftOut } = await findFaces(frame, context);
      tracker.tracks = python.trackFaces(photo ? [] : tracker.tracks, faces);
      tracker.leftOut = leftOut;
      tracker.lastDetectionAt = started;
      tracker.detectionMs = performance.now() - started;
      frame.timings.detectMs = tracker.detectionMs;
    }
    frame.faces = tracker.tracks;
    frame.facesLeftOut = tracker.leftOut;
  },
};
