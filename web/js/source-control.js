// The source controls: Start/Stop camera and the camera picker, the photo and video picker, the
// sample photo and drag-and-drop. Hands each new source to the controller, and says when it stops.

import { CameraSource, VideoFileSource, decodePhoto, isVideoFile, listCameras } from './sources.js';
import * as ui from './ui.js';

const $ = (id) => document.getElementById(id);
const SAMPLE_PHOTO_URL = '/web/assets/sample-astronaut.jpg';
const SAMPLE_PHOTO_NAME = 'sample photo (astronaut Eileen Collins, NASA)';

export class SourceControl {
  // onSource(source): a camera or video file that plays, or a decoded photo; onStop(): no source
  // any more.
  constructor({ onSource, onStop }) {
    this.onSource = onSource;
    this.onStop = onStop;
    this.camera = new CameraSource($('video'));
    this.videoFile = null;
  }

  wire() {
    $('camera-start').addEventListener('click', () => this.startCamera());
    $('camera-stop').addEventListener('click', () => {
      const what = this.videoFile ? 'Video closed.' : 'Camera stopped.';
      this.stop();
      ui.setState('stopped', what);
    });
    $('camera-select').addEventListener('change', (event) => this.startCamera(event.target.value));
    $('photo-input').addEventListener('change', (event) => {
      const [file] = event.target.files;
      if (file) this.openFile(file);
      event.target.value = '';
    });
    $('sample-photo').addEventListener('click', async () => {
      const response = await fetch(SAMPLE_PHOTO_URL);
      this.openPhoto(await response.blob(), SAMPLE_PHOTO_NAME);
    });
    const stage = $('stage');
    stage.addEventListener('dragover', (event) => { event.preventDefault(); stage.classList.add('dragging'); });
    stage.addEventListener('dragleave', () => stage.classList.remove('dragging'));
    stage.addEventListener('drop', (event) => {
      event.preventDefault();
      stage.classList.remove('dragging');
      const [file] = event.dataTransfer.files;
      if (file) this.openFile(file);
      else ui.showMessage('Only files can be dropped here: drop a photo or a video from your computer.');
    });
  }

  async startCamera(deviceId) {
    ui.showMessage(null);
    this.stop();
    try {
      const activeId = await this.camera.start(deviceId, () => {
        this.stop();
        ui.setState('stopped', 'The camera stopped (unplugged or taken by another app). Press Start to resume.');
      });
      await fillCameraPicker(activeId);
    } catch (error) {
      ui.showMessage(error.message);
      ui.setState('ready', 'Ready: use a photo, or fix the camera and press Start.');
      return;
    }
    showView('camera', this.camera);
    $('camera-stop').disabled = false;
    this.onSource(this.camera);
  }

  openFile(file) {
    return isVideoFile(file) ? this.openVideo(file) : this.openPhoto(file, file.name);
  }

  async openVideo(file) {
    ui.showMessage(null);
    this.stop();
    const video = new VideoFileSource($('video'), file);
    try {
      await video.start();
    } catch (error) {
      ui.showMessage(error.message);
      ui.setState('ready', 'Ready: start the camera, or choose or drop a photo or a video.');
      return;
    }
    this.videoFile = video;
    showView('video', video);
    $('camera-stop').disabled = false;
    this.onSource(video);
  }

  async openPhoto(blob, name) {
    ui.showMessage(null);
    let photo;
    try {
      photo = await decodePhoto(blob, $('photo'), name);
    } catch (error) {
      ui.showMessage(error.message); // the last parse and the running source stay
      return;
    }
    this.stop();
    showView('photo', photo);
    if (photo.notes.length) ui.showMessage(photo.notes.join(' '), 'info');
    this.onSource(photo);
  }

  stop() {
    this.camera.stop();
    this.videoFile?.stop();
    this.videoFile = null;
    $('camera-stop').disabled = true;
    this.onStop();
  }
}

async function fillCameraPicker(activeId) {
  const cameras = await listCameras();
  const picker = $('camera-select');
  picker.hidden = cameras.length < 2;
  picker.replaceChildren(...cameras.map((device, index) => {
    const option = new Option(device.label || `Camera ${index + 1}`, device.deviceId);
    option.selected = device.deviceId === activeId;
    return option;
  }));
}

function showView(kind, source) {
  $('video').hidden = kind === 'photo';
  $('photo').hidden = kind !== 'photo';
  $('drop-hint').hidden = true;
  $('stage').style.setProperty('--aspect', String(source.width / source.height));
}
