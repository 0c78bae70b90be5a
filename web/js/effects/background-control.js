// The "Background image…" control: an image chosen with its file button or dropped onto it (a
// drop onto the view opens a photo to parse instead). Hands each decoded image on; a file that
// is not an image gets the photo checks' message and changes nothing.

import { decodeImage } from '../sources.js';
import * as ui from '../ui.js';

// onImage(bitmap): a decoded image for the background.
export function wireBackgroundControl(onImage) {
  const input = document.getElementById('background-input');
  const use = async (file) => {
    try {
      onImage((await decodeImage(file, file.name)).bitmap);
    } catch (error) {
      ui.showMessage(error.message);
    }
  };
  input.addEventListener('change', () => {
    const [file] = input.files;
    input.value = '';
    if (file) use(file);
  });
  const button = input.closest('label');
  button.addEventListener('dragover', (event) => event.preventDefault());
  button.addEventListener('drop', (event) => {
    event.preventDefault();
    const [file] = event.dataTransfer.files;
    if (file) use(file);
  });
}
