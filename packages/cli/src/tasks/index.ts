import type { CliTask } from './task.ts';
import { imageClassification } from './imageClassification.ts';
import { multiLabel } from './multiLabel.ts';
import { pairClassification } from './pairClassification.ts';
import { questionAnswering } from './questionAnswering.ts';
import { textClassification } from './textClassification.ts';
import { textGeneration } from './textGeneration.ts';
import { tokenClassification } from './tokenClassification.ts';
import { zeroShot } from './zeroShot.ts';

/** Every task of `glassbox explain`, by contract name. */
export const TASKS: CliTask<any>[] = [
  textClassification,
  pairClassification,
  multiLabel,
  zeroShot,
  questionAnswering,
  tokenClassification,
  imageClassification,
  textGeneration,
];
