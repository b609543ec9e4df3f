import type { HostTensor, TextModel } from '@glassbox/core';
import type { MaskedScorer } from '@glassbox/core/methods';
import { TextRunner } from '../packages/core/src/attribution/textRunner.ts';
import type { Scorer } from '../packages/core/src/model/scorer.ts';
import { expect } from 'vitest';
import type { Json } from './helpers.ts';

/** The raw logit of class c, as Captum's forward returns it. */
export const logit = (c: number): Scorer => ({
  output: 'logits',
  score: (z: HostTensor) => {
    const k = z.shape[1]!;
    return { scores: Float64Array.from({ length: z.shape[0]! }, (_, r) => z.data[r * k + c]!), seed: z };
  },
});

/**
 * A masked scorer over the non-special tokens of one fixture input (removed tokens become
 * [PAD], special tokens kept), explaining class c's logit; every score is memoised by its mask
 * so a brute-force reference can reuse the same evaluations.
 */
export function tokenScorer(model: TextModel, inp: Json, c: number) {
  const ids = inp.input_ids as number[];
  const runner = new TextRunner(model, ids);
  const specials = model.specialIds();
  const positions = ids.flatMap((id, i) => (specials.has(id) ? [] : [i]));
  const pad = model.tokenId('pad')!;
  const scorer = logit(c);
  const cache = new Map<string, number>();
  const masked: MaskedScorer = {
    features: positions.length,
    scores: async (masks) => {
      const rows = masks.map((m) => ids.map((id, i) => (positions.includes(i) && !m[positions.indexOf(i)] ? pad : id)));
      const scores = await runner.scoreIds(rows, scorer);
      masks.forEach((m, k) => cache.set(m.join(''), scores[k]!));
      return scores;
    },
  };
  return { masked, cache, runner, scorer, ids, positions, pad, tokens: positions.map((i) => model.tokenString(ids[i]!)) };
}

/** A masked scorer over a set function v(kept features), recording every call's size. */
export function game(features: number, v: (z: Uint8Array) => number) {
  const calls: number[] = [];
  const scorer: MaskedScorer & { calls: number[]; evaluations: () => number } = {
    features,
    calls,
    evaluations: () => calls.reduce((a, b) => a + b, 0),
    scores: async (masks) => {
      calls.push(masks.length);
      return Float64Array.from(masks, (m) => {
        expect(m.length).toBe(features);
        return v(m);
      });
    },
  };
  return scorer;
}

/** Brute-force Shapley values of a set function given by its value on every coalition (bit i of the code = feature i kept). */
export function shapley(n: number, v: (code: number) => number): number[] {
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Array<number>(n).fill(0);
  for (let code = 0; code < 2 ** n; code++) {
    const size = [...code.toString(2)].filter((b) => b === '1').length;
    for (let i = 0; i < n; i++) {
      if (code & (1 << i)) continue;
      phi[i]! += ((fact(size) * fact(n - size - 1)) / fact(n)) * (v(code | (1 << i)) - v(code));
    }
  }
  return phi;
}
