import type { TaskRule } from '../attribution/optionRules.ts';
import * as taskExplainers from '../explainers/tasks.ts';
import { benchmark } from '../metrics/benchmark.ts';
import { evaluate } from '../metrics/text.ts';

type TaskExplainer = Extract<(typeof taskExplainers)[keyof typeof taskExplainers], { readonly task: TaskRule }>;

/**
 * The tasks: the one table the worker (loadInWorker), the CLI (`glassbox explain --task`) and
 * the demo read, in the order of their names. It is every explainer class explainers/tasks.ts
 * exports, each naming its task and the options it reads (`static task`).
 */
const EXPLAINERS: TaskExplainer[] = Object.values(taskExplainers)
  .filter((value): value is TaskExplainer => typeof value === 'function' && 'task' in value)
  .sort((a, b) => (a.task.name < b.task.name ? -1 : 1));

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
