import type { AttentionOutput } from '../attention/attentionFor.ts';
import { InvalidInputError } from '../errors.ts';
import type { TextModel } from '../model/textModel.ts';
import { cleanTextLikeTransformersInterpret } from '../text/clean.ts';
import { type ClassScoreSpace, type OutputSpace, classLabels, headProbabilities, parseTarget } from '../attribution/classification.ts';
import {
  ExplainedText,
  type TextAttributions,
  type TokenAttribution,
  type WordAttribution,
  type Truncation,
  firstTextEnd,
  fitTexts,
  textTokens,
} from '../attribution/explainedText.ts';
import { checkTaskOptions, taskRule } from '../attribution/optionRules.ts';
import { type ShapleyBase, shapleyBase } from '../attribution/shapleyBase.ts';
import { SharedForward } from '../attribution/sharedForward.ts';
import { type ResolvedOptions, type MethodName, type ExplainOptions, resolveOptions } from '../attribution/explainOptions.ts';
import { textMethodOf } from '../attribution/textMethods/index.ts';
import { ClassifierExplainer } from './modelExplainer.ts';

export { BASELINES, type BaselineName } from '../attribution/textOptions.ts';
export { type ExplainOptions, METHODS, type MethodName } from '../attribution/explainOptions.ts';
export type { Segment, TextAttributions, TokenAttribution, WordAttribution } from '../attribution/explainedText.ts';

/** Shapley methods (kernel-shap, partition-shap) add baseValue and fx: Σ attributions + baseValue = fx (see ShapleyBase). */
export interface SequenceClassificationResult extends Partial<ShapleyBase> {
  /** What the result is: the task that explained it (viz draws by it). */
  kind: 'text-classification';
  model: string;
  method: MethodName;
  output: OutputSpace;
  /** The text the tokens index into (after transformers-interpret's cleaning when it applied). */
  text: string;
  /** The second text of a pair, when one was explained: the offsets of segment-1 tokens index into it. */
  textPair?: string;
  tokens: TokenAttribution[];
  words: WordAttribution[];
  predicted: { index: number; label: string; score: number };
  target: { index: number; label: string };
  /** Σ attributions − (f(x) − f(baseline)) before normalisation; integrated gradients only. */
  convergenceDelta: number | null;
  logits: number[];
  /** Softmax of the logits; for a single-output head, the sigmoid of its logit. */
  probabilities: number[];
  /** The attention maps the `attention` option asked for, on the explained forward pass. */
  attentions?: AttentionOutput;
  /** Present when the `truncation` option cut the input to fit the model: `text` is then the explained prefix. */
  truncated?: Truncation;
}

/**
 * Explains a sequence classifier (any transformers.js text-classification model). With no
 * options it reproduces transformers-interpret's SequenceClassificationExplainer: layer
 * integrated gradients on the word embeddings, [CLS] [PAD]… [SEP] baseline, 50
 * Gauss-Legendre steps, softmax probability of the predicted class (the sigmoid of the
 * logit for a single-output head), summed over the hidden dimension and divided by the L2
 * norm over tokens.
 */
export class SequenceClassificationExplainer extends ClassifierExplainer<TextModel> {
  static override readonly task = taskRule('text-classification');

  async explain(text: string, options: ExplainOptions = {}): Promise<SequenceClassificationResult> {
    checkTaskOptions(SequenceClassificationExplainer.task, options, options.method);
    const resolved = resolveOptions(options);
    if (typeof text !== 'string' || text.trim() === '') throw new InvalidInputError('text is empty', 'empty_text');
    const shownText = resolved.quirks ? cleanTextLikeTransformersInterpret(text) : text;
    const texts: [string] | [string, string] = options.textPair === undefined ? [shownText] : [shownText, options.textPair];
    return explainClass(classificationInput(this.model, texts, resolved.quirks, options.truncation), options, resolved);
  }

  /**
   * Explains several inputs, each for several targets, in one call: `results[i][j]` is
   * input i's j-th target. Perturbation methods share forward passes across all of them.
   */
  async explainBatch(inputs: readonly BatchInput[], options: BatchExplainOptions = {}): Promise<SequenceClassificationResult[][]> {
    checkTaskOptions(BATCH_TASK, options, options.method);
    const resolved = resolveOptions(options);
    if (!Array.isArray(inputs) || inputs.length === 0)
      throw new InvalidInputError('explainBatch needs a non-empty list of inputs', 'empty_text');
    const explained = inputs.map((input, i) => {
      const { text, textPair } = typeof input === 'string' ? { text: input, textPair: undefined } : (input ?? {});
      if (typeof text !== 'string' || text.trim() === '') throw new InvalidInputError(`text of input ${i} is empty`, 'empty_text');
      const shown = resolved.quirks ? cleanTextLikeTransformersInterpret(text) : text;
      return classificationInput(this.model, textPair === undefined ? [shown] : [shown, textPair], resolved.quirks, options.truncation);
    });
    return explainClasses(explained, targetsPerInput(options.targets, inputs.length), options, resolved);
  }
}

