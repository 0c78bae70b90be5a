// Stage: Python turns the class ids into the coloured overlay and each class's share.
//   in: frame.labels, frame.height, frame.width  out: frame.overlay, frame.fractions

export const postprocess = {
  name: 'postprocess',
  run(frame, { python }) {
    const started = performance.now();
    const { overlay, fractions } = python.postprocess(frame.labels, frame.height, frame.width);
    frame.overlay = overlay;
    frame.fractions = fractions;
    frame.timings.postMs = performance.now() - started;
  },
};
