import { InvalidInputError } from '../errors.ts';
import type { MaskedScorer } from '../methods/perturbation.ts';
import { SharedForward } from './sharedForward.ts';
import type { TextRunner } from './textRunner.ts';
import type { Scorer } from '../model/scorer.ts';

/** How a removed unit leaves the input: its tokens replaced by a token id, or dropped from attention (attention_mask 0). */
export type TextMasking = { replacement: number } | 'attention';

/**
 * The runner's input seen through `units` (lists of token positions, disjoint) as a
 * MaskedScorer for perturbation methods: feature k is unit k; where a mask holds 0 the
 * unit's tokens become `mask.replacement`, or, with 'attention', keep their ids and get
 * attention_mask 0. Tokens in no unit (specials) are always kept. Rows are scored through
 * `forward`, which explanations running at once may share.
 */
export function maskedTokens(
  runner: TextRunner,
  scorer: Scorer,
  units: readonly (readonly number[])[],
  mask: TextMasking,
  forward: SharedForward = new SharedForward(),
): MaskedScorer {
  const T = runner.ids.length;
  if (units.length === 0) throw new InvalidInputError('the input has no unit to attribute to (only special tokens?)', 'bad_features');
  const seen = new Uint8Array(T);
  for (const u of units) {
    if (u.length === 0) throw new InvalidInputError('units must be non-empty lists of token positions', 'bad_units');
    for (const p of u) {
      if (!Number.isInteger(p) || p < 0 || p >= T)
        throw new InvalidInputError(`unit position ${p} is not a token (0..${T - 1})`, 'bad_units');
      if (seen[p]) throw new InvalidInputError(`token ${p} is in two units; units must be disjoint`, 'bad_units');
      seen[p] = 1;
    }
  }
  const check = (m: Uint8Array) => {
    if (m.length !== units.length) throw new InvalidInputError(`a mask over ${units.length} units has ${m.length} entries`, 'bad_mask');
  };
  return {
    features: units.length,
    scores: async (masks) => {
      masks.forEach(check);
      const rows = masks.map((m) => {
        if (mask === 'attention') {
          const attention = new Array<number>(T).fill(1);
          units.forEach((u, k) => !m[k] && u.forEach((p) => (attention[p] = 0)));
          return { ids: runner.ids, attention };
        }
        const ids = [...runner.ids];
        units.forEach((u, k) => !m[k] && u.forEach((p) => (ids[p] = mask.replacement)));
        return { ids };
      });
      return forward.score(runner, rows, scorer);
    },
  };
}

/** One value per token from one value per unit: each token of a unit carries the unit's value, tokens in no unit null. */
export function spreadUnits(values: ArrayLike<number>, units: readonly (readonly number[])[], tokens: number): (number | null)[] {
  const out = new Array<number | null>(tokens).fill(null);
  units.forEach((u, k) => u.forEach((p) => (out[p] = values[k]!)));
  return out;
}

export const UNIT_AGGREGATES = ['sum', 'mean', 'max', 'signed-max'] as const;
/** How token values become a unit's value (gradient methods at a coarser granularity). */
export type UnitAggregate = (typeof UNIT_AGGREGATES)[number];

/**
 * Aggregates per-token values into one value per unit: 'sum', 'mean', 'max' (the largest
 * value) or 'signed-max' (the value of largest magnitude, with its sign). Null tokens are skipped.
 */
export function aggregateUnits(perToken: readonly (number | null)[], units: readonly (readonly number[])[], how: UnitAggregate): number[] {
  return units.map((u) => {
    const v = u.map((p) => perToken[p]).filter((x): x is number => x !== null && x !== undefined);
    if (v.length === 0) return 0;
    if (how === 'sum') return v.reduce((a, b) => a + b, 0);
    if (how === 'mean') return v.reduce((a, b) => a + b, 0) / v.length;
    if (how === 'max') return Math.max(...v);
    return v.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), v[0]!);
  });
}
