import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  kendallTauB,
  METRICS,
  PLAUSIBILITY_METRICS,
  SequenceClassificationExplainer,
  type SequenceClassificationResult,
  auprc,
  benchmark,
  classificationScorer,
  evaluate,
  tauLoo,
  tokenF1,
  tokenIou,
} from '@glassbox/core';
import type { MaskedScorer } from '@glassbox/core/methods';
import { MODELS, useLocalFixtures } from './helpers.ts';

/** f(z) = Σ w_i z_i over the kept features: removing feature i alone drops the score by exactly w_i. */
function additive(w: number[]): MaskedScorer & { seen: string[] } {
  const seen: string[] = [];
  return {
    features: w.length,
    seen,
    scores: async (masks) => Float64Array.from(masks, (m) => (seen.push(m.join('')), m.reduce((a, z, i) => a + z * w[i]!, 0))),
  };
}

/** τ-b written independently: the correlation of the pairwise sign matrices, Σ sxy / √(Σ sx² · Σ sy²). */
function tauBBySigns(x: number[], y: number[]): number {
  let [xy, xx, yy] = [0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < x.length; j++) {
      const [sx, sy] = [Math.sign(x[i]! - x[j]!), Math.sign(y[i]! - y[j]!)];
      [xy, xx, yy] = [xy + sx * sy, xx + sx * sx, yy + sy * sy];
    }
  }
  return xy / Math.sqrt(xx * yy);
}

/** sklearn's auc(recall, precision) over precision_recall_curve, written directly: one point per distinct score as a threshold (score ≥ t), highest first, after (0, 1). */
function prAreaByThresholds(truth: number[], scores: number[]): number {
  const thresholds = [...new Set(scores)].sort((a, b) => b - a);
  const positives = truth.filter((t) => t === 1).length;
  const points: [number, number][] = [[0, 1]];
  for (const t of thresholds) {
    const picked = scores.map((s, i) => (s >= t ? i : -1)).filter((i) => i >= 0);
    const tp = picked.filter((i) => truth[i] === 1).length;
    points.push([tp / positives, tp / picked.length]);
  }
  let area = 0;
  for (let k = 1; k < points.length; k++) area += ((points[k]![0] - points[k - 1]![0]) * (points[k]![1] + points[k - 1]![1])) / 2;
  return area;
}

/** A seeded stream of small integers (many ties). */
function ints(seed: number, n: number, max: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647), Math.floor((s / 2147483647) * max)));
}

