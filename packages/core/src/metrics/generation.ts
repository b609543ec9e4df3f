import { InvalidInputError } from '../errors.ts';
import { replacementId } from '../attribution/attributeTokens.ts';
import { maskedTokens } from '../attribution/maskedText.ts';
import { type LmHead, findLmHead, nextTokenScorer } from '../attribution/nextTokenScorer.ts';
import { SharedForward } from '../attribution/sharedForward.ts';
import type { TextGenerationResult } from '../explainers/textGeneration.ts';
import { TextRunner } from '../attribution/textRunner.ts';
import type { MaskedScorer } from '../methods/perturbation.ts';
import { logitsOutput } from '../model/generate.ts';
import type { TextModel } from '../model/textModel.ts';
import { type Curve, type CurveOptions, perturbationCurve } from './curve.ts';

/** The metrics a text-generation result is scored on (interpreto's generation Insertion and Deletion). */
export const GENERATION_METRICS = ['deletion', 'insertion'] as const;
export type GenerationMetricName = (typeof GENERATION_METRICS)[number];

export interface GenerationMetricOptions extends CurveOptions {
  /**
   * How a token is removed: replaced by the pad token ('pad', default; GPT-2 has none and
   * uses <|endoftext|>, as the explainer's baseline), by the mask token ('mask', where the
   * model has one) or dropped from attention ('attention').
   */
  masking?: 'pad' | 'mask' | 'attention';
}

/** One generated token's curve: its deletion or insertion curve and what it perturbed. */
export interface GeneratedTokenCurve extends Curve {
  /** The generated token's index in `result.generated`. */
  token: number;
  /** The token positions (in prompt + generated) that are features, in order; the explained token itself is the last. */
  positions: number[];
}

/** A text-generation result's metric: the mean of its generated tokens' AUCs, and each token's curve. */
export interface GenerationMetric {
  auc: number;
  curves: GeneratedTokenCurve[];
}

/** The LM head each model's scores are read through on the host (null: the logits), found once per model. */
const heads = new WeakMap<TextModel, LmHead | null>();

function checkGenerationResult(result: unknown): asserts result is TextGenerationResult {
  const r = (typeof result === 'object' && result !== null ? result : {}) as Partial<TextGenerationResult>;
  if (
    Array.isArray(r.generated) &&
    Array.isArray(r.promptTokens) &&
    Array.isArray(r.matrix) &&
    r.matrix.length === r.generated.length &&
    r.generated.length > 0
  )
    return;
  throw new InvalidInputError(
    'the generation metrics take text-generation results (promptTokens, generated, matrix)',
    'unsupported_result',
  );
}

/**
 * The masked scorer of generated token j of a text-generation result, as interpreto's
 * `GenerationInsertionDeletionBase.perturbation_generator` builds it (interpreto v0.5.0,
 * interpreto/attributions/metrics/insertion_deletion.py): the input is the prompt and the
 * generated tokens up to token j included, cut there; every token of it is a feature
 * (granularity ALL_TOKENS, interpreto's default; a token whose attribution is null, e.g. a
 * special token occlusion left out, is none); the score is the softmax probability of token j
 * at the position before it (`GenerationInferenceWrapper._target_logits` in
 * `InferenceModes.SOFTMAX`). Token j's own attribution is NaN in interpreto's matrix
 * (`post_processing`), and torch.argsort(descending=True) puts NaN first: token j is removed
 * (inserted) first, which does not change its own score (a causal model's earlier positions
 * do not see it); here its attribution is +∞ to the same effect.
 */
export function generatedTokenScorer(
  explainer: { model: TextModel },
  result: TextGenerationResult,
  j: number,
  options: Pick<GenerationMetricOptions, 'masking'> = {},
  forward: SharedForward = new SharedForward(),
): { scorer: MaskedScorer; attributions: number[]; positions: number[] } {
  checkGenerationResult(result);
  const m = explainer.model;
  if (result.model !== undefined && result.model !== m.id)
    throw new InvalidInputError(`the result explains model "${result.model}", not "${m.id}"`, 'bad_result');
  if (!Number.isInteger(j) || j < 0 || j >= result.generated.length)
    throw new InvalidInputError(`generated token ${j} is not in the result (0..${result.generated.length - 1})`, 'bad_result');
  const prompt = result.promptTokens.map((t) => t.id);
  const all = [...prompt, ...result.generated.map((t) => t.id)];
  const end = prompt.length + j; // token j's position
  const row = result.matrix[j]!;
  if (row.length !== all.length)
    throw new InvalidInputError(`matrix row ${j} has ${row.length} values for ${all.length} tokens`, 'bad_result');
  const positions = [...Array(end).keys()].filter((p) => row[p] !== null && row[p] !== undefined);
  positions.push(end);
  const attributions = positions.map((p) => (p === end ? Infinity : row[p]!));

  const logits = logitsOutput(m.onnx.graph);
  const ids = all.slice(0, end + 1);
  // As the explainer: on our runtime the LM head runs on the host; an engine that compiles the pass reads the logits.
  if (!heads.has(m)) heads.set(m, (m.gradients === m.onnx ? findLmHead(m.onnx, logits, m.feeds([ids])) : undefined) ?? null);
  const vocab = m.onnx.graph.outputs.find((o) => o.name === logits)?.shape[2];
  const score = nextTokenScorer(
    logits,
    heads.get(m) ?? undefined,
    end - 1,
    all[end]!,
    'softmax',
    typeof vocab === 'number' ? vocab : undefined,
  );
  const masking = options.masking ?? 'pad';
  if (!['pad', 'mask', 'attention'].includes(masking))
    throw new InvalidInputError(`unknown masking "${masking}"; use pad, mask, attention`, 'bad_masking');
  const removal = masking === 'attention' ? 'attention' : { replacement: replacementId(m, masking) };
  const scorer = maskedTokens(
    new TextRunner(m, ids),
    score,
    positions.map((p) => [p]),
    removal,
    forward,
  );
  return { scorer, attributions, positions };
}

