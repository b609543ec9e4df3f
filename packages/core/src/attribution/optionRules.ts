import { InvalidInputError } from '../errors.ts';
import { IMAGE_METHOD_TABLE, type ImageMethodName } from './imageMethods/index.ts';
import { type MethodName, TEXT_METHOD_TABLE } from './textMethods/index.ts';
import type { MethodFamily } from './textMethods/textMethod.ts';

/**
 * Which options each method (the method tables' `options`) and each task (its explainer's
 * TaskRule) reads: what validation, the CLI's help and `benchmark` read. An option that is
 * set (not undefined) and that the chosen method or task does not read is an
 * InvalidInputError of code 'unused_option' naming the option, the method (or task) and what
 * it reads; a name that is no option at all is 'unknown_option'.
 */

export type { MethodFamily };

/** Options every text method reads. */
export const TEXT_OPTIONS = [
  'target',
  'method',
  'output',
  'normalize',
  'granularity',
  'truncation',
  'textPair',
  'transformersInterpretQuirks',
  'attention',
  'onProgress',
  'signal',
] as const;

/** Each text method: its family and the options it reads besides TEXT_OPTIONS (the method table's, textMethods/). */
export const TEXT_METHOD_RULES: Readonly<Record<MethodName, { family: MethodFamily; options: readonly string[] }>> = Object.fromEntries(
  TEXT_METHOD_TABLE.map((m) => [m.name, { family: m.family, options: m.options }]),
) as Record<MethodName, { family: MethodFamily; options: readonly string[] }>;

/** Options every image method reads. */
export const IMAGE_OPTIONS = ['target', 'method', 'output', 'attention', 'onProgress', 'signal'] as const;

/** Each image method's options besides IMAGE_OPTIONS (the image method table's, imageMethods/). */
export const IMAGE_METHOD_RULES: Readonly<Record<ImageMethodName, readonly string[]>> = Object.fromEntries(
  IMAGE_METHOD_TABLE.map((m) => [m.name, m.options]),
) as Record<ImageMethodName, readonly string[]>;

/** Options that are objects, and the keys each takes (image noise has no `type`: the method is the type). */
const TEXT_NESTED: Readonly<Record<string, readonly string[]>> = {
  noise: ['type', 'samples', 'stdev', 'seed'],
  occlusion: ['window', 'stride'],
};
const IMAGE_NESTED: Readonly<Record<string, readonly string[]>> = { noise: ['samples', 'stdev', 'seed'], occlusion: ['window', 'stride'] };

/**
 * The options only some tasks read (each task's rule names its own, `TaskRule.own`): given
 * to a task that does not read them they are 'unused_option', not 'unknown_option'. The
 * checker sits below the tasks, so a task with an option name new to Glassbox adds it here
 * (`own` is typed by this list: without it the task does not compile).
 */
export const TASK_OPTIONS = [
  'targets',
  'flipSign',
  'labels',
  'hypothesisTemplate',
  'includeHypothesis',
  'multiLabel',
  'which',
  'embeddingType',
  'ignoredIndexes',
  'ignoredLabels',
  'continuation',
  'maxNewTokens',
] as const;
export type TaskOptionName = (typeof TASK_OPTIONS)[number];

/**
 * Which options a task reads: a text task reads the text options (TEXT_OPTIONS and its
 * method's) but those in `without`, and its `own`; an image task, the image options. Each
 * explainer class holds its task's rule (`static task`), the task table lists the classes.
 */
export interface TaskRule {
  /** The task's name, e.g. 'pair-classification' (its key in the task table). */
  readonly name: string;
  /** What the task explains: text (the default) or an image. */
  readonly input?: 'text' | 'image';
  readonly own?: readonly TaskOptionName[];
  readonly without?: readonly (typeof TEXT_OPTIONS)[number][];
}

/** A task's rule, its name kept as a literal type (the task table's keys and TaskName are the names). */
export function taskRule<const Name extends string>(name: Name, reads: Omit<TaskRule, 'name'> = {}): TaskRule & { readonly name: Name } {
  return { name, ...reads };
}

const union = (lists: Iterable<readonly string[]>) => new Set([...lists].flat());
const TEXT_METHOD_OPTIONS = union(Object.values(TEXT_METHOD_RULES).map((m) => m.options));
const IMAGE_METHOD_OPTIONS = union(Object.values(IMAGE_METHOD_RULES));
const ANY_TEXT_OPTION = union([TEXT_OPTIONS, [...TEXT_METHOD_OPTIONS], TASK_OPTIONS]);

