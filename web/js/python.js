// Waits for the Python pipeline (web/python/main.py under PyScript) and exposes it to the page.

const PYTHON_TIMEOUT_MS = 180_000;

export function whenPythonReady() {
  if (window.facepartsPython) return Promise.resolve(window.facepartsPython);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('Python (Pyodide) did not start within 3 minutes. Check the browser console, then reload the page.')),
      PYTHON_TIMEOUT_MS,
    );
    window.addEventListener('faceparts:python-ready', () => {
      clearTimeout(timer);
      resolve(window.facepartsPython);
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
