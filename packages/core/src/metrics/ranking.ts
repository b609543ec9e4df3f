import { InvalidInputError } from '../errors.ts';
import type { MaskedScorer } from '../methods/perturbation.ts';

/** Attribution values per feature: null (no attribution) and NaN count as −∞, as interpreto's `nan_to_num(-inf)`. */
export type AttributionValues = ArrayLike<number | null>;

/** The values as numbers, checked against the scorer's feature count; null and NaN become −∞. */
export function attributionValues(scorer: MaskedScorer, attributions: AttributionValues): Float64Array {
  const n = scorer.features;
  if (!Number.isInteger(n) || n < 1) throw new InvalidInputError(`a metric needs at least one feature, got ${n}`, 'bad_features');
  if (attributions.length !== n) throw new InvalidInputError(`${attributions.length} attributions for ${n} features`, 'bad_attributions');
  return Float64Array.from({ length: n }, (_, i) => {
    const v = attributions[i];
    return v === null || v === undefined || Number.isNaN(v) ? -Infinity : v;
  });
}

/** Feature indices by decreasing attribution; ties: the lower index first (a stable descending sort). */
export function descendingOrder(values: Float64Array): number[] {
  return Array.from(values.keys()).sort((a, b) => (values[b]! > values[a]! ? 1 : values[b]! < values[a]! ? -1 : a - b));
}

export const mask = (n: number, on: Iterable<number>, value: 0 | 1): Uint8Array => {
  const m = new Uint8Array(n).fill(value === 1 ? 0 : 1);
  for (const i of on) m[i] = value;
  return m;
};