type Options = object;
const optionValue = (options: Options, key: string) => (options as Record<string, unknown>)[key];
const setKeys = (options: Options) => Object.keys(options).filter((k) => optionValue(options, k) !== undefined);

/** Text methods that read `option` (at least under some setting of the others). */
export function methodsReading(option: string): MethodName[] {
  return (Object.keys(TEXT_METHOD_RULES) as MethodName[]).filter(
    (m) => (TEXT_OPTIONS as readonly string[]).includes(option) || TEXT_METHOD_RULES[m].options.includes(option),
  );
}

/** The options a text method reads. */
export function textMethodReads(method: MethodName): string[] {
  return [...TEXT_OPTIONS, ...TEXT_METHOD_RULES[method].options];
}

/** Whether text method `method` reads `option` when the other options are `options` (pickers show only the options that do something). */
export function readsOption(method: MethodName, option: string, options: Options = {}): boolean {
  return textMethodReads(method).includes(option) && notReadWhen(option, options, TEXT_METHOD_RULES[method].family) === undefined;
}

/** A perturbation method's `baseline` names the token that replaces removed units: `key` is one that names none. */
const notATokenBaseline = (key: string, options: Options, family: MethodFamily) =>
  key === 'baseline' && family === 'perturbation' && !['pad', 'mask'].includes(optionValue(options, key) as string);

/**
 * Why a method of `family` does not read `option` although it is one of its options (it is
 * read only when the others allow), or undefined when it does.
 */
function notReadWhen(option: string, options: Options, family: MethodFamily): string | undefined {
  const granularity = optionValue(options, 'granularity') ?? 'token';
  if (option === 'granularityAggregate' && granularity !== 'word' && granularity !== 'sentence') {
    return `at granularity "${String(granularity)}" (it combines the token values of a word or sentence)`;
  }
  if (option === 'baseline' && family === 'perturbation' && optionValue(options, 'masking') !== undefined)
    return 'when "masking" is given (masking says how units are removed)';
  return undefined;
}

function unused(option: string, by: string, subject: string, reads: readonly string[], when?: string): never {
  throw new InvalidInputError(
    `option "${option}" is not read by ${by}${when ? ` ${when}` : ''}; ${subject} reads ${reads.join(', ')}`,
    'unused_option',
  );
}

/** An option as the user set it: the keys given inside an object option (`occlusion.window`, the CLI's --window), else its name. */
function setName(options: Options, key: string): string {
  const v = optionValue(options, key);
  const inner =
    v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype
      ? Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      : [];
  return inner.length ? inner.map((k) => `${key}.${k}`).join('", "') : key;
}

function unknown(option: string, subject: string, reads: readonly string[]): never {
  throw new InvalidInputError(`unknown option "${option}"; ${subject} reads ${reads.join(', ')}`, 'unknown_option');
}

/** The keys of the object options (noise, occlusion) that are read: each is a known key. */
function checkNested(options: Options, reads: readonly string[], nested: Readonly<Record<string, readonly string[]>>): void {
  for (const [name, keys] of Object.entries(nested)) {
    const value = optionValue(options, name);
    if (value === undefined || !reads.includes(name)) continue;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InvalidInputError(`option "${name}" must be an object with ${keys.join(', ')}; got ${JSON.stringify(value)}`, 'bad_option');
    }
    for (const key of setKeys(value)) {
      if (!keys.includes(key))
        throw new InvalidInputError(`unknown option "${name}.${key}"; ${name} takes ${keys.join(', ')}`, 'unknown_option');
    }
  }
}

/** `samples` and `seed` given at the top and in `noise` for a noise tunnel: the same setting twice, so they must agree. */
function checkNoiseTwice(options: Options): void {
  const noise = optionValue(options, 'noise') as Record<string, unknown> | undefined;
  for (const key of ['samples', 'seed']) {
    const top = optionValue(options, key);
    const inner = noise?.[key];
    if (top !== undefined && inner !== undefined && top !== inner) {
      throw new InvalidInputError(
        `${key} (${String(top)}) and noise.${key} (${String(inner)}) are both the noise tunnel's ${key === 'samples' ? 'sample count' : 'seed'}; give one`,
        'bad_option',
      );
    }
  }
}

/**
 * The options of a text explanation against what `method` reads (resolveOptions calls it):
 * an option of another text method is 'unused_option'; keys of `noise` and `occlusion` are
 * checked one by one. Names no text method reads are left to the task (checkTaskOptions).
 */
