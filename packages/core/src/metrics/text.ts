import { InvalidInputError } from '../errors.ts';
import { replacementId } from '../attribution/attributeTokens.ts';
import { maskedTokens } from '../attribution/maskedText.ts';
import { classificationInput, type SequenceClassificationResult } from '../explainers/sequenceClassification.ts';
import type { MaskedScorer } from '../methods/perturbation.ts';
import type { TextModel } from '../model/textModel.ts';
import type { ExplainOptions } from '../attribution/explainOptions.ts';
import { TEXT_METHOD_TABLE } from '../attribution/textMethods/index.ts';
import { GRANULARITIES, type Granularity, unitsOf } from '../text/units.ts';
import { type AopcOptions, aopc } from './aopc.ts';
import { attributionValues } from './ranking.ts';
import { type CurveOptions, perturbationCurve } from './curve.ts';
import { type PlausibilityOptions, auprc, tokenF1, tokenIou } from './plausibility.ts';
import { tauLoo } from './tauLoo.ts';
import type { TextGenerationResult } from '../explainers/textGeneration.ts';
import { GENERATION_METRICS, evaluateGeneration } from './generation.ts';
import { unitRationale } from './textRationale.ts';

/** The faithfulness metrics, by the names the CLI takes: what runs when no metric is named. */
export const METRICS = ['deletion', 'insertion', 'comprehensiveness', 'sufficiency', 'taucorr_loo'] as const;
/** ferret's plausibility metrics (its short names): they need a human rationale, and run by default when one is given. */
export const PLAUSIBILITY_METRICS = ['auprc_plau', 'token_f1_plau', 'token_iou_plau'] as const;
export type MetricName = (typeof METRICS)[number] | (typeof PLAUSIBILITY_METRICS)[number];
export type MetricScores = Partial<Record<MetricName, number>>;
const ALL_METRICS: readonly MetricName[] = [...METRICS, ...PLAUSIBILITY_METRICS];

/** The metrics run when none is named: the faithfulness ones, and the plausibility ones when there is a rationale. */
export const defaultMetrics = (rationale: boolean): MetricName[] => [...METRICS, ...(rationale ? PLAUSIBILITY_METRICS : [])];

export interface MetricOptions extends CurveOptions, AopcOptions, PlausibilityOptions {
  /**
   * A human rationale for the plausibility metrics (ferret's `ExplanationWithRationale.rationale`):
   * one 0/1 per token (every token of the result, special tokens included, or only the
   * non-special ones) or per word; a feature of the metrics' granularity is in it when one of its tokens is.
   */
  rationale?: readonly (number | boolean)[];
  /** How a token is removed: replaced by [PAD] ('pad', default) or [MASK] ('mask'), or dropped from attention ('attention'). Special tokens are always kept. */
  masking?: 'pad' | 'mask' | 'attention';
  /**
   * The features removed together: 'token' (default; the non-special tokens), 'word', 'sentence'
   * or 'all-tokens' (specials included), as the explainers' `granularity`. A unit's attribution
   * is the mean of its tokens' (their unit's value when the result was explained at that granularity).
   */
  granularity?: Granularity;
  /** The run the metrics score: transformers-interpret's segments or the model's own. Default: as the explainer chose for the result. */
  transformersInterpretQuirks?: boolean;
}

/**
 * The metric options that score an explanation as it was explained: its granularity and its
 * way of removing units (its masking, else [MASK] when its baseline was the mask token, else [PAD]).
 */
export function metricOptionsOf(options: ExplainOptions): MetricOptions {
  const { masking, baseline } = options;
  return {
    granularity: options.granularity,
    masking: masking === 'pad' || masking === 'mask' || masking === 'attention' ? masking : baseline === 'mask' ? 'mask' : 'pad',
    transformersInterpretQuirks: options.transformersInterpretQuirks,
  };
}

