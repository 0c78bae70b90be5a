// Which engine runs the parser on a backend, and in which precision: a pure rule, node-tested.
//
// Auto takes the engine measured fastest for the backend (bench/fps.py, every engine and
// precision on the same clip): ONNX Runtime Web on WASM, TensorFlow.js on a GPU. int8 runs only
// where it is faster, ONNX Runtime Web on WASM; GPU backends and TensorFlow.js run float32.

import { backendLabel } from './capabilities.js';

export const ENGINE_LABELS = Object.freeze({ auto: 'Auto', tfjs: 'TensorFlow.js', ort: 'ONNX Runtime Web' });
export const PRECISION_LABELS = Object.freeze({ int8: 'int8', fp32: 'float32' });

const FASTEST = { wasm: 'ort', webgl: 'tfjs', webgpu: 'tfjs' };

// -> {engine: 'tfjs' | 'ort', precision: 'int8' | 'fp32', notes: [text]}: what runs, and why it
// is not what was asked for when it is not.
export function chooseEngine(requested, backend, precision) {
  const engine = requested === 'auto' ? FASTEST[backend] : requested;
  const notes = requested === 'auto' ? [`Auto engine: ${ENGINE_LABELS[engine]}, the fastest measured on ${backendLabel(backend)}`] : [];
  if (precision !== 'int8') return { engine, precision, notes };
  if (engine !== 'ort') {
    notes.push(`${ENGINE_LABELS[engine]} runs the float32 model (int8 runs on ONNX Runtime Web's WASM)`);
    return { engine, precision: 'fp32', notes };
  }
  if (backend !== 'wasm') {
    notes.push(`${backendLabel(backend)} runs the float32 model (int8 is for the CPU)`);
    return { engine, precision: 'fp32', notes };
  }
  return { engine, precision, notes };
}