/**
 * A text or a text pair as a classifier reads it. With `quirks`, transformers-interpret's
 * run: every token after the text's last one is segment 1 (on a single text, the final
 * [SEP]; a pair keeps the tokenizer's token types) and position ids are 0..T−1.
 */
export function classificationInput(
  model: TextModel,
  given: [string] | [string, string],
  quirks: boolean,
  truncation = false,
): ExplainedText {
  const [givenIds] = given.map((t, i) => textTokens(model, i === 0 ? 'text' : 'textPair', t));
  const { texts, truncated } = fitTexts(model, given, { truncation });
  const textIds = truncated ? textTokens(model, 'text', texts[0]) : givenIds!;
  const { ids, tokenTypes } = model.encode(texts[0], texts[1]);
  const tiTypes = texts.length > 1 ? tokenTypes : ids.map((_, i) => (i <= ids.length - 2 ? 0 : 1));
  const input = new ExplainedText(model, texts, ids, firstTextEnd(ids, textIds), tokenTypes, quirks ? { types: tiTypes } : undefined);
  input.truncated = truncated;
  return input;
}

/** A class to explain: its index or label; undefined for the predicted class. */
export type TargetSpec = number | string | undefined;

/**
 * Several targets: one list for every input, one list per input ([n, t], interpreto's
 * targets), or 'all' (every class of each input).
 */
export type TargetsSpec = 'all' | readonly TargetSpec[] | readonly (readonly TargetSpec[])[];

/** Options of a batch explanation: every text option but the single target and pair text. */
export interface BatchExplainOptions extends Omit<ExplainOptions, 'target' | 'textPair'> {
  /** Default: each input's predicted class. */
  targets?: TargetsSpec;
}

/** What explainBatch reads: its targets instead of the single target; each input carries its pair text. */
const BATCH_TASK = taskRule('text-classification batch', { own: ['targets'], without: ['target', 'textPair'] });

/** One input of a batch: a text, or a text and its pair. */
export type BatchInput = string | { text: string; textPair?: string };

/** The targets of each of `n` inputs from a TargetsSpec (checked: one list per input when nested). */
export function targetsPerInput(targets: TargetsSpec | undefined, n: number): (readonly TargetSpec[] | 'all')[] {
  if (targets === undefined) return new Array(n).fill([undefined]);
  if (targets === 'all') return new Array(n).fill('all');
  if (!Array.isArray(targets))
    throw new InvalidInputError(
      `targets must be 'all', a list of targets or one list per input, got ${JSON.stringify(targets)}`,
      'unknown_target',
    );
  if (targets.length === 0) throw new InvalidInputError('targets is an empty list', 'unknown_target');
  const nested = targets.every((t) => Array.isArray(t));
  if (!nested) {
    if (targets.some((t) => Array.isArray(t)))
      throw new InvalidInputError(
        'targets mixes lists and single targets; give one list for all inputs or one list per input',
        'unknown_target',
      );
    return new Array(n).fill(targets);
  }
  if (targets.length !== n) throw new InvalidInputError(`targets has ${targets.length} lists for ${n} inputs`, 'unknown_target');
  (targets as TargetSpec[][]).forEach((t, i) => {
    if (t.length === 0) throw new InvalidInputError(`targets of input ${i} is an empty list`, 'unknown_target');
  });
  return targets as TargetSpec[][];
}

/** Explains one class of a classification head on an input (see explainClasses). */
export async function explainClass(
  input: ExplainedText,
  options: ExplainOptions,
  resolved: ResolvedOptions,
  sign: 1 | -1 = 1,
): Promise<SequenceClassificationResult> {
  return (await explainClasses([input], [[options.target]], options, resolved, sign))[0]![0]!;
}

/**
 * Explains classes of a classification head on several inputs: per input its targets (an
 * index, a label, undefined for the predicted class, or 'all'), as the raw logit or the
 * probability; `sign` −1 explains a single-output head's probability towards 0 instead of 1.
 * Perturbation methods run every explanation at once and share forward passes (identical
 * masked rows of several targets run once; rows of several inputs share passes); integrated
 * gradients, saliency and input × gradient explain all the targets of an input together
 * (each point runs forward once, backward once per target: attributeTokensForTargets);
 * other gradient methods run one explanation after the other. onProgress reports the mean fraction.
 */
