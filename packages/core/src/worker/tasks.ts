import { ImageClassificationExplainer } from '../explainers/imageClassification.ts';
import { MultiLabelClassificationExplainer } from '../explainers/multiLabelClassification.ts';
import { PairwiseSequenceClassificationExplainer } from '../explainers/pairwiseClassification.ts';
import { QuestionAnsweringExplainer } from '../explainers/questionAnswering.ts';
import { SequenceClassificationExplainer } from '../explainers/sequenceClassification.ts';
import { TextGenerationExplainer } from '../explainers/textGeneration.ts';
import { TokenClassificationExplainer } from '../explainers/tokenClassification.ts';
import { ZeroShotClassificationExplainer } from '../explainers/zeroShotClassification.ts';
import type { OptionTask } from '../attribution/optionRules.ts';
import { benchmark } from '../metrics/benchmark.ts';
import { evaluate } from '../metrics/text.ts';

/**
 * Each task's explainer class, by the task names of `glassbox explain --task`. Its keys are
 * exactly the tasks whose option rules TEXT_TASKS (attribution/optionRules.ts) holds, and image
 * classification: a task added to one and not the other does not compile.
 */
export const EXPLAINER_TASKS = {
  'text-classification': SequenceClassificationExplainer,
  'pair-classification': PairwiseSequenceClassificationExplainer,
  'multi-label': MultiLabelClassificationExplainer,
  'zero-shot': ZeroShotClassificationExplainer,
  'question-answering': QuestionAnsweringExplainer,
  'token-classification': TokenClassificationExplainer,
  'image-classification': ImageClassificationExplainer,
  'text-generation': TextGenerationExplainer,
} as const satisfies Record<Exclude<OptionTask, 'text-classification batch' | 'benchmark'>, unknown>;

export type TaskName = keyof typeof EXPLAINER_TASKS;
export const TASK_NAMES = Object.keys(EXPLAINER_TASKS) as TaskName[];

/** The explainer a task's fromPretrained makes, e.g. ExplainerOf<'text-classification'> is SequenceClassificationExplainer. */
export type ExplainerOf<K extends TaskName> = InstanceType<(typeof EXPLAINER_TASKS)[K]>;

/** Core functions that take an explainer first, which a worker explainer can run next to its model (Remote.run). */
export const EXPLAINER_FUNCTIONS = { evaluate, benchmark } as const;

export type ExplainerFunctionName = keyof typeof EXPLAINER_FUNCTIONS;
