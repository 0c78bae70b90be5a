// The picture the user sees (#picture): the frame that was parsed, drawn with its effect by a
// painter, WebGL2 where it works (probed by drawing) on a real GPU, else Canvas 2D (a GPU
// emulated on the CPU draws slower than Canvas 2D). It is repainted when the
// effect changes, and with live video on every frame of the video, under the latest parse.

import { isSoftwareRenderer } from '../../../worker/runner.js';
import { CanvasPainter } from './canvas-painter.js';
import { planEffect } from './effects.js';
import { GlPainter } from './gl-painter.js';

export const RENDER_LABELS = { webgl: 'WebGL2', '2d': 'Canvas 2D' };

export class Picture {
  // manifest: classes and groups; canvas: the #picture element.
  constructor(manifest, canvas) {
    this.manifest = manifest;
    this.canvas = canvas;
    this.painter = null;
    this.scene = null; // {picture, height, width, size, labels}
    this.effect = { effect: 'none', strength: 60, color: '#ffffff' };
    this.background = null;
    this.plan = null; // {key, plan}: the effect's plan for the frames being painted
    this.stopFollowing = null; // set while the picture follows a camera live
  }

  // render: 'auto' | 'webgl' | '2d'. -> {kind, note}: what draws, and why not what was asked.
  use(render) {
    this.painter?.dispose();
    this.painter = null;
    let note = null;
    if (render !== '2d') {
      try {
        this.painter = new GlPainter(this.freshCanvas());
        if (render === 'auto' && isSoftwareRenderer(this.painter.renderer)) {
          note = `Effects are drawn with Canvas 2D: WebGL2 here is a software renderer (${this.painter.renderer}), slower on this CPU.`;
          this.painter.dispose();
          this.painter = null;
        }
      } catch (error) {
        note = render === 'webgl'
          ? `WebGL2 was chosen for drawing but does not work here (${error.message}): Canvas 2D draws instead.`
          : `Effects are drawn with Canvas 2D: ${error.message}.`;
      }
    }
    this.painter ??= new CanvasPainter(this.freshCanvas());
    this.canvas.addEventListener('webglcontextlost', (event) => {
      event.preventDefault();
      this.painter = new CanvasPainter(this.freshCanvas());
      this.repaint();
    }, { once: true });
    this.repaint();
    return { kind: this.painter.kind, note };
  }

  // A canvas holds one kind of context for good: each painter gets a new one, same id and class.
  freshCanvas() {
    const canvas = document.createElement('canvas');
    canvas.id = this.canvas.id;
    canvas.className = this.canvas.className;
    this.canvas.replaceWith(canvas);
    this.canvas = canvas;
    return canvas;
  }

  // scene: {picture (a drawable; an ImageBitmap is closed when replaced), height, width,
  // size (the model's), labels (Uint8Array [H*W] at the frame's size, or null before a parse)}.
  show(scene) {
    const previous = this.scene?.picture;
    this.scene = { ...scene, picture: scene.picture ?? previous };
    if (previous && previous !== this.scene.picture) previous.close?.();
    if (!this.stopFollowing) this.repaint();
  }

  // effect: {effect, strength, color} (the settings).
  setEffect(effect) {
    this.effect = effect;
    this.repaint();
  }

  setBackground(image) {
    this.background?.close?.();
    this.background = image;
    this.repaint();
  }

  // Shows the camera itself (a CameraSource) on each of its frames, under the latest parse;
  // null stops.
  follow(camera) {
    this.stopFollowing?.();
    this.stopFollowing = camera?.onFrames(() => {
      const video = camera.element;
      if (video.videoWidth) this.paint({ ...this.scene, picture: video, height: video.videoHeight, width: video.videoWidth });
    }) ?? null;
  }

  repaint() {
    if (this.scene?.picture) this.paint(this.scene);
  }

  paint(scene) {
    const { picture, height, width, size, labels = null } = scene;
    const plan = labels ? this.planFor(height, width, size) : null;
    this.painter.paint({ picture, height, width, labels, plan, background: this.background });
  }

  // The effect's plan, made again only when the effect or the frame's shape changes: a camera
  // followed live paints every video frame, and the painters keep what they built from a plan
  // (class weights uploaded, a mask drawn) while it stays the same.
  planFor(height, width, size) {
    const key = [this.effect, height, width, size];
    if (!this.plan || key.some((part, i) => part !== this.plan.key[i])) {
      this.plan = { key, plan: planEffect(this.effect, this.manifest, { height, width, size }) };
    }
    return this.plan.plan;
  }
}
