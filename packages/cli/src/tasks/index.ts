import { type ExplainerOf, TASK_NAMES, type TaskName } from '@glassbox/core';
import { imageClassification } from './imageClassification.ts';
import { multiLabel } from './multiLabel.ts';
import { pairClassification } from './pairClassification.ts';
import { questionAnswering } from './questionAnswering.ts';
import type { CliTask } from './task.ts';
import { textClassification } from './textClassification.ts';
import { textGeneration } from './textGeneration.ts';
import { tokenClassification } from './tokenClassification.ts';
import { zeroShot } from './zeroShot.ts';

/** The CLI task of each of core's tasks (EXPLAINER_TASKS): a task core adds without one here does not compile. */
const BY_NAME: { [K in TaskName]: CliTask<ExplainerOf<K>> } = {
  'text-classification': textClassification,
  'pair-classification': pairClassification,
  'multi-label': multiLabel,
  'zero-shot': zeroShot,
  'question-answering': questionAnswering,
  'token-classification': tokenClassification,
  'image-classification': imageClassification,
  'text-generation': textGeneration,
};

/** Every task of `glassbox explain`, in core's order (TASK_NAMES). */
// biome-ignore lint/suspicious/noExplicitAny: each task's explainer is its own class; main.ts passes one task's explainer back to it.
export const TASKS: CliTask<any>[] = TASK_NAMES.map((name) => BY_NAME[name]);