describe("Kendall's τ-b (scipy.stats.kendalltau)", () => {
  it('worked examples with ties, by hand', () => {
    // pairs: 3 concordant, 1 discordant, one tied in x, one in y: (3 − 1) / √(6 − 1) / √(6 − 1)
    expect(kendallTauB([1, 2, 2, 3], [1, 3, 2, 2])).toBeCloseTo(0.4, 15);
    // a pair tied in both counts in each tie count: −2 / √(3 − 1) / √(3 − 1)
    expect(kendallTauB([1, 1, 2], [3, 3, 1])).toBeCloseTo(-1, 15);
    expect(kendallTauB([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTauB([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
  });

  it('equals the sign-matrix correlation on random lists with ties', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const x = ints(seed, 12, 4);
      const y = ints(seed + 100, 12, 5);
      expect(kendallTauB(x, y)).toBeCloseTo(tauBBySigns(x, y), 12);
    }
  });

  it('NaN where scipy gives nan: a constant list, fewer than two values; −∞ ranks lowest', () => {
    expect(kendallTauB([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(kendallTauB([1], [2])).toBeNaN();
    expect(kendallTauB([-Infinity, 0, 1], [0, 1, 2])).toBe(1);
    expect(() => kendallTauB([1, 2], [1])).toThrow(RangeError);
  });
});

describe('taucorr_loo (ferret TauLOO_Evaluation)', () => {
  const w = [3, 1, 2, 0];

  it('the leave-one-out drops of an additive model are its weights: the whole input, then each feature removed alone', async () => {
    const scorer = additive(w);
    const r = await tauLoo(scorer, w);
    expect(scorer.seen).toEqual(['1111', '0111', '1011', '1101', '1110']);
    expect(r.full).toBe(6);
    expect(Array.from(r.drops)).toEqual(w);
    expect(r.value).toBe(1);
    expect(
      (
        await tauLoo(
          additive(w),
          w.map((v) => -v),
        )
      ).value,
    ).toBe(-1);
  });

  it('with ties and a null: τ-b by hand', async () => {
    // drops [3, 1, 2, 0] against [1, 2, 2, 3]: 5 discordant pairs, one tied in the attributions: −5 / √6 / √5
    expect((await tauLoo(additive(w), [1, 2, 2, 3])).value).toBeCloseTo(-5 / Math.sqrt(30), 14);
    // null ranks lowest, as in the other metrics: [3, 1, 2, −∞] orders like the drops
    expect((await tauLoo(additive(w), [3, 1, 2, null])).value).toBe(1);
  });
});

describe('plausibility (ferret AUPRC, token-F1, token-IOU)', () => {
  it('AUPRC is the trapezoid area under the precision-recall curve, not average precision', () => {
    // points (0, 1), (½, 1), (½, ½), (½, ⅓), (1, ½): ½ + ½ · (⅓ + ½) / 2 = 17/24 (average precision would be ¾)
    expect(auprc([1, 0, 1, 0], [0.4, 0.3, 0.1, 0.2], { onlyPositive: false })).toBeCloseTo(17 / 24, 15);
    // tied scores are one point: (½, ½) then (½, ⅓), (1, ½)
    expect(auprc([1, 0, 0, 1], [0.5, 0.5, 0.1, 0], { onlyPositive: false })).toBeCloseTo(7 / 12, 15);
    // ferret's only_pos (default): negative scores become 0, and tie
    expect(auprc([1, 0, 1, 0], [0.4, -0.3, -0.1, 0.2])).toBeCloseTo(3 / 4, 15);
    expect(auprc([1, 0, 1, 0], [0.4, -0.3, -0.1, 0.2], { onlyPositive: false })).toBeCloseTo(19 / 24, 15);
    expect(auprc([1, 1, 0], [0.9, 0.8, 0.1])).toBe(1);
  });

  it('AUPRC equals the curve computed threshold by threshold on random scores with ties', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const scores = ints(seed, 15, 6).map((v) => v - 2);
      const truth = ints(seed + 7, 15, 2);
      if (!truth.includes(1)) continue;
      expect(auprc(truth, scores, { onlyPositive: false })).toBeCloseTo(prAreaByThresholds(truth, scores), 12);
      expect(auprc(truth, scores)).toBeCloseTo(
        prAreaByThresholds(
          truth,
          scores.map((s) => Math.max(s, 0)),
        ),
        12,
      );
    }
  });

  it("token-F1 and token-IOU on ferret's top-k (default 5, positive attributions only), by hand", () => {
    const a = [0.9, 0.1, 0.5, -0.2, 0.3, 0, 0.7];
    const truth = [1, 0, 0, 1, 1, 0, 0];
    // top 5: {0, 6, 2, 4, 1}; hits {0, 4}: P = 2/5, R = 2/3, F1 = ½; IOU = 2 / |{0, 1, 2, 3, 4, 6}|
    expect(tokenF1(truth, a)).toBeCloseTo(0.5, 15);
    expect(tokenIou(truth, a)).toBeCloseTo(1 / 3, 15);
    // top 2: {0, 6}: P = ½, R = ⅓, F1 = 0.4; IOU = 1 / |{0, 3, 4, 6}|
    expect(tokenF1(truth, a, { topKRationale: 2 })).toBeCloseTo(0.4, 15);
    expect(tokenIou(truth, a, { topKRationale: 2 })).toBeCloseTo(0.25, 15);
    // k = 7: only the 5 positive ones unless onlyPositive is false (then all 7: P = 3/7, R = 1)
    expect(tokenF1(truth, a, { topKRationale: 7 })).toBeCloseTo(0.5, 15);
    expect(tokenF1(truth, a, { topKRationale: 7, onlyPositive: false })).toBeCloseTo(0.6, 15);
    expect(tokenIou(truth, a, { topKRationale: 7, onlyPositive: false })).toBeCloseTo(3 / 7, 15);
    // no hit: F1 0; no positive attribution: ferret's default 0
    expect(tokenF1([0, 1], [1, 0.5], { topKRationale: 1 })).toBe(0);
    expect(tokenF1([1, 0], [-1, -2])).toBe(0);
    expect(tokenIou([1, 0], [-1, -2])).toBe(0);
  });

  it('ties in the top-k: argsort()[-k:][::-1], the later feature first', () => {
    // [0.5, 0.5, 0.5] with k = 1 picks feature 2
    expect(tokenF1([0, 0, 1], [0.5, 0.5, 0.5], { topKRationale: 1 })).toBe(1);
    expect(tokenF1([1, 0, 0], [0.5, 0.5, 0.5], { topKRationale: 1 })).toBe(0);
  });

  it('the rationale: 0/1 per feature, at least one 1; k a positive integer', () => {
    expect(() => auprc([1, 0], [1, 2, 3])).toThrow(/2 values for 3 features/);
    expect(() => tokenF1([0, 0], [1, 2])).toThrow(/marks no feature/);
    expect(() => tokenIou([1, 2], [1, 2])).toThrow(/0 or 1 per feature, got 2/);
    expect(() => tokenF1([1, 0], [1, 2], { topKRationale: 0 })).toThrow(/topKRationale must be a positive integer/);
    expect(tokenF1([true, false], [1, 0], { topKRationale: 1 })).toBe(1);
  });
});

describe('on a real model (distilbert-sst2-tiny)', () => {
  const text = 'An unwatchably tedious film.';
  let explainer: SequenceClassificationExplainer;
  let result: SequenceClassificationResult;
  beforeAll(async () => {
    useLocalFixtures();
    explainer = await SequenceClassificationExplainer.fromPretrained(join(MODELS, 'distilbert-sst2-tiny'));
    result = await explainer.explain(text, { method: 'saliency' });
  });

  it("taucorr_loo: the drops are the scorer's, one feature removed at a time; feature ablation (the same removal) scores 1", async () => {
    const { scorer, attributions } = classificationScorer(explainer, result);
    const n = scorer.features;
    const scores = await scorer.scores([
      new Uint8Array(n).fill(1),
      ...Array.from({ length: n }, (_, i) => Uint8Array.from({ length: n }, (_, j) => (i === j ? 0 : 1))),
    ]);
    const drops = Array.from(scores.slice(1), (s) => scores[0]! - s);
    const m = await evaluate(explainer, result, ['taucorr_loo']);
    expect(m.taucorr_loo).toBeCloseTo(kendallTauB(drops, attributions as number[]), 12);
    const ablation = await explainer.explain(text, { method: 'feature-ablation', output: 'softmax' });
    expect((await evaluate(explainer, ablation, ['taucorr_loo'])).taucorr_loo).toBeCloseTo(1, 12);
  });

  it('a rationale per token (with or without specials) or per word; plausibility on the metric features', async () => {
    const tokens = result.tokens;
    const inner = tokens.filter((t) => !t.special);
    const { units: words } = classificationScorer(explainer, result, { granularity: 'word' });
    expect(words.length).toBeLessThan(inner.length);
    // mark the last word ("film"), per word, per token and per token with specials
    const perWord = words.map((_, k) => (k === words.length - 2 ? 1 : 0));
    const marked = new Set(words[words.length - 2]);
    const perToken = tokens.flatMap((t, i) => (t.special ? [] : [marked.has(i) ? 1 : 0]));
    const perAll = tokens.map((_, i) => (marked.has(i) ? 1 : 0));
    const a = classificationScorer(explainer, result, { rationale: perWord });
    expect(a.rationale).toEqual(Uint8Array.from(perToken));
    expect(classificationScorer(explainer, result, { rationale: perToken }).rationale).toEqual(a.rationale);
    expect(classificationScorer(explainer, result, { rationale: perAll }).rationale).toEqual(a.rationale);
    // at word granularity a word is in it when one of its tokens is
    expect(classificationScorer(explainer, result, { granularity: 'word', rationale: perToken }).rationale).toEqual(
      Uint8Array.from(perWord),
    );
    const m = await evaluate(explainer, result, undefined, { rationale: perWord });
    expect(Object.keys(m)).toEqual([...METRICS, ...PLAUSIBILITY_METRICS]);
    const values = a.attributions as number[];
    expect(m.auprc_plau).toBeCloseTo(auprc(perToken, values), 15);
    expect(m.token_f1_plau).toBeCloseTo(tokenF1(perToken, values), 15);
    expect(m.token_iou_plau).toBeCloseTo(tokenIou(perToken, values), 15);
    const k2 = await evaluate(explainer, result, ['token_f1_plau'], { rationale: perWord, topKRationale: 2 });
    expect(k2.token_f1_plau).toBeCloseTo(tokenF1(perToken, values, { topKRationale: 2 }), 15);
  });

  it('rationale errors: a length matching neither tokens nor words names both; plausibility without a rationale', async () => {
    const n = result.tokens.length;
    const inner = result.tokens.filter((t) => !t.special).length;
    expect(() => classificationScorer(explainer, result, { rationale: [1, 0] })).toThrow(
      new RegExp(
        `"rationale" must hold one 0/1 per token \\(${inner}, or ${n} with the special tokens\\) or per word \\(\\d+\\); got 2 values`,
      ),
    );
    await expect(evaluate(explainer, result, ['deletion', 'auprc_plau', 'token_f1_plau'])).rejects.toThrow(
      /auprc_plau, token_f1_plau need a human rationale/,
    );
    // specials only: no feature is marked
    expect(() => classificationScorer(explainer, result, { rationale: result.tokens.map((t) => (t.special ? 1 : 0)) })).toThrow(
      /marks no feature/,
    );
  });

  it('benchmark: taucorr_loo by default, the plausibility metrics with a rationale', async () => {
    const inner = result.tokens.filter((t) => !t.special).length;
    const rationale = Array.from({ length: inner }, (_, i) => (i === 0 ? 1 : 0));
    const b = await benchmark(explainer, text, { methods: ['saliency', 'feature-ablation'], rationale, explain: { output: 'softmax' } });
    expect(b.metrics).toEqual([...METRICS, ...PLAUSIBILITY_METRICS]);
    expect(b.methods[1]!.metrics.taucorr_loo).toBeCloseTo(1, 12);
    for (const row of b.methods) for (const m of PLAUSIBILITY_METRICS) expect(row.metrics[m]).toBeGreaterThanOrEqual(0);
    expect((await benchmark(explainer, text, { methods: ['saliency'] })).metrics).toEqual([...METRICS]);
  });
});
