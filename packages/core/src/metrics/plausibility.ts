import { InvalidInputError } from '../errors.ts';
import { ferretTopK } from './aopc.ts';

/**
 * ferret's plausibility measures (`evaluators/plausibility_measures.py`): how well an
 * attribution matches a human rationale, one 0/1 per feature (1: the human marked it).
 */
export interface PlausibilityOptions {
  /** ferret's `top_k_rationale`: the k most attributed features form the hard rationale of token-F1 and token-IOU. Default 5 (ferret's). */
  topKRationale?: number;
  /** ferret's `only_pos`: only positive attributions count (AUPRC scores the others 0; top-k keeps only positive ones). Default true (ferret's). */
  onlyPositive?: boolean;
}

/** The rationale as 0/1 values, checked: one per feature, each 0 or 1 (or a boolean), at least one 1. */
export function checkRationale(rationale: ArrayLike<number | boolean>, features: number): Uint8Array {
  if (rationale.length !== features)
    throw new InvalidInputError(`the rationale has ${rationale.length} values for ${features} features`, 'bad_rationale');
  const out = Uint8Array.from({ length: features }, (_, i) => {
    const v = rationale[i];
    if (v === 1 || v === true) return 1;
    if (v === 0 || v === false) return 0;
    throw new InvalidInputError(`a rationale holds 0 or 1 per feature, got ${JSON.stringify(v)}`, 'bad_rationale');
  });
  if (!out.includes(1))
    throw new InvalidInputError('the rationale marks no feature (every value 0): plausibility needs at least one 1', 'bad_rationale');
  return out;
}

/**
 * ferret's AUPRC_PlausibilityEvaluation (auprc_plau): sklearn's `auc(recall, precision)` over
 * `precision_recall_curve(rationale, scores)` (the trapezoid rule on the curve, not
 * average_precision_score), the scores clipped at 0 when `onlyPositive`. The curve has one
 * point per distinct score, from the highest down, after (recall 0, precision 1). Higher is better, in [0, 1].
 */
export function auprc(rationale: ArrayLike<number | boolean>, attributions: ArrayLike<number>, options: PlausibilityOptions = {}): number {
  const truth = checkRationale(rationale, attributions.length);
  const scores = Array.from(attributions, (v) => ((options.onlyPositive ?? true) ? Math.max(v, 0) : v));
  const order = Array.from(scores.keys()).sort((a, b) => (scores[a]! > scores[b]! ? -1 : scores[a]! < scores[b]! ? 1 : 0));
  const positives = truth.reduce((s, t) => s + t, 0);
  let [tp, fp, recall, precision, area] = [0, 0, 0, 1, 0];
  for (const [rank, i] of order.entries()) {
    truth[i] ? tp++ : fp++;
    const next = order[rank + 1];
    if (next !== undefined && scores[next] === scores[i]) continue; // one point per distinct score
    const [r, p] = [tp / positives, tp / (tp + fp)];
    area += ((r - recall) * (p + precision)) / 2;
    [recall, precision] = [r, p];
  }
  return area;
}

/** ferret's `get_discrete_explanation_topK`: 1 for the top-k features (`_get_id_tokens_top_k`), 0 elsewhere; null when it holds none. */
function topKRationale(attributions: ArrayLike<number>, options: PlausibilityOptions): Uint8Array | null {
  const k = options.topKRationale ?? 5;
  if (!Number.isInteger(k) || k < 1)
    throw new InvalidInputError(`topKRationale must be a positive integer, got ${options.topKRationale}`, 'bad_top_k');
  const top = ferretTopK(Float64Array.from(attributions), k, options.onlyPositive ?? true);
  if (top.length === 0) return null;
  const out = new Uint8Array(attributions.length);
  for (const i of top) out[i] = 1;
  return out;
}

/**
 * ferret's Tokenf1_PlausibilityEvaluation (token_f1_plau): the F1 of the top-k features against
 * the rationale (ERASER's instance F1: 0 when precision or recall is 0); 0, as ferret, when the
 * top-k holds no feature (no positive attribution). Higher is better, in [0, 1].
 */
export function tokenF1(
  rationale: ArrayLike<number | boolean>,
  attributions: ArrayLike<number>,
  options: PlausibilityOptions = {},
): number {
  const truth = checkRationale(rationale, attributions.length);
  const predicted = topKRationale(attributions, options);
  if (!predicted) return 0;
  const tp = truth.reduce((s, t, i) => s + (t & predicted[i]!), 0);
  const precision = tp / predicted.reduce((s, p) => s + p, 0);
  const recall = tp / truth.reduce((s, t) => s + t, 0);
  return precision === 0 || recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/**
 * ferret's TokenIOU_PlausibilityEvaluation (token_iou_plau): |top-k ∩ rationale| / |top-k ∪
 * rationale| (ERASER's token IOU); 0 when the top-k holds no feature. Higher is better, in [0, 1].
 */
export function tokenIou(
  rationale: ArrayLike<number | boolean>,
  attributions: ArrayLike<number>,
  options: PlausibilityOptions = {},
): number {
  const truth = checkRationale(rationale, attributions.length);
  const predicted = topKRationale(attributions, options);
  if (!predicted) return 0;
  const both = truth.reduce((s, t, i) => s + (t & predicted[i]!), 0);
  const either = truth.reduce((s, t, i) => s + (t | predicted[i]!), 0);
  return either === 0 ? 0 : both / either;
}
