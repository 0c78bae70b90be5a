// The page <-> Python boundary, the one place it is written down. web/python/main.py (the
// PyScript glue around the faceparts package) puts exactly these names on window.facepartsPython
// and then fires 'faceparts:python-ready' (tests/unit/test_python_boundary.py checks the names):
//
//   inputShape(frameHeight, frameWidth, size) -> [height, width]
//       The model input for a frame: the longer side becomes `size`, the shorter keeps the
//       aspect ratio, rounded to the model's multiple (pipeline.input_shape).
//   postprocess(labels: Uint8Array [H*W] class ids, height, width)
//       -> {overlay: Uint8ClampedArray RGBA [H,W,4] in the class colours, background
//           transparent; fractions: number[] per class, in manifest order}
//   exportParse(kind, labels: Uint8Array [H*W], height, width, extraJson: string) -> Uint8Array
//       The bytes of one export file; `kind` is a key of exportKinds.
//   exportKinds: {kind: {suffix, mime}}
//       Every export the page offers (export.EXPORTS): a button with data-export="kind" each.
//   versions: {numpy, pillow}
//
// Big arrays cross as typed arrays (one copy each way); everything else is small.

export const PYTHON_API = Object.freeze(['inputShape', 'postprocess', 'exportParse', 'exportKinds', 'versions']);

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
