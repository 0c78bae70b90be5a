// Stage: where the faces are. The detector looks at the whole frame (a second, wider view when
// the first finds none: faces that fill the frame), then once more, closer, at each face it keeps
// that is new or small, for keypoints as good as it gives; Python decodes, keeps the largest faces
// and tracks them, so a still head keeps a still crop. On video it runs only as often as keeps its
// share of the time small (faceparts/tracking.py), but on every frame while no face is tracked,
// and at once after a scene cut or a crop that lost its face (an export: on every frame); a photo
// is looked at once.
//   in: frame.picture (an export: frame.decoded), frame.source, context.settings.faces, .maxFaces, context.tracker
//   out: frame.faces (tracks: [{pose, face}], [] when none), frame.facesLeftOut, timings.detectMs

import { warpPixels } from '../canvas-warp.js';
import { modelView } from '../model-view.js';

async function look(frame, view, { python, runner }) {
  const pixels = modelView(frame, python, 'detector', view.matrix, view.size, view.size);
  return runner.detect(pixels, view.size, view.size);
}

// tracks: the faces followed so far ([] for a photo: every face is new).
async function findFaces(frame, context, tracks) {
  const { python, settings } = context;
  let found = [];
  let foundIn = null;
  for (const view of python.detectorViews(frame.height, frame.width)) {
    const { regressors, scores } = await look(frame, view, context);
    found = python.findFaces(regressors, scores, view.matrix);
    foundIn = view;
    if (found.length) break;
  }
  const { faces, leftOut } = python.largestFaces(found, settings.maxFaces);
  const closer = python.closerLooks(faces, tracks, foundIn.matrix);
  const refined = [];
  for (const [index, face] of faces.entries()) {
    const view = closer[index];
    if (!view) {
      refined.push(face);
      continue;
    }
    const { regressors, scores } = await look(frame, view, context);
    refined.push(python.refineFace(face, regressors, scores, view.matrix));
  }
  return { faces: refined, leftOut };
}

// Whether this video frame runs the detector: Python decides, from the time, the tracks, and
// whether the scene cut since the last frame (a thumbnail of each) or a crop lost its face.
function dueOnVideo(frame, { python, tracker }, now) {
  const [height, width] = python.thumbnailSize;
  const thumbnail = warpPixels(frame.picture, [width / frame.width, 0, 0, height / frame.height, 0, 0], height, width, 'thumbnail');
  const recheck = python.sceneCut(tracker.thumbnail, thumbnail) || tracker.recheck;
  tracker.thumbnail = thumbnail;
  tracker.recheck = false;
  return python.shouldDetect(now, tracker.lastDetectionAt, tracker.detectionMs, tracker.tracks.length > 0, recheck);
}

export const detect = {
  name: 'detect',
  usesModel: true,
  async run(frame, context) {
    const { python, settings, tracker } = context;
    if (settings.faces !== 'on') {
      frame.faces = [];
      frame.facesLeftOut = 0;
      return;
    }
    tracker.follow(frame.source, `${settings.maxFaces} ${frame.width}x${frame.height}`);
    const photo = frame.source.kind === 'photo';
    const started = performance.now();
    // An export's frames are all looked at, as the faceparts command looks at a video's.
    if (photo ? tracker.lastDetectionAt === null : frame.source.everyFrame || dueOnVideo(frame, context, started)) {
      const { faces, leftOut } = await findFaces(frame, context, photo ? [] : tracker.tracks);
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
