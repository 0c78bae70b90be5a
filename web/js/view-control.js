// What the view shows and how: the picture (effects/picture.js) with the `effect`, `strength`
// and `color` settings, the overlay's `opacity`, live `video` or the parsed frames, the painter
// (`render`), and the background image. The controller hands it these settings' changes and
// each new source.

import { wireBackgroundControl } from './effects/background-control.js';
import { overlayOpacityAfter } from './effects/effects.js';
import { Picture } from './effects/picture.js';
import { paintOverlay } from './stages/draw.js';
import * as ui from './ui.js';

const EFFECT_SETTINGS = ['effect', 'strength', 'color'];
export const VIEW_SETTINGS = [...EFFECT_SETTINGS, 'opacity', 'video', 'render'];

export class ViewControl {
  // settings: the app's settings object, read as it changes; setByApp(name, value): changes a
  // setting as the user would, and shows it in its control.
  constructor(manifest, schema, settings, setByApp) {
    this.picture = new Picture(manifest, document.getElementById('picture'));
    this.schema = schema;
    this.settings = settings;
    this.setByApp = setByApp;
    this.source = null;
  }

  // -> a message for the user, or null: the painter asked for in the URL cannot draw.
  start() {
    this.picture.setEffect(this.effect());
    ui.showOverlayOpacity(this.settings.opacity);
    wireBackgroundControl((image) => {
      this.picture.setBackground(image);
      // An image given for the background means the user wants it replaced.
      if (this.settings.effect !== 'replace') this.setByApp('effect', 'replace');
    });
    return this.useRender(this.settings.render);
  }

  // After a setting of VIEW_SETTINGS changed in the settings.
  changed(name) {
    const value = this.settings[name];
    if (EFFECT_SETTINGS.includes(name)) {
      this.picture.setEffect(this.effect());
      // The class colours would hide an effect.
      const opacity = overlayOpacityAfter(this.settings.effect, this.settings.opacity, this.schema.opacity.default);
      if (name === 'effect' && opacity !== this.settings.opacity) this.setByApp('opacity', opacity);
    } else if (name === 'opacity') {
      ui.showOverlayOpacity(value);
    } else if (name === 'video') {
      this.follow();
    } else if (name === 'render') {
      ui.showMessage(this.useRender(value), 'info');
    }
  }

  // A new source (null: none): a photo is shown at once, under an empty overlay, until it is
  // parsed; with live video the picture follows the camera itself, else the parsed frames.
  useSource(source) {
    this.source = source;
    this.follow();
    if (source?.kind !== 'photo') return;
    const { element, height, width } = source;
    this.picture.show({ picture: element, height, width, size: this.settings.size, labels: null });
    paintOverlay(new Uint8ClampedArray(height * width * 4), height, width, this.settings.size);
  }

  follow() {
    const live = Boolean(this.source?.moving) && this.settings.video === 'live';
    this.picture.follow(live ? this.source : null);
  }

  effect() {
    return Object.fromEntries(EFFECT_SETTINGS.map((name) => [name, this.settings[name]]));
  }

  // -> a message when the painter asked for (?render=webgl) cannot draw, else null.
  useRender(render) {
    const { kind, note } = this.picture.use(render);
    ui.showRender(kind, note);
    return render === 'webgl' && kind !== 'webgl' ? note : null;
  }
}
