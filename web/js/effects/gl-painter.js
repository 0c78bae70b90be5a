// Draws the picture and its effect with WebGL2: the picture, the label map and the effect's
// class weights are textures, and one fragment shader mixes the picture with the effect through
// a mask smoothed at class borders. Blurs run first, separably, into two small framebuffers.
// Same input and result as canvas-painter.js (the reference), within rounding.

import { coverRect } from './effects.js';
import { BLUR, EFFECT, OPERATIONS, VERTEX } from './gl-shaders.js';

export class GlPainter {
  // Throws, saying why, where WebGL2 does not work.
  constructor(canvas) {
    this.kind = 'webgl';
    this.canvas = canvas;
    // preserveDrawingBuffer: "Save picture" and the tests read what is shown.
    const gl = canvas.getContext('webgl2', { alpha: false, antialias: false, depth: false, preserveDrawingBuffer: true });
    if (!gl) throw new Error('this browser gives no WebGL2 context');
    this.gl = gl;
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    this.renderer = String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    this.effectProgram = program(gl, EFFECT);
    this.blurProgram = program(gl, BLUR);
    this.textures = Object.fromEntries(['picture', 'labels', 'weights', 'background', 'blurA', 'blurB'].map((name) => [name, gl.createTexture()]));
    this.framebuffers = { blurA: gl.createFramebuffer(), blurB: gl.createFramebuffer() };
    this.blurSize = null;
    this.uploaded = { labels: null, weights: null, background: null };
    gl.bindVertexArray(gl.createVertexArray());
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    // Probe by drawing: some contexts exist but cannot run these shaders.
    const probe = new Uint8Array([255, 0, 0, 255]);
    this.paint({ picture: new ImageData(new Uint8ClampedArray(probe), 1, 1), height: 1, width: 1, labels: null, plan: null, background: null });
    const read = new Uint8Array(4);
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, read);
    if (read[0] !== 255 || read[1] !== 0) throw new Error('its WebGL2 draws wrong colours');
  }

  paint({ picture, height, width, labels, plan, background }) {
    const { gl, canvas, textures } = this;
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
    upload(gl, textures.picture, gl.LINEAR, () => gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE, picture));
    const active = plan && labels && labels.length === height * width;
    const operation = active ? OPERATIONS[plan.operation] : OPERATIONS.none;
    if (active) {
      if (this.uploaded.labels !== labels) {
        upload(gl, textures.labels, gl.NEAREST, () => gl.texImage2D(gl.TEXTURE_2D, 0, gl.R8, width, height, 0, gl.RED, gl.UNSIGNED_BYTE, labels));
        this.uploaded.labels = labels;
      }
      if (this.uploaded.weights !== plan.weights) {
        upload(gl, textures.weights, gl.NEAREST, () => gl.texImage2D(gl.TEXTURE_2D, 0, gl.R8, 256, 1, 0, gl.RED, gl.UNSIGNED_BYTE, plan.weights));
        this.uploaded.weights = plan.weights;
      }
      if (background && this.uploaded.background !== background) {
        upload(gl, textures.background, gl.LINEAR, () => gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE, background));
        this.uploaded.background = background;
      }
      if (plan.operation === 'blur') this.blur(plan.sigma, height, width);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.viewport(0, 0, width, height);
    const p = this.effectProgram;
    gl.useProgram(p.program);
    ['picture', 'blurB', 'labels', 'weights', 'background'].forEach((name, unit) => {
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.bindTexture(gl.TEXTURE_2D, textures[name]);
    });
    gl.uniform1i(p.picture, 0);
    gl.uniform1i(p.blurred, 1);
    gl.uniform1i(p.labels, 2);
    gl.uniform1i(p.weights, 3);
    gl.uniform1i(p.background, 4);
    gl.uniform1i(p.operation, operation);
    gl.uniform2f(p.frameSize, width, height);
    if (active) {
      gl.uniform1i(p.hasBackground, background ? 1 : 0);
      if (background) {
        const { x, y, w, h } = coverRect(background.height, background.width, height, width);
        gl.uniform4f(p.backgroundRect, x, y, w, h);
      }
      gl.uniform3f(p.tint, ...plan.color.map((c) => c / 255));
      gl.uniform1f(p.amount, plan.amount);
      gl.uniform1f(p.block, plan.block);
      gl.uniform1f(p.soft, plan.soft);
    }
    gl.drawArrays(gl.TRIANGLES, 0, 3);
  }

  // The picture blurred by sigma, in blurB: across into blurA, then down into blurB, both at a
  // size that keeps a few pixels per sigma (a blur needs no more).
  blur(sigma, height, width) {
    const { gl, textures, framebuffers } = this;
    const shrink = Math.max(1, Math.floor(sigma / 3));
    const size = [Math.max(1, Math.round(width / shrink)), Math.max(1, Math.round(height / shrink))];
    if (this.blurSize?.join() !== size.join()) {
      for (const name of ['blurA', 'blurB']) {
        upload(gl, textures[name], gl.LINEAR, () => gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, size[0], size[1], 0, gl.RGBA, gl.UNSIGNED_BYTE, null));
        gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffers[name]);
        gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, textures[name], 0);
      }
      this.blurSize = size;
    }
    const p = this.blurProgram;
    gl.useProgram(p.program);
    gl.viewport(0, 0, size[0], size[1]);
    gl.uniform2f(p.targetSize, size[0], size[1]);
    gl.uniform1i(p.source, 0);
    gl.activeTexture(gl.TEXTURE0);
    // Across, from the picture (sigma in its pixels); then down, from blurA (in its pixels).
    const passes = [
      ['picture', 'blurA', [1 / width, 0], sigma],
      ['blurA', 'blurB', [0, 1 / size[1]], sigma / shrink],
    ];
    for (const [from, to, direction, spread] of passes) {
      gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffers[to]);
      gl.bindTexture(gl.TEXTURE_2D, textures[from]);
      gl.uniform2f(p.direction, ...direction);
      gl.uniform1f(p.sigma, spread);
      gl.drawArrays(gl.TRIANGLES, 0, 3);
    }
  }

  dispose() {
    this.gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}

function upload(gl, texture, filter, write) {
  gl.bindTexture(gl.TEXTURE_2D, texture);
  write();
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, filter);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, filter);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
}

function program(gl, fragmentSource) {
  const compiled = gl.createProgram();
  for (const [type, source] of [[gl.VERTEX_SHADER, VERTEX], [gl.FRAGMENT_SHADER, fragmentSource]]) {
    const shader = gl.createShader(type);
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(`its WebGL2 cannot compile a shader: ${gl.getShaderInfoLog(shader)}`);
    gl.attachShader(compiled, shader);
  }
  gl.linkProgram(compiled);
  if (!gl.getProgramParameter(compiled, gl.LINK_STATUS)) throw new Error(`its WebGL2 cannot link a program: ${gl.getProgramInfoLog(compiled)}`);
  const uniforms = {};
  for (let i = 0; i < gl.getProgramParameter(compiled, gl.ACTIVE_UNIFORMS); i++) {
    const { name } = gl.getActiveUniform(compiled, i);
    uniforms[name] = gl.getUniformLocation(compiled, name);
  }
  return { program: compiled, ...uniforms };
}
