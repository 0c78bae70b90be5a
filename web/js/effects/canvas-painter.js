// Draws the picture and its effect with Canvas 2D: the path for browsers without WebGL2, and the
// reference the WebGL2 painter is tested against. Same input and result as gl-painter.js.
//
// The effect is a layer (the blurred picture, the colour, the recoloured picture...) cut to the
// effect's soft mask (destination-in) and drawn over the picture.

import { coverRect } from './effects.js';

export class CanvasPainter {
  constructor(canvas) {
    this.kind = '2d';
    this.canvas = canvas;
    this.context = canvas.getContext('2d');
    if (!this.context) throw new Error('this browser gives no Canvas 2D context');
    this.layer = scratch();
    this.mask = scratch();
    this.sharpMask = scratch();
    this.small = scratch();
    this.maskKey = null;
  }

  // scene: {picture (a drawable at width x height), height, width, labels (Uint8Array [H*W]
  // or null), plan (effects.planEffect or null), background (a drawable or null)}
  paint({ picture, height, width, labels, plan, background }) {
    const { canvas, context } = this;
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
    reset(context);
    context.drawImage(picture, 0, 0, width, height);
    if (!plan || !labels || labels.length !== height * width) return;
    const mask = this.softMask(labels, height, width, plan);
    const layer = sized(this.layer, height, width);
    reset(layer);
    layer.clearRect(0, 0, width, height);
    switch (plan.operation) {
      case 'blur':
        layer.filter = `blur(${plan.sigma}px)`;
        layer.drawImage(this.padded(picture, height, width, Math.ceil(3 * plan.sigma)), -Math.ceil(3 * plan.sigma), -Math.ceil(3 * plan.sigma));
        layer.filter = 'none';
        break;
      case 'replace':
        if (background) drawCover(layer, background, height, width);
        else fill(layer, plan.color, height, width);
        break;
      case 'colorize':
        layer.drawImage(picture, 0, 0, width, height);
        layer.globalAlpha = plan.amount;
        layer.globalCompositeOperation = 'color';
        fill(layer, plan.color, height, width);
        break;
      case 'pixelate': {
        const rows = Math.ceil(height / plan.block);
        const columns = Math.ceil(width / plan.block);
        const small = sized(this.small, rows, columns);
        small.clearRect(0, 0, columns, rows);
        small.imageSmoothingQuality = 'high';
        small.drawImage(picture, 0, 0, width / plan.block, height / plan.block);
        layer.imageSmoothingEnabled = false;
        layer.drawImage(small.canvas, 0, 0, columns * plan.block, rows * plan.block);
        break;
      }
      default:
        throw new Error(`unknown operation "${plan.operation}"`);
    }
    reset(layer);
    layer.globalCompositeOperation = 'destination-in';
    layer.drawImage(mask, 0, 0);
    reset(layer);
    context.drawImage(layer.canvas, 0, 0);
  }

  // The picture with its edge pixels stretched `margin` px outwards: a blur of it near the edge
  // sees the edge, as the WebGL2 painter's clamped textures do, not transparency.
  padded(picture, height, width, margin) {
    const canvas = sized(this.pad ??= scratch(), height + 2 * margin, width + 2 * margin);
    const m = margin;
    canvas.drawImage(picture, m, m, width, height);
    // [source x, y, w, h] -> [target x, y, w, h]: the four sides, then the four corners.
    const strips = [
      [0, 0, width, 1, m, 0, width, m], [0, height - 1, width, 1, m, height + m, width, m],
      [0, 0, 1, height, 0, m, m, height], [width - 1, 0, 1, height, width + m, m, m, height],
      [0, 0, 1, 1, 0, 0, m, m], [width - 1, 0, 1, 1, width + m, 0, m, m],
      [0, height - 1, 1, 1, 0, height + m, m, m], [width - 1, height - 1, 1, 1, width + m, height + m, m, m],
    ];
    for (const strip of strips) canvas.drawImage(picture, ...strip);
    return canvas.canvas;
  }

  // The mask (alpha 255 where the effect applies), smoothed over plan.soft px; kept while the
  // labels and the plan stay the same (a live video repaints them every frame).
  softMask(labels, height, width, plan) {
    const key = [labels, plan];
    if (this.maskKey && key.every((part, i) => part === this.maskKey[i])) return this.mask.canvas;
    const sharp = sized(this.sharpMask, height, width);
    const image = sharp.createImageData(width, height);
    const alphaOf = new Uint32Array(256);
    for (let id = 0; id < 256; id++) alphaOf[id] = plan.weights[id] << 24;
    const pixels = new Uint32Array(image.data.buffer);
    for (let i = 0; i < pixels.length; i++) pixels[i] = alphaOf[labels[i]];
    sharp.putImageData(image, 0, 0);
    const soft = sized(this.mask, height, width);
    reset(soft);
    soft.clearRect(0, 0, width, height);
    soft.filter = `blur(${plan.soft * Math.SQRT1_2}px)`;
    soft.drawImage(sharp.canvas, 0, 0);
    soft.filter = 'none';
    this.maskKey = key;
    return soft.canvas;
  }

  dispose() {}
}

function scratch() {
  return document.createElement('canvas').getContext('2d', { willReadFrequently: false });
}

function sized(context, height, width) {
  const { canvas } = context;
  if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
  return context;
}

function reset(context) {
  context.globalAlpha = 1;
  context.globalCompositeOperation = 'source-over';
  context.filter = 'none';
  context.imageSmoothingEnabled = true;
}

function fill(context, [r, g, b], height, width) {
  context.fillStyle = `rgb(${r}, ${g}, ${b})`;
  context.fillRect(0, 0, width, height);
}

function drawCover(context, image, height, width) {
  const { x, y, w, h } = coverRect(image.height, image.width, height, width);
  context.drawImage(image, x, y, w, h);
}