export function checkMethodOptions(options: Options, method: MethodName): void {
  const { family } = TEXT_METHOD_RULES[method];
  const reads = textMethodReads(method);
  for (const key of setKeys(options)) {
    if (reads.includes(key)) {
      const when = notReadWhen(key, options, family);
      if (when) unused(key, `method "${method}"`, method, reads, when);
      if (notATokenBaseline(key, options, family)) {
        throw new InvalidInputError(
          `${method} replaces tokens: baseline must be "pad" or "mask" (or give masking), got ${JSON.stringify(optionValue(options, key))}`,
          'bad_baseline',
        );
      }
    } else if (TEXT_METHOD_OPTIONS.has(key)) unused(setName(options, key), `method "${method}"`, method, reads);
  }
  checkNested(options, reads, TEXT_NESTED);
  if (reads.includes('noise')) checkNoiseTwice(options);
}

/** `method` (default integrated gradients) when it names a method of `table`, else undefined (the explainer reports an unknown method). */
function knownMethod<M extends string>(table: Readonly<Record<M, unknown>>, method: string | undefined): M | undefined {
  const m = method ?? 'integrated-gradients';
  return Object.hasOwn(table, m) ? (m as M) : undefined;
}

/**
 * The options of a task's explain call: the task's own options and the options it takes are
 * read; an option of another task, or one the task does not take, is 'unused_option'; a name
 * that is no option, 'unknown_option'. Text methods' options are resolveOptions' to check
 * (checkMethodOptions). `method` is the call's (undefined: the default; unknown: the explainer
 * reports it, and the message lists what every method reads; null: several methods, as benchmark).
 */
export function checkTaskOptions(task: TaskRule, options: Options, method?: string | null): void {
  if (task.input === 'image') {
    checkImageOptions(options, method ?? undefined);
    return;
  }
  const own: readonly string[] = task.own ?? [];
  const without: readonly string[] = task.without ?? [];
  const known = method === null ? undefined : knownMethod(TEXT_METHOD_RULES, method);
  const reads = [...(known ? textMethodReads(known) : TEXT_OPTIONS).filter((o) => !without.includes(o)), ...own];
  const subject = `${task.name}${known ? ` with method "${known}"` : ''}`;
  for (const key of setKeys(options)) {
    if (reads.includes(key)) {
      if (key === 'maxNewTokens' && optionValue(options, 'continuation') !== undefined)
        unused(key, `task "${task.name}"`, subject, reads, 'when "continuation" is given (it bounds a generated continuation)');
    } else if (TEXT_METHOD_OPTIONS.has(key) && !without.includes(key)) continue;
    else if (ANY_TEXT_OPTION.has(key) || IMAGE_METHOD_OPTIONS.has(key))
      unused(setName(options, key), `task "${task.name}"`, subject, reads);
    else unknown(key, subject, reads);
  }
}

/** The options of an image explanation against what `method` reads: as checkMethodOptions and checkTaskOptions for text. */
export function checkImageOptions(options: Options, method?: string): void {
  const known = knownMethod(IMAGE_METHOD_RULES, method);
  const reads = [...IMAGE_OPTIONS, ...(known ? IMAGE_METHOD_RULES[known] : [])];
  const subject = `image-classification${known ? ` with method "${known}"` : ''}`;
  for (const key of setKeys(options)) {
    if (reads.includes(key)) continue;
    if (IMAGE_METHOD_OPTIONS.has(key)) {
      if (known) unused(setName(options, key), `method "${known}"`, subject, reads);
    } else if (ANY_TEXT_OPTION.has(key)) unused(key, 'task "image-classification"', subject, reads);
    else unknown(key, subject, reads);
  }
  checkNested(options, reads, IMAGE_NESTED);
  if (reads.includes('noise')) checkNoiseTwice(options);
}

/**
 * The options among `options` that `method` reads (benchmark runs every method with the
 * options that apply to it); an option no method of `methods` reads is 'unused_option'.
 */
export function optionsFor<T extends Options>(method: MethodName, options: T, methods: readonly MethodName[]): Partial<T> {
  const readBy = (m: MethodName, key: string) => {
    return readsOption(m, key, options) && !notATokenBaseline(key, options, TEXT_METHOD_RULES[m].family);
  };
  for (const key of setKeys(options)) {
    if (!methods.some((m) => readBy(m, key))) {
      throw new InvalidInputError(
        `option "${key}" is not read by any of the methods ${methods.join(', ')}; ${key} is read by ${methodsReading(key).join(', ') || 'no text method'}`,
        'unused_option',
      );
    }
  }
  return Object.fromEntries(Object.entries(options).filter(([key]) => readBy(method, key))) as Partial<T>;
}
