// The playback controls of a video file: play/pause, the position slider and the time, and Export
// video on offer. Shown while a video file is the source; the frames it shows are parsed by the
// frame path as they come.

import * as ui from './ui.js';

const $ = (id) => document.getElementById(id);
// The slider's steps over the whole video.
const STEPS = 1000;

const clock = (seconds) => {
  const whole = Math.floor(Number.isFinite(seconds) ? seconds : 0);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
};

export class PlaybackControl {
  constructor() {
    this.video = $('video');
    this.source = null;
  }

  wire() {
    const { video } = this;
    $('video-play').addEventListener('click', () => {
      if (!this.source) return;
      if (video.paused) video.play();
      else video.pause();
    });
    const position = $('video-position');
    position.max = String(STEPS);
    position.addEventListener('input', () => {
      if (this.source && Number.isFinite(video.duration)) video.currentTime = (Number(position.value) / STEPS) * video.duration;
    });
    for (const event of ['timeupdate', 'durationchange']) video.addEventListener(event, () => this.show());
    for (const event of ['play', 'pause']) {
      video.addEventListener(event, () => {
        this.show();
        this.showState();
      });
    }
  }

  // The status line's state: the video file playing, or where it is paused.
  showState() {
    if (!this.source) return;
    const { video, source } = this;
    if (!video.paused) {
      ui.setState('running', `Playing ${source.name}`);
      return;
    }
    const where = video.ended ? 'the end of ' : `${clock(video.currentTime)} in `;
    ui.setState('paused', `Paused at ${where}${source.name}: press Play to go on`);
  }

  // A new source (null: none): the controls show for a video file only.
  use(source) {
    this.source = source?.kind === 'video' ? source : null;
    $('video-controls').hidden = !this.source;
    $('export-video').disabled = !this.source;
    this.show();
  }

  // -> whether the video file on show is paused (its frames parsed then are not "running").
  get paused() {
    return Boolean(this.source && this.video.paused);
  }

  show() {
    if (!this.source) return;
    const { video } = this;
    $('video-play').textContent = video.paused ? 'Play' : 'Pause';
    if (Number.isFinite(video.duration) && video.duration > 0) {
      $('video-position').value = String(Math.round((video.currentTime / video.duration) * STEPS));
    }
    $('video-time').textContent = `${clock(video.currentTime)} / ${clock(video.duration)}`;
  }
}
