// What the user is told about the faces a frame found: more than Max faces (the largest are
// parsed), or none in a photo (it is parsed whole). Once per change, not per frame.

import * as ui from './ui.js';

export class FaceNotes {
  constructor() {
    this.shown = null; // the faces message on show
  }

  // A new source: whatever it finds is news.
  reset() {
    this.shown = null;
  }

  show(frame, settings, source) {
    let note = null;
    if (settings.faces === 'on' && frame.facesLeftOut) {
      const found = frame.faces.length + frame.facesLeftOut;
      const parsed = frame.faces.length === 1 ? 'the largest is parsed' : `the ${frame.faces.length} largest are parsed`;
      note = `${found} faces found: ${parsed}. Raise "Max faces" to parse more.`;
    } else if (settings.faces === 'on' && !frame.faces.length && source.kind === 'photo') {
      note = `No face found in ${source.name}: the whole photo is parsed. Faces smaller than about 6 % of the picture's width are missed.`;
    }
    if (note !== this.shown) ui.showMessage(note, 'info');
    this.shown = note;
  }
}
