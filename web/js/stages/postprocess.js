// Stage: Python pastes each crop's class ids back into the frame over the whole frame's, adds the
// person's body, then colours them and counts each class's share, for the frame and for each face.
//   in: frame.crops, frame.person, frame.height, frame.width, context.settings.parts (the parts
//       the overlay shows)
//   out: frame.labels (Uint8Array [H*W], the frame's own size), frame.overlay, frame.fractions,
//        frame.faceAreas, frame.lostFaces

export const postprocess = {
  name: 'postprocess',
  run(frame, { python, settings }) {
    const started = performance.now();
    const result = python.postprocess(
      frame.crops.map((crop) => crop.labels), frame.crops.map((crop) => crop.plan), frame.height, frame.width, settings.parts,
      frame.person ?? null,
    );
    frame.labels = result.labels;
    frame.overlay = result.overlay;
    frame.fractions = result.fractions;
    frame.faceAreas = result.faceAreas;
    frame.lostFaces = result.lostFaces;
    frame.crops = null;
    frame.timings.postMs = performance.now() - started;
  },
};
