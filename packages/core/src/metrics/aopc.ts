import { InvalidInputError } from '../errors.ts';
import { type MaskedScorer, type PerturbationOptions, scoreMasks } from '../methods/perturbation.ts';
import { type AttributionValues, attributionValues, mask } from './ranking.ts';

/**
 * ferret's default bins: `np.arange(0.1, 1.1, 0.1)`, with numpy's float values (0.30000000000000004,
 * 0.7000000000000001), so that k = int(bin · n) truncates exactly as ferret's does.
 */
export const FERRET_BINS: readonly number[] = [0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6, 0.7000000000000001, 0.8, 0.9, 1.0];

export interface AopcOptions extends Omit<PerturbationOptions, 'samples' | 'seed'> {
  /** Fractions of the features in the rationale (ferret's `removal_args.thresholds`, `based_on: 'perc'`). Default FERRET_BINS. */
  bins?: readonly number[];
  /** ferret's `only_pos`: a rationale holds only features with a positive attribution. Default true (ferret's). */
  onlyPositive?: boolean;
}

export interface Aopc {
  /** The mean of f(x) − f(perturbed) over the rationales; ferret's value (0 for comprehensiveness, 1 for sufficiency) when there is none. */
  value: number;
  /** The distinct rationales, in bin order: feature indices by decreasing attribution. */
  rationales: number[][];
  /** f(x): the score of the whole input. */
  full: number;
  /** The score with each rationale removed (comprehensiveness) or alone (sufficiency). */
  scores: Float64Array;
}

/**
 * ferret's `_get_id_tokens_top_k`: `argsort()[-k:][::-1]`, so among equal attributions the later
 * feature comes first (numpy's ascending sort keeps ties in index order; ferret then reverses),
 * then only positive attributions when `onlyPositive`.
 */
export function ferretTopK(values: Float64Array, k: number, onlyPositive: boolean): number[] {
  const ascending = Array.from(values.keys()).sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : a - b));
  const top = ascending.slice(Math.max(0, ascending.length - k)).reverse();
  return onlyPositive ? top.filter((i) => values[i]! > 0) : top;
}

/**
 * The rationales ferret evaluates (`based_on: 'perc'`): for each bin, k = int(bin · n); k = 0
 * (or k > n) gives none; a rationale equal (as a set) to the previous one is skipped. An empty
 * rationale (no positive attribution) is kept the first time, as ferret keeps it.
 */
export function ferretRationales(values: Float64Array, bins: readonly number[], onlyPositive: boolean): number[][] {
  const n = values.length;
  const out: number[][] = [];
  let last: Set<number> | null = null;
  for (const bin of bins) {
    if (typeof bin !== 'number' || !Number.isFinite(bin)) throw new InvalidInputError(`bins must be numbers, got ${bin}`, 'bad_bins');
    const k = Math.trunc(bin * n);
    if (k <= 0 || k > n) continue;
    const top = ferretTopK(values, k, onlyPositive);
    if (last && top.length === last.size && top.every((i) => last!.has(i))) continue;
    last = new Set(top);
    out.push(top);
  }
  return out;
}

/** AOPC (ferret's `_compute_aopc`: the mean) of f(x) − f(x with each rationale removed, or alone). */
export async function aopc(
  kind: 'comprehensiveness' | 'sufficiency',
  scorer: MaskedScorer,
  attributions: AttributionValues,
  options: AopcOptions = {},
): Promise<Aopc> {
  const values = attributionValues(scorer, attributions);
  const n = values.length;
  const rationales = ferretRationales(values, options.bins ?? FERRET_BINS, options.onlyPositive ?? true);
  // comprehensiveness: the rationale removed (0), the rest kept; sufficiency: only the rationale kept.
  const masks = [new Uint8Array(n).fill(1), ...rationales.map((r) => mask(n, r, kind === 'comprehensiveness' ? 0 : 1))];
  const all = await scoreMasks(scorer, masks, options, kind);
  const full = all[0]!;
  const scores = all.slice(1);
  const value =
    rationales.length === 0 ? (kind === 'comprehensiveness' ? 0 : 1) : scores.reduce((s, v) => s + (full - v), 0) / scores.length;
  return { value, rationales, full, scores };
}
