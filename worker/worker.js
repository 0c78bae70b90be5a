// The inference Web Worker's entry: speaks the protocol in protocol.js around the engines.

import { probeCapabilities } from './capabilities.js';
import { createEngine, readyInfo } from './create-engine.js';
import { MessageType } from './protocol.js';

let engine = null;

function fail(stage, error, id) {
  self.postMessage({ type: MessageType.ERROR, stage, id, message: error?.message ?? String(error), lost: Boolean(error?.lost) });
}

async function init(message) {
  engine?.dispose();
  engine = null;
  const created = await createEngine({
    ...message,
    onProgress: (progress) => self.postMessage({ type: MessageType.PROGRESS, ...progress }),
  });
  engine = created.engine;
  self.postMessage({ type: MessageType.READY, ...readyInfo(created) });
}

async function infer({ id, pixels, height, width }) {
  if (!engine) throw new Error('the model is not loaded yet');
  const { labels, precision, normalizeMs, inferenceMs } = await engine.run(new Uint8Array(pixels), height, width);
  self.postMessage(
    { type: MessageType.RESULT, id, labels: labels.buffer, height, width, precision, normalizeMs, inferenceMs, numTensors: engine.numTensors() },
    [labels.buffer],
  );
}

async function detect({ id, pixels, height, width }) {
  if (!engine) throw new Error('the model is not loaded yet');
  const { regressors, scores, normalizeMs, detectMs } = await engine.detect(new Uint8Array(pixels), height, width);
  self.postMessage(
    { type: MessageType.DETECTION, id, regressors: regressors.buffer, scores: scores.buffer, normalizeMs, detectMs },
    [regressors.buffer, scores.buffer],
  );
}

async function segment({ id, pixels, height, width }) {
  if (!engine) throw new Error('the model is not loaded yet');
  const { mask, normalizeMs, segmentMs } = await engine.segment(new Uint8Array(pixels), height, width);
  self.postMessage({ type: MessageType.SEGMENTATION, id, mask: mask.buffer, height, width, normalizeMs, segmentMs }, [mask.buffer]);
}

self.onmessage = async ({ data: message }) => {
  switch (message.type) {
    case MessageType.INIT:
      await init(message).catch((error) => fail('init', error));
      break;
    case MessageType.INFER:
      await infer(message).catch((error) => fail('infer', error, message.id));
      break;
    case MessageType.DETECT:
      await detect(message).catch((error) => fail('detect', error, message.id));
      break;
    case MessageType.SEGMENT:
      await segment(message).catch((error) => fail('segment', error, message.id));
      break;
    case MessageType.PROBE:
      self.postMessage({ type: MessageType.CAPABILITIES, capabilities: await probeCapabilities() });
      break;
    case MessageType.DISPOSE:
      engine?.dispose();
      engine = null;
      break;
    default:
      fail('protocol', new Error(`unknown message type "${message.type}"`));
  }
};