export async function explainClasses(
  inputs: readonly ExplainedText[],
  targets: readonly (readonly TargetSpec[] | 'all')[],
  options: ExplainOptions,
  resolved: ResolvedOptions,
  sign: 1 | -1 = 1,
): Promise<SequenceClassificationResult[][]> {
  const heads = await Promise.all(inputs.map((input, i) => classHead(input, targets[i]!, options, resolved, sign)));
  const jobs = heads.flatMap((head, i) => head.targets.map((c) => ({ i, c })));
  const done = new Float64Array(jobs.length);
  const forward = new SharedForward();
  /** Options whose onProgress reports the fraction `f` done for each of the jobs `ks`. */
  const reporting = (ks: readonly number[]): ExplainOptions => ({
    ...options,
    onProgress:
      options.onProgress &&
      ((f: number, stage: string) => {
        ks.forEach((k) => (done[k] = f));
        options.onProgress!(done.reduce((a, b) => a + b, 0) / jobs.length, stage);
      }),
  });
  const scorerOf = ({ i, c }: { i: number; c: number }) => inputs[i]!.scorer(c, heads[i]!.space, sign);
  const result = async ({ i, c }: { i: number; c: number }, attributions: TextAttributions): Promise<SequenceClassificationResult> => {
    const { tokens, words, convergenceDelta } = attributions;
    const { text, textPair, predicted, logits, probabilities, ...head } = heads[i]!.result;
    return {
      kind: 'text-classification',
      ...head,
      text,
      ...(textPair !== undefined && { textPair }),
      tokens,
      words,
      predicted,
      target: { index: c, label: heads[i]!.labels[c]! },
      convergenceDelta,
      ...shapleyBase(attributions),
      logits,
      probabilities,
      ...(options.attention !== undefined && { attentions: await inputs[i]!.attentions(scorerOf({ i, c }), options.attention) }),
    };
  };
  const run = async (job: { i: number; c: number }, k: number) =>
    result(job, await inputs[job.i]!.explain(scorerOf(job), reporting([k]), resolved, undefined, forward));
  let results: SequenceClassificationResult[];
  const method = textMethodOf(resolved.method);
  // Perturbation methods run at once (their masked copies share batches: SharedForward); gradient methods that share a pass stack the targets.
  if (method.family === 'perturbation') results = await Promise.all(jobs.map(run));
  else if (method.sharesPass) {
    results = [];
    for (const i of inputs.keys()) {
      const ks = jobs.flatMap((job, k) => (job.i === i ? [k] : []));
      if (ks.length === 1) results.push(await run(jobs[ks[0]!]!, ks[0]!));
      else {
        const explained = await inputs[i]!.explainTargets(
          ks.map((k) => scorerOf(jobs[k]!)),
          reporting(ks),
          resolved,
        );
        for (const [j, k] of ks.entries()) results.push(await result(jobs[k]!, explained[j]!));
      }
    }
  } else {
    results = [];
    for (const [k, job] of jobs.entries()) results.push(await run(job, k));
  }
  return heads.map((_head, i) => results.filter((_, k) => jobs[k]!.i === i));
}

/** An input's logits, prediction and resolved targets: what every result of the input shares. */
async function classHead(
  input: ExplainedText,
  targets: readonly TargetSpec[] | 'all',
  _options: ExplainOptions,
  resolved: ResolvedOptions,
  sign: 1 | -1,
) {
  const m = input.model;
  const logits = await input.logits({ types: input.types });
  if (sign === -1 && logits.length !== 1) {
    throw new InvalidInputError(
      `flipSign applies to single-output models; model "${m.id}" has ${logits.length} classes: choose one with target`,
      'bad_flip_sign',
    );
  }
  const probabilities = headProbabilities(logits);
  const predictedIndex = probabilities.indexOf(Math.max(...probabilities));
  const labels = classLabels(m.labels, logits.length);
  const single = logits.length === 1;
  const space: ClassScoreSpace =
    resolved.output === 'logits'
      ? 'logits'
      : resolved.output === 'log-softmax'
        ? single
          ? 'log-sigmoid'
          : 'log-softmax'
        : single
          ? 'sigmoid'
          : 'softmax';
  const result = {
    model: m.id,
    method: resolved.method,
    output: resolved.output,
    text: input.texts[0]!,
    textPair: input.texts[1],
    predicted: { index: predictedIndex, label: labels[predictedIndex]!, score: probabilities[predictedIndex]! },
    logits,
    probabilities,
    ...(input.truncated && { truncated: input.truncated }),
  };
  return {
    result,
    labels,
    space,
    targets: targets === 'all' ? labels.map((_, c) => c) : targets.map((t) => parseTarget(t, labels, predictedIndex)),
  };
}
