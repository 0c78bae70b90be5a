// What to do when the model fails: a pure policy, failure history in, action out.
//
// One failed frame gets a message and the next frame goes ahead. A crashed or hung worker, a lost
// GPU context, or a second failure in a row replaces the runner: with the same settings first;
// if it keeps failing, on WASM, then on the main thread; past MAX_RECOVERIES in the window, stop.

import { backendLabel } from '../../worker/runner.js';

export const RECOVERY_WINDOW_MS = 120_000;
export const MAX_RECOVERIES = 4;

export const initialHistory = () => ({ failuresInARow: 0, recoveries: [] });
// A frame that worked ends a run of failures; the recoveries still count for their window.
export const afterSuccess = (history) => ({ ...history, failuresInARow: 0 });

// error: {message, fatal?, lost?}; history: {failuresInARow, recoveries: [times]};
// ran: {backend, thread} of the runner that failed; now: ms.
// -> {action: 'skip' | 'restart' | 'wasm' | 'main' | 'stop', history, message}
export function planRecovery(error, history, ran, now) {
  const failuresInARow = history.failuresInARow + 1;
  if (!error.fatal && !error.lost && failuresInARow < 2) {
    return { action: 'skip', history: { ...history, failuresInARow }, message: `A frame failed: ${error.message}. The app goes on with the next frame.` };
  }
  const recoveries = [...history.recoveries.filter((time) => now - time < RECOVERY_WINDOW_MS), now];
  const next = { failuresInARow: 0, recoveries };
  if (recoveries.length > MAX_RECOVERIES) {
    return {
      action: 'stop',
      history: next,
      message: `The model failed ${recoveries.length} times in two minutes (${error.message}). Reload the page; if it happens again, choose another backend or engine, or another browser.`,
    };
  }
  let action = 'restart';
  let did = 'restarted the model';
  if ((error.lost || recoveries.length > 1) && ran.backend !== 'wasm') {
    action = 'wasm';
    did = `switched from ${backendLabel(ran.backend)} to WASM`;
  } else if (recoveries.length > 2 && ran.thread === 'worker') {
    action = 'main';
    did = 'moved the model to the main thread';
  }
  return { action, history: next, message: `The model stopped working (${error.message}). The app ${did} and goes on.` };
}
