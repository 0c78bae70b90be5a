// Probes which inference backends really work in the current context (a worker or the page),
// by trying them rather than reading the user agent.

const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|software|basic render|microsoft basic/i;

// A GPU emulated on the CPU: slower than the CPU's own paths, for the model and for drawing.
export const isSoftwareRenderer = (name) => SOFTWARE_RENDERERS.test(name);

// Smallest modules that use a SIMD instruction / a shared memory, straight from the wasm spec.
const WASM_SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
const WASM_THREADS_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11]);

async function probeWebGPU() {
  if (!globalThis.navigator?.gpu) {
    return { available: false, reason: 'this browser has no WebGPU (navigator.gpu is missing)' };
  }
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return { available: false, reason: 'no WebGPU adapter (requestAdapter() returned null)' };
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
    const software = Boolean(adapter.isFallbackAdapter || info.isFallbackAdapter) || isSoftwareRenderer(name);
    return { available: true, software, renderer: name || 'unknown adapter' };
  } catch (error) {
    return { available: false, reason: `WebGPU adapter request failed: ${error.message}` };
  }
}

// A worker draws only on an OffscreenCanvas. A page may have WebGL2 on its own canvases alone
// (WebKitGTK), which is where TensorFlow.js draws in Safari.
function webgl2Context() {
  const offscreen = typeof OffscreenCanvas === 'undefined' ? null : new OffscreenCanvas(1, 1).getContext('webgl2');
  return offscreen ?? globalThis.document?.createElement('canvas').getContext('webgl2') ?? null;
}

function probeWebGL() {
  if (typeof OffscreenCanvas === 'undefined' && !globalThis.document) {
    return { available: false, reason: 'no OffscreenCanvas in this context' };
  }
  try {
    const gl = webgl2Context();
    if (!gl) return { available: false, reason: 'no WebGL2 context here (no usable GPU, WebGL turned off, or none in workers, as in Safari)' };
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { available: true, software: isSoftwareRenderer(renderer), renderer };
  } catch (error) {
    return { available: false, reason: `WebGL2 context creation failed: ${error.message}` };
  }
}

function probeWasm() {
  if (typeof WebAssembly !== 'object') return { available: false, reason: 'no WebAssembly' };
  const simd = WebAssembly.validate(WASM_SIMD_PROBE);
  const threadsReason = !globalThis.crossOriginIsolated ? 'the page is not cross-origin isolated'
    // WebKitGTK leaves SharedArrayBuffer off even on a cross-origin isolated page.
    : typeof SharedArrayBuffer === 'undefined' ? 'this browser has no SharedArrayBuffer here'
      : !WebAssembly.validate(WASM_THREADS_PROBE) ? 'this browser has no WebAssembly threads' : null;
  return { available: true, software: false, simd, threads: !threadsReason, threadsReason, cores: globalThis.navigator?.hardwareConcurrency ?? 1 };
}

// "N threads", with the reason when the browser allows only one.
export function describeThreads(count, wasm) {
  const reason = count === 1 && wasm?.threadsReason ? ` (${wasm.threadsReason})` : '';
  return `${count} thread${count === 1 ? '' : 's'}${reason}`;
}

export async function probeCapabilities() {
  return { webgpu: await probeWebGPU(), webgl: probeWebGL(), wasm: probeWasm() };
}

// Fastest first on real hardware. A software GPU (SwiftShader on a machine without a GPU)
// runs far slower than WASM with SIMD and threads, so Auto skips it.
const SPEED_ORDER = ['webgpu', 'webgl', 'wasm'];

// 0 is fastest; used to tell whether the page can run a faster backend than the worker.
export const backendRank = (name) => SPEED_ORDER.indexOf(name);

export const BACKEND_LABELS = Object.freeze({ auto: 'Auto', webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM' });
export const backendLabel = (name) => BACKEND_LABELS[name] ?? name;

// The backends to try, in order, for a request ('auto' or a backend name), with the reason
// for each one passed over. The first entry of `order` is tried first.
export function planBackends(requested, capabilities) {
  const skipped = [];
  const order = [];
  if (requested !== 'auto') {
    const probe = capabilities[requested];
    if (probe?.available) order.push(requested);
    else skipped.push({ backend: requested, requested: true, reason: probe?.reason ?? `unknown backend "${requested}"` });
  }
  for (const name of SPEED_ORDER) {
    if (order.includes(name) || name === requested) continue;
    const probe = capabilities[name];
    if (!probe.available) {
      if (requested === 'auto') skipped.push({ backend: name, reason: probe.reason });
    } else if (probe.software && name !== 'wasm') {
      if (requested === 'auto') skipped.push({ backend: name, reason: `software renderer (${probe.renderer}): WASM is faster on this CPU` });
    } else {
      order.push(name);
    }
  }
  if (!order.includes('wasm') && capabilities.wasm.available) order.push('wasm');
  return { order, skipped };
}
