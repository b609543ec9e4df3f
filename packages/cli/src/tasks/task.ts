import {
  EXPLAINER_TASKS,
  type ExplainOptions,
  type ExplainerOf,
  type LoadOptions,
  type TargetSpec,
  type TaskName,
  type TaskRule,
} from '@glassbox/core';

/**
 * One `task` of `glassbox explain`: one of core's tasks (EXPLAINER_TASKS, the worker's table),
 * its explainer and own options taken from core (cliTask). A task file exports one of these
 * and tasks/index.ts registers it under core's name: a new task is one new file plus a
 * registration line, and a task core has but the CLI lacks does not compile.
 */
export interface CliTask<E = unknown> {
  /** The contract's task name, e.g. 'question-answering': core's (TaskName). */
  name: TaskName;
  /** Input fields (flags / JSONL fields) this task reads beyond the common options, e.g. ['question', 'context']. */
  inputs: readonly string[];
  /** The task's own options (the library's names, its explainer's `task.own`), e.g. ['flipSign']: another task's are an 'unused_option' error. */
  options: readonly string[];
  /** --help lines: the inputs it needs and the fields of its result object. */
  help: string;
  /** Loads the task's explainer once per device. */
  load(model: string, options: LoadOptions): Promise<E>;
  /**
   * Explains one case. `raw` holds every field of the case (flags and the JSONL line merged,
   * strings from flags, any JSON type from lines); `options` are the common options already
   * parsed (COMMON_FIELDS), which the task passes on to its explainer: the explainer says which
   * the method does not read. Returns the result object printed as one JSON line.
   */
  explain(explainer: E, raw: Record<string, unknown>, options: ExplainOptions): Promise<Record<string, unknown>>;
  /**
   * Explains several classes of one case (`targets`: a list or 'all', in the order asked; `options`
   * has no target), as `{explanations: [...], ...}`. Only the tasks in MULTI_TARGET_TASKS have it.
   */
  explainTargets?(
    explainer: E,
    raw: Record<string, unknown>,
    options: ExplainOptions,
    targets: TargetSpec[] | 'all',
  ): Promise<Record<string, unknown>>;
}

/** The CLI task of core's task `name`: its explainer loads through EXPLAINER_TASKS, its own options are core's. */
export function cliTask<K extends TaskName>(
  name: K,
  task: Omit<CliTask<ExplainerOf<K>>, 'name' | 'options' | 'load'>,
): CliTask<ExplainerOf<K>> {
  const explainer = EXPLAINER_TASKS[name] as {
    task: TaskRule;
    fromPretrained(model: string, options: LoadOptions): Promise<unknown>;
  };
  return {
    name,
    options: explainer.task.own ?? [],
    load: (model, options) => explainer.fromPretrained(model, options) as Promise<ExplainerOf<K>>,
    ...task,
  };
}
