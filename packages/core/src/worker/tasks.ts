import { ImageClassificationExplainer } from '../explainers/imageClassification.ts';
import { MultiLabelClassificationExplainer } from '../explainers/multiLabelClassification.ts';
import { PairwiseSequenceClassificationExplainer } from '../explainers/pairwiseClassification.ts';
import { QuestionAnsweringExplainer } from '../explainers/questionAnswering.ts';
import { SequenceClassificationExplainer } from '../explainers/sequenceClassification.ts';
import { TextGenerationExplainer } from '../explainers/textGeneration.ts';
import { TokenClassificationExplainer } from '../explainers/tokenClassification.ts';
import { ZeroShotClassificationExplainer } from '../explainers/zeroShotClassification.ts';
import { benchmark } from '../metrics/benchmark.ts';
import { evaluate } from '../metrics/text.ts';

/**
 * The tasks: the one table the worker (loadInWorker), the CLI (`glassbox explain --task`) and
 * the demo read. Each explainer class names its task and the options it reads (`static task`,
 * a TaskRule): a new task is its explainer file plus its line here.
 */
const EXPLAINERS = [
  SequenceClassificationExplainer,
  PairwiseSequenceClassificationExplainer,
  MultiLabelClassificationExplainer,
  ZeroShotClassificationExplainer,
  QuestionAnsweringExplainer,
  TokenClassificationExplainer,
  ImageClassificationExplainer,
  TextGenerationExplainer,
] as const;

type TaskExplainer = (typeof EXPLAINERS)[number];
export type TaskName = TaskExplainer['task']['name'];
export const TASK_NAMES: TaskName[] = EXPLAINERS.map((explainer) => explainer.task.name);

/** Each task's explainer class by task name, e.g. EXPLAINER_TASKS['question-answering'] is QuestionAnsweringExplainer. */
export const EXPLAINER_TASKS = Object.fromEntries(EXPLAINERS.map((explainer) => [explainer.task.name, explainer])) as {
  readonly [E in TaskExplainer as E['task']['name']]: E;
};

/** The explainer a task's fromPretrained makes, e.g. ExplainerOf<'text-classification'> is SequenceClassificationExplainer. */
export type ExplainerOf<K extends TaskName> = InstanceType<(typeof EXPLAINER_TASKS)[K]>;

/** Core functions that take an explainer first, which a worker explainer can run next to its model (Remote.run). */
export const EXPLAINER_FUNCTIONS = { evaluate, benchmark } as const;

export type ExplainerFunctionName = keyof typeof EXPLAINER_FUNCTIONS;