/** Metric names from a list or a comma-separated string; unknown names are listed with the valid ones. */
export function parseMetrics(value: string | readonly string[] | undefined): MetricName[] {
  if (value === undefined) return [...METRICS];
  const names = (typeof value === 'string' ? value.split(',') : [...value]).map((s) => String(s).trim()).filter((s) => s !== '');
  const unknown = names.filter((s) => !(ALL_METRICS as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new InvalidInputError(
      `unknown metric${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}; use ${ALL_METRICS.join(', ')}`,
      'unknown_metric',
    );
  if (names.length === 0) throw new InvalidInputError(`no metric given; use ${ALL_METRICS.join(', ')}`, 'unknown_metric');
  return [...new Set(names)] as MetricName[];
}

/** Results of other tasks, each named by a field only its kind has. */
const OTHER_RESULTS: readonly (readonly [field: string, task: string])[] = [
  ['generated', 'text-generation'],
  ['question', 'question-answering'],
  ['explained', 'token-classification'],
  ['hypothesisTemplate', 'zero-shot-classification'],
  ['targets', 'multi-label-classification'],
  ['map', 'image-classification'],
];

/**
 * Stops at once on a result the metrics do not define: they remove the tokens of one
 * explained input and re-score its target class, which only a text-classification or
 * pair-classification result has (not, e.g., a generation result's growing prefixes).
 */
function checkClassificationResult(result: unknown): asserts result is SequenceClassificationResult {
  const r = (typeof result === 'object' && result !== null ? result : {}) as Partial<SequenceClassificationResult>;
  const other = OTHER_RESULTS.find(([field]) => field in r);
  if (other === undefined && typeof r.text === 'string' && Array.isArray(r.tokens) && typeof r.target?.index === 'number') return;
  throw new InvalidInputError(
    `the faithfulness metrics take text-classification and pair-classification results (text, tokens, target), not ${other ? `a ${other[1]} result` : 'this value'}`,
    'unsupported_result',
  );
}

/**
 * The masked scorer of a text-classification result, as ferret and interpreto score it: the
 * probability of the result's target class (softmax over the classes; the sigmoid of a
 * single-output head) on the explained text, with the non-special tokens as features
 * (special tokens kept, a removed token replaced by [PAD], [MASK] with `masking: 'mask'`, or
 * given attention_mask 0 with `masking: 'attention'`: attribution/maskedText.ts),
 * and the result's attribution of each feature.
 */
export function classificationScorer(
  explainer: { model: TextModel },
  result: SequenceClassificationResult,
  options: Pick<MetricOptions, 'masking' | 'transformersInterpretQuirks' | 'granularity' | 'rationale'> = {},
): { scorer: MaskedScorer; attributions: (number | null)[]; units: number[][]; rationale?: Uint8Array } {
  checkClassificationResult(result);
  const model = explainer.model;
  // The explanation's own default (resolveOptions): its method's, on a softmax target.
  const methodQuirks = TEXT_METHOD_TABLE.find((m) => m.name === result.method)?.defaults.quirks ?? false;
  const quirks = options.transformersInterpretQuirks ?? (methodQuirks && result.output === 'softmax');
  const texts: [string] | [string, string] = result.textPair === undefined ? [result.text] : [result.text, result.textPair];
  const input = classificationInput(model, texts, quirks);
  if (input.ids.length !== result.tokens.length || input.ids.some((id, i) => result.tokens[i]!.id !== id)) {
    throw new InvalidInputError(
      'the result does not come from this explainer: its tokens differ from the text as the model tokenizes it',
      'bad_result',
    );
  }
  const flip = 'flipSign' in result && (result as { flipSign?: boolean }).flipSign === true;
  const space = result.logits.length === 1 ? 'sigmoid' : 'softmax';
  const scorer = input.scorer(result.target.index, space, flip ? -1 : 1);
  const granularity = options.granularity ?? 'token';
  if (!GRANULARITIES.includes(granularity))
    throw new InvalidInputError(`unknown granularity "${granularity}"; use ${GRANULARITIES.join(', ')}`, 'bad_granularity');
  const units = unitsOf(input.spans, input.texts, granularity);
  if (units.length === 0) throw new InvalidInputError('the text has no tokens to evaluate besides special tokens', 'empty_text');
  const masking = options.masking ?? 'pad';
  if (!['pad', 'mask', 'attention'].includes(masking))
    throw new InvalidInputError(`unknown masking "${masking}"; use pad, mask, attention`, 'bad_masking');
  const removal = masking === 'attention' ? 'attention' : { replacement: replacementId(model, masking) };
  const attributions = units.map((u) => {
    const v = u.map((p) => result.tokens[p]!.attribution).filter((a): a is number => a !== null);
    return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
  });
  const rationale = options.rationale === undefined ? undefined : unitRationale(options.rationale, input.spans, input.texts, units);
  return { scorer: maskedTokens(input.runner, scorer, units, removal), attributions, units, ...(rationale && { rationale }) };
}

/**
 * The metrics of an attribution over a masked scorer (the names' definitions: see each
 * metric's file); `rationale`, one 0/1 per feature (classificationScorer's), for the plausibility
 * metrics, which run by default when it is given. `options.rationale` is not read here.
 */
export async function evaluateScorer(
  scorer: MaskedScorer,
  attributions: ArrayLike<number | null>,
  metrics: readonly MetricName[] = defaultMetrics(false),
  options: MetricOptions = {},
  rationale?: ArrayLike<number>,
): Promise<MetricScores> {
  const out: MetricScores = {};
  const values = attributionValues(scorer, attributions);
  const names = parseMetrics(metrics);
  const needs = names.filter((n) => (PLAUSIBILITY_METRICS as readonly string[]).includes(n));
  if (needs.length > 0 && rationale === undefined)
    throw new InvalidInputError(
      `${needs.join(', ')} need${needs.length > 1 ? '' : 's'} a human rationale ("rationale": one 0/1 per token or per word)`,
      'missing_rationale',
    );
  for (const name of names) {
    if (name === 'deletion' || name === 'insertion') out[name] = (await perturbationCurve(name, scorer, attributions, options)).auc;
    else if (name === 'comprehensiveness' || name === 'sufficiency') out[name] = (await aopc(name, scorer, attributions, options)).value;
    else if (name === 'taucorr_loo') out[name] = (await tauLoo(scorer, attributions, options)).value;
    else if (name === 'auprc_plau') out[name] = auprc(rationale!, values, options);
    else if (name === 'token_f1_plau') out[name] = tokenF1(rationale!, values, options);
    else out[name] = tokenIou(rationale!, values, options);
  }
  return out;
}

/**
 * Scores a text-classification result (SequenceClassificationExplainer's or the pairwise
 * one's) on the metrics asked, on the explainer's model: deletion and insertion AUC
 * (interpreto's), AOPC comprehensiveness and sufficiency and taucorr_loo (ferret's), all on the
 * target class's probability; with `options.rationale`, ferret's plausibility (auprc_plau,
 * token_f1_plau, token_iou_plau). Default: METRICS, and PLAUSIBILITY_METRICS when there is a rationale.
 * A text-generation result is scored on deletion and insertion only (evaluateGeneration; both by default).
 */
export async function evaluate(
  explainer: { model: TextModel },
  result: SequenceClassificationResult | TextGenerationResult,
  metrics?: readonly MetricName[],
  options: MetricOptions = {},
): Promise<MetricScores> {
  // A text-generation result: interpreto's generation deletion and insertion (metrics/generation.ts).
  if (typeof result === 'object' && result !== null && 'generated' in result)
    return evaluateGeneration(explainer, result, metrics ?? GENERATION_METRICS, options);
  const { scorer, attributions, rationale } = classificationScorer(explainer, result, options);
  return evaluateScorer(scorer, attributions, metrics ?? defaultMetrics(rationale !== undefined), options, rationale);
}