/**
 * interpreto's Insertion or Deletion for generation (`Insertion` / `Deletion` on a causal LM,
 * i.e. `GenerationInsertionDeletionBase`, interpreto v0.5.0): for each generated token, the
 * curve of its probability as the features of its input (generatedTokenScorer) are removed
 * (deletion) or inserted (insertion) by decreasing attribution, in min(steps, N) + 1 points
 * (torch.linspace(0, N, p) truncated; N = ⌈features · maxFraction⌉), its AUC by the trapezoid
 * rule over [0, 1] (`torch.trapezoid(scores) / (p − 1)`); the result's value is the mean of
 * its tokens' AUCs (`InsertionDeletionBase.aggregate`: each target of a sample weighs the same).
 * Deletion: lower is better; insertion: higher is better.
 */
export async function generationCurves(
  kind: GenerationMetricName,
  explainer: { model: TextModel },
  result: TextGenerationResult,
  options: GenerationMetricOptions = {},
): Promise<GenerationMetric> {
  if (!(GENERATION_METRICS as readonly string[]).includes(kind))
    throw new InvalidInputError(`unknown generation metric "${kind}"; use ${GENERATION_METRICS.join(', ')}`, 'unknown_metric');
  checkGenerationResult(result);
  const forward = new SharedForward();
  const scorers = result.generated.map((_, j) => generatedTokenScorer(explainer, result, j, options, forward));
  // onProgress follows all the tokens' masks together (each curve reports its own fraction).
  const { onProgress } = options;
  const sizes = scorers.map((s) => Math.min(options.steps ?? 100, Math.ceil(s.attributions.length * (options.maxFraction ?? 1))) + 1);
  const total = sizes.reduce((a, b) => a + b, 0);
  const done = sizes.map(() => 0);
  const tokenOptions = (j: number): CurveOptions =>
    onProgress
      ? {
          ...options,
          onProgress: (fraction, stage) => (
            (done[j] = fraction * sizes[j]!), onProgress(Math.min(1, done.reduce((a, b) => a + b, 0) / total), stage)
          ),
        }
      : options;
  // Every token's curve at once: their rows (of different lengths) share forward passes.
  const curves = await Promise.all(
    scorers.map(async ({ scorer, attributions, positions }, token) => ({
      token,
      positions,
      ...(await perturbationCurve(kind, scorer, attributions, tokenOptions(token))),
    })),
  );
  return { auc: curves.reduce((a, c) => a + c.auc, 0) / curves.length, curves };
}

/**
 * Scores a text-generation result on interpreto's generation Deletion and Insertion (both by
 * default): `{deletion, insertion}`, each the mean over the generated tokens of the AUC of
 * that token's probability curve (generationCurves). Other metric names are an error.
 */
export async function evaluateGeneration(
  explainer: { model: TextModel },
  result: TextGenerationResult,
  metrics: readonly string[] = GENERATION_METRICS,
  options: GenerationMetricOptions = {},
): Promise<Partial<Record<GenerationMetricName, number>>> {
  checkGenerationResult(result);
  const other = metrics.filter((n) => !(GENERATION_METRICS as readonly string[]).includes(n));
  if (other.length > 0) {
    throw new InvalidInputError(
      `text-generation results are scored on ${GENERATION_METRICS.join(' and ')} only, not ${other.map((n) => `"${n}"`).join(', ')}`,
      'unsupported_metric',
    );
  }
  if (metrics.length === 0) throw new InvalidInputError(`no metric given; use ${GENERATION_METRICS.join(', ')}`, 'unknown_metric');
  const out: Partial<Record<GenerationMetricName, number>> = {};
  for (const name of new Set(metrics) as Set<GenerationMetricName>)
    out[name] = (await generationCurves(name, explainer, result, options)).auc;
  return out;
}
