// The frame path: the stages every frame goes through, in order. A stage is
// {name, usesModel?, run(frame, context)}: it reads what earlier stages put on `frame`, adds its
// own results and timings, and touches nothing else. `context` is fixed when the frame starts:
// {python, runner, runnerInfo, source}. Adding a stage is one module in stages/ and one line here.

import { capture } from './stages/capture.js';
import { draw } from './stages/draw.js';
import { parse } from './stages/parse.js';
import { postprocess } from './stages/postprocess.js';

export const STAGES = [capture, parse, postprocess, draw];

const yieldToBrowser = () => new Promise((resolve) => setTimeout(resolve, 0));

// Starts one frame. -> {modelFree, finished}: modelFree resolves once the last stage that uses
// the model is done; finished with the frame, or rejects with the error, which names its stage.
// splitTasks: each stage after the model in its own task, so that with the model in a worker no
// main-thread task grows long.
export function startFrame(context, size, { stages = STAGES, splitTasks = false } = {}) {
  let freeModel;
  const modelFree = new Promise((resolve) => { freeModel = resolve; });
  const lastModelStage = stages.findLastIndex((stage) => stage.usesModel);
  const frame = { source: context.source, size, timings: {} };
  const finished = (async () => {
    try {
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
