// Stage: a tracked crop whose parse has none of the face's own parts lost its face (a cut, the
// head gone): the next frame of this source runs the detector, whenever the last detection was.
//   in: frame.faces, frame.lostFaces (postprocess), frame.source, context.tracker

export const recheck = {
  name: 'recheck',
  run(frame, { tracker }) {
    if (frame.faces.length && frame.lostFaces.some(Boolean)) tracker.recheckSoon(frame.source);
  },
};
