// Export video's button, progress and Cancel: an export of the video file on show runs with the
// model to itself (the scheduler's exclusive section; frames of the view wait), its faces tracked
// afresh; then its two files are downloaded, or a message says why not (video-export.js exports).

import { viewCanvas } from './exports.js';
import { FaceTracker } from './face-tracker.js';
import * as ui from './ui.js';
import { VideoExport } from './video-export.js';

const $ = (id) => document.getElementById(id);

// source: the source on show; parseFrame(frameSource, tracker) -> Promise of the parsed frame;
// settings: the app's, read as they change (the overlay's opacity).
export function exportVideo({ source, scheduler, python, settings, parseFrame }) {
  if (source?.kind !== 'video') {
    ui.showMessage('Open a video file first: Export video parses every frame of it.', 'info');
    return null;
  }
  source.element.pause();
  const output = document.createElement('canvas');
  const tracker = new FaceTracker();
  const job = new VideoExport({
    file: source.file,
    parseFrame: (frameSource) => parseFrame(frameSource, tracker),
    view: () => viewCanvas(settings.opacity, output),
    python,
    onProgress: showProgress,
  });
  showProgress({ frames: 0, fraction: 0, secondsLeft: null }, () => job.cancel());
  return scheduler.exclusive(async () => {
    try {
      const { video, labels, frames, notes } = await job.run();
      const base = source.name.replace(/\.[^.]+$/, '');
      ui.download(video.blob, `${base}.faceparts.${video.suffix}`, video.mime);
      ui.download(labels, `${base}.labels.zip`, 'application/zip');
      ui.showMessage([`Exported ${frames} frames of ${source.name}: the video as shown, and every frame's labels.`, ...notes].join(' '), 'info');
    } catch (error) {
      ui.showMessage(error.message, error.cancelled ? 'info' : 'error');
    } finally {
      showProgress(null);
    }
  });
}

// progress: {frames, fraction 0-1, secondsLeft or null}, null to hide it; onCancel, given when an
// export starts, is what Cancel does.
function showProgress(progress, onCancel) {
  const box = $('export-progress');
  box.hidden = !progress;
  $('export-video').disabled = Boolean(progress) || $('video-controls').hidden;
  if (onCancel) $('export-cancel').onclick = onCancel;
  if (!progress) return;
  box.querySelector('progress').value = progress.fraction;
  const left = progress.secondsLeft === null ? '' : ` · ${Math.ceil(progress.secondsLeft)} s left`;
  $('export-status').textContent = `Exporting: ${progress.frames} frames · ${Math.round(progress.fraction * 100)} %${left}`;
}
