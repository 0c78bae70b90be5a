// The frame path: the stages every frame goes through, in order. A stage is
// {name, usesModel?, run(frame, context)}: it reads what earlier stages put on `frame`, adds its
// own results and timings, and touches nothing else. `context` is fixed when the frame starts:
// {python, runner, runnerInfo, source, picture, settings, tracker (face-tracker.js)}. Adding a
// stage is one module in stages/ and one line here.

import { capture } from './stages/capture.js';
import { detect } from './stages/detect.js';
import { draw } from './stages/draw.js';
import { parse } from './stages/parse.js';
import { person } from './stages/person.js';
import { postprocess } from './stages/postprocess.js';
import { recheck } from './stages/recheck.js';
import { snapshot } from './stages/snapshot.js';
import { steady } from './stages/steady.js';

export const STAGES = [snapshot, detect, capture, parse, person, steady, postprocess, recheck, draw];

const yieldToBrowser = () => new Promise((resolve) => setTimeout(resolve, 0));

// Starts one frame. -> {modelFree, finished}: modelFree resolves once the last stage that uses
// the model is done; finished with the frame, or rejects with the error, which names its stage
// ('source' when the source has no picture to give yet).
// splitTasks: each stage after the model in its own task, so that with the model in a worker no
// main-thread task grows long.
export function startFrame(context, { stages = STAGES, splitTasks = false } = {}) {
  let freeModel;
  const modelFree = new Promise((resolve) => { freeModel = resolve; });
  const lastModelStage = stages.findLastIndex((stage) => stage.usesModel);
  const { source, settings } = context;
  const frame = { source, size: settings.size, height: source.height, width: source.width, timings: {} };
  const finished = (async () => {
    try {
      if (!(frame.height > 0 && frame.width > 0)) {
        throw Object.assign(new Error('the source has no picture yet'), { stage: 'source' });
      }
      for (const [index, stage] of stages.entries()) {
        if (splitTasks && index > lastModelStage) await yieldToBrowser();
        try {
          await stage.run(frame, context);
        } catch (error) {
          error.stage ??= stage.name;
          throw error;
        }
        if (index === lastModelStage) freeModel();
      }
      return frame;
    } finally {
      freeModel();
    }
  })();
  return { modelFree, finished };
}
