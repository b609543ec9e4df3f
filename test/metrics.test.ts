import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidInputError,
  SequenceClassificationExplainer,
  type SequenceClassificationResult,
  FERRET_BINS,
  METRICS,
  aopc,
  benchmark,
  classificationScorer,
  comprehensiveness,
  deletionAUC,
  deletionCurve,
  evaluate,
  insertionAUC,
  insertionCurve,
  parseMetrics,
  sufficiency,
} from '@glassbox/core';
import { ferretRationales } from '../packages/core/src/metrics/aopc.ts';
import { trapezoidAUC } from '../packages/core/src/metrics/curve.ts';
import type { MaskedScorer } from '@glassbox/core/methods';
import { l1Normalize } from '../packages/core/src/metrics/benchmark.ts';
import { MODELS, useLocalFixtures } from './helpers.ts';

/** A masked scorer of a set function v(kept features), recording every mask it scores. */
function game(features: number, v: (z: Uint8Array) => number) {
  const seen: string[] = [];
  const scorer: MaskedScorer & { seen: string[] } = {
    features,
    seen,
    scores: async (masks) =>
      Float64Array.from(masks, (m) => {
        expect(m.length).toBe(features);
        seen.push(m.join(''));
        return v(m);
      }),
  };
  return scorer;
}

/** f(z) = Σ w_i z_i: removing feature i lowers the score by exactly w_i. */
const additive = (w: number[]) => game(w.length, (z) => z.reduce((a, zi, i) => a + zi * w[i]!, 0));

describe('deletion and insertion AUC (interpreto)', () => {
  const w = [3, 1, 2, 0];

  it('an additive model, by hand: order 0, 2, 1, 3; one point per feature; trapezoid over [0, 1]', async () => {
    // deletion: 6 → 3 → 1 → 0 → 0; AUC = (10 − (6 + 0) / 2) / 4
    const del = await deletionCurve(additive(w), w);
    expect(del.counts).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(del.scores)).toEqual([6, 3, 1, 0, 0]);
    expect(del.auc).toBe(7 / 4);
    // insertion: 0 → 3 → 5 → 6 → 6; AUC = (20 − (0 + 6) / 2) / 4
    const ins = await insertionCurve(additive(w), w);
    expect(Array.from(ins.scores)).toEqual([0, 3, 5, 6, 6]);
    expect(await insertionAUC(additive(w), w)).toBe(17 / 4);
    expect(await deletionAUC(additive(w), w)).toBe(7 / 4);
  });

  it('fewer steps than features: torch.linspace(0, N, p) truncated; maxFraction stops early', async () => {
    // steps 2 over 4 features: 0, 2, 4 removed → 6, 1, 0
    const two = await deletionCurve(additive(w), w, { steps: 2 });
    expect(two.counts).toEqual([0, 2, 4]);
    expect(two.auc).toBe((7 - 3) / 2);
    // 10 features, 4 steps: linspace(0, 10, 5) = 0, 2.5, 5, 7.5, 10 → 0, 2, 5, 7, 10
    expect(
      (
        await deletionCurve(
          additive(Array(10).fill(1)),
          Array.from({ length: 10 }, (_, i) => -i),
          { steps: 4 },
        )
      ).counts,
    ).toEqual([0, 2, 5, 7, 10]);
    // maxFraction 0.5: N = ⌈4 · 0.5⌉ = 2 → 6, 3, 1
    const half = await deletionCurve(additive(w), w, { maxFraction: 0.5 });
    expect(half.counts).toEqual([0, 1, 2]);
    expect(half.auc).toBe((10 - 3.5) / 2);
    // ⌈4 · 0.3⌉ = 2
    expect((await deletionCurve(additive(w), w, { maxFraction: 0.3 })).counts).toEqual([0, 1, 2]);
  });

  it('a better ordering deletes faster and inserts faster', async () => {
    const reversed = w.map((v) => -v);
    expect(await deletionAUC(additive(w), w)).toBeLessThan(await deletionAUC(additive(w), reversed));
    expect(await insertionAUC(additive(w), w)).toBeGreaterThan(await insertionAUC(additive(w), reversed));
  });

  it('ties: the lower index first; null and NaN rank last (interpreto: nan → −∞)', async () => {
    // only feature 1 matters; attributions tie 0 and 1: 0 is removed first, so the score drops at the second point
    expect(Array.from((await deletionCurve(additive([0, 5, 0, 0]), [1, 1, 0, 0])).scores)).toEqual([5, 5, 0, 0, 0]);
    const g = additive([1, 10, 100, 1000]);
    await deletionCurve(g, [null, 2, Number.NaN, 0]);
    // removal order: 1, 3, then 0 and 2 (both −∞, the lower index first)
    expect(g.seen).toEqual(['1111', '1011', '1010', '0010', '0000']);
  });

  it('trapezoid AUC and the checks', async () => {
    expect(trapezoidAUC([1, 1])).toBe(1);
    expect(trapezoidAUC([0, 1, 0])).toBe(0.5);
    await expect(deletionAUC(additive(w), [1, 2])).rejects.toThrow(/2 attributions for 4 features/);
    await expect(deletionAUC(additive(w), w, { steps: 0 })).rejects.toThrow(InvalidInputError);
    await expect(insertionAUC(additive(w), w, { maxFraction: 0 })).rejects.toThrow(/maxFraction/);
  });
});

describe('AOPC comprehensiveness and sufficiency (ferret)', () => {
  const w = [3, 1, 2, 0];

  it("ferret's default bins are np.arange(0.1, 1.1, 0.1)", () => {
    expect(FERRET_BINS).toHaveLength(10);
    expect(FERRET_BINS[2]).toBe(0.1 + 2 * 0.1);
    expect(FERRET_BINS[6]).toBe(0.1 + 6 * 0.1);
    expect(FERRET_BINS[9]).toBe(1);
  });

  it('an additive model, by hand: rationales {0}, {0,2}, {0,2,1} (the zero attribution is never positive)', async () => {
    const c = await aopc('comprehensiveness', additive(w), w);
    expect(c.rationales).toEqual([[0], [0, 2], [0, 2, 1]]);
    expect(c.full).toBe(6);
    // removing them leaves 3, 1, 0: f(x) − f = 3, 5, 6
    expect(c.value).toBeCloseTo(14 / 3, 14);
    // keeping only them gives 3, 5, 6: f(x) − f = 3, 1, 0
    expect(await sufficiency(additive(w), w)).toBeCloseTo(4 / 3, 14);
    // only_pos false: the whole input is a fourth rationale (f(x) − f(empty) = 6 for comprehensiveness, 0 for sufficiency)
    expect(await comprehensiveness(additive(w), w, { onlyPositive: false })).toBe((3 + 5 + 6 + 6) / 4);
    expect(await sufficiency(additive(w), w, { onlyPositive: false })).toBe((3 + 1 + 0 + 0) / 4);
  });

  it('the true ordering is more comprehensive and more sufficient than the reversed one', async () => {
    const reversed = [1, 3, 2, 4]; // order 3, 1, 2, 0: the least important first
    expect(await comprehensiveness(additive(w), w)).toBeGreaterThan(await comprehensiveness(additive(w), reversed));
    // reversed: removing {3}, {3,1}, {3,1,2}, all → 0, 1, 3, 6
    expect(await comprehensiveness(additive(w), reversed)).toBe(2.5);
    expect(await sufficiency(additive(w), w)).toBeLessThan(await sufficiency(additive(w), reversed));
  });

  it("bins: k = int(bin · n) truncates, k = 0 is skipped and equal rationales count once (numpy's values)", () => {
    const distinct = (n: number) => Float64Array.from({ length: n }, (_, i) => n - i);
    const lengths = (n: number) => ferretRationales(distinct(n), FERRET_BINS, false).map((r) => r.length);
    // int(b · n) for n = 3, 7, 11 as numpy computes it: 0,0,0,1,1,1,2,2,2,3 / 0,1,2,2,3,4,4,5,6,7 / 1,2,3,4,5,6,7,8,9,11
    expect(lengths(3)).toEqual([1, 2, 3]);
    expect(lengths(7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(lengths(11)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 11]);
    expect(lengths(1)).toEqual([1]);
  });

  it('ties: argsort()[-k:][::-1] puts the later feature first', async () => {
    // all attributions equal: the top-1 is feature 2, the top-2 features 2 and 1
    expect(ferretRationales(Float64Array.from([1, 1, 1]), FERRET_BINS, true)).toEqual([[2], [2, 1], [2, 1, 0]]);
    const g = additive([1, 2, 4]);
    // full 7; without {2}: 3, without {2,1}: 1, without all: 0
    expect(await comprehensiveness(g, [1, 1, 1])).toBeCloseTo((4 + 6 + 7) / 3, 14);
  });

  it("no positive attribution: one empty rationale (kept once, as ferret keeps it); no rationale: ferret's 0 and 1", async () => {
    const g = additive([1, 2, 4]);
    const c = await aopc('comprehensiveness', g, [-1, -2, 0]);
    expect(c.rationales).toEqual([[]]);
    expect(c.value).toBe(0);
    // sufficiency of the empty rationale: f(x) − f(nothing kept) = 7
    expect(await sufficiency(additive([1, 2, 4]), [-1, -2, 0])).toBe(7);
    // one bin of 10% over three features: k = 0, no rationale
    expect(await comprehensiveness(additive([1, 2, 4]), [1, 2, 3], { bins: [0.1] })).toBe(0);
    expect(await sufficiency(additive([1, 2, 4]), [1, 2, 3], { bins: [0.1] })).toBe(1);
  });
});

describe('metric names, normalisation', () => {
  it('parseMetrics validates and lists the unknown names', () => {
    expect(parseMetrics(undefined)).toEqual([...METRICS]);
    expect(parseMetrics('deletion, sufficiency')).toEqual(['deletion', 'sufficiency']);
    expect(() => parseMetrics('deletion,auc,roar')).toThrow(
      /unknown metrics "auc", "roar"; use deletion, insertion, comprehensiveness, sufficiency/,
    );
    expect(() => parseMetrics('')).toThrow(/no metric/);
  });

  it("l1Normalize is ferret's lp_normalize(ord=1), nulls kept", () => {
    expect(l1Normalize([1, -3, null, 0])).toEqual([0.25, -0.75, null, 0]);
    expect(l1Normalize([0, null])).toEqual([0, null]);
  });
});

describe('on a real model (distilbert-sst2-tiny)', () => {
  let explainer: SequenceClassificationExplainer;
  let result: SequenceClassificationResult;
  const text = 'A gripping, beautifully acted film.';
  beforeAll(async () => {
    useLocalFixtures();
    explainer = await SequenceClassificationExplainer.fromPretrained(join(MODELS, 'distilbert-sst2-tiny'));
    result = await explainer.explain(text);
  });

  it("the masked scorer: the target's probability, every non-special token a feature, removed ones become [PAD]", async () => {
    const { scorer, units, attributions } = classificationScorer(explainer, result);
    const positions = units.map((u) => u[0]!);
    expect(units.every((u) => u.length === 1)).toBe(true);
    expect(positions).toEqual(result.tokens.flatMap((t, i) => (t.special ? [] : [i])));
    expect(attributions).toEqual(positions.map((p) => result.tokens[p]!.attribution));
    const [full, empty] = await scorer.scores([new Uint8Array(positions.length).fill(1), new Uint8Array(positions.length)]);
    expect(full).toBeCloseTo(result.probabilities[result.target.index]!, 5);
    // with every token removed the input is IG's [CLS] [PAD]… [SEP] baseline: the curves end there
    const pad = explainer.model.tokenId('pad')!;
    const runner = (await import('../packages/core/src/explainers/sequenceClassification.ts')).classificationInput(
      explainer.model,
      [result.text],
      true,
    ).runner;
    const baselineIds = runner.ids.map((id, i) => (positions.includes(i) ? pad : id));
    const { classScores } = await import('../packages/core/src/attribution/classification.ts');
    const [fb] = await runner.scoreIds([baselineIds], {
      output: explainer.model.onnx.graph.outputs[0]!.name,
      score: (z) => classScores(z, result.target.index, 'softmax'),
    });
    expect(empty).toBeCloseTo(fb!, 6);
  });

  it('IG: the metrics are finite, deletion and insertion in [0, 1]; the curves start and end at f(x) and f(baseline)', async () => {
    const m = await evaluate(explainer, result);
    expect(Object.keys(m)).toEqual([...METRICS]);
    for (const v of Object.values(m)) expect(Number.isFinite(v)).toBe(true);
    expect(m.deletion!).toBeGreaterThanOrEqual(0);
    expect(m.insertion!).toBeLessThanOrEqual(1);
    const { scorer, attributions } = classificationScorer(explainer, result);
    const del = await deletionCurve(scorer, attributions);
    const ins = await insertionCurve(scorer, attributions);
    expect(del.scores[0]).toBeCloseTo(ins.scores[ins.scores.length - 1]!, 6);
    expect(ins.scores[0]).toBeCloseTo(del.scores[del.scores.length - 1]!, 6);
    expect(del.auc).toBeCloseTo(m.deletion!, 12);
    // only the metrics asked
    expect(Object.keys(await evaluate(explainer, result, ['sufficiency']))).toEqual(['sufficiency']);
  });

  it('word granularity: one feature per word, its attribution the mean of its tokens; [MASK] and attention masking', async () => {
    const words = await explainer.explain('An unwatchably tedious film.', { method: 'saliency', granularity: 'word' });
    const { units, attributions, scorer } = classificationScorer(explainer, words, { granularity: 'word' });
    expect(units.length).toBeLessThan(words.tokens.filter((t) => !t.special).length);
    expect(units.some((u) => u.length > 1)).toBe(true);
    // every token of a word carries the word's value: the mean is that value
    units.forEach((u, k) => expect(attributions[k]).toBeCloseTo(words.tokens[u[0]!]!.attribution!, 12));
    expect(scorer.features).toBe(units.length);
    const tokens = classificationScorer(explainer, words);
    expect(tokens.units.flat()).toEqual(units.flat());
    // masking: the all-removed input is [CLS] [MASK]… [SEP] with 'mask'; 'attention' keeps the ids
    const none = new Uint8Array(units.length);
    const [withPad] = await scorer.scores([none]);
    const [withMask] = await classificationScorer(explainer, words, { granularity: 'word', masking: 'mask' }).scorer.scores([none]);
    const [withAttention] = await classificationScorer(explainer, words, { granularity: 'word', masking: 'attention' }).scorer.scores([
      none,
    ]);
    expect(new Set([withPad, withMask, withAttention]).size).toBe(3);
    expect(() => classificationScorer(explainer, words, { granularity: 'phrase' as never })).toThrow(/unknown granularity "phrase"/);
  });

  it('a result of another text is refused', async () => {
    const other = await explainer.explain('Dull.', { method: 'saliency' });
    expect(() => classificationScorer(explainer, { ...other, text: text })).toThrow(/tokens differ/);
  });

  it('benchmark: one row per method, the same target and tokens, L1-normalised attributions, metrics per row', async () => {
    const b = await benchmark(explainer, text, {
      methods: ['saliency', 'occlusion'],
      metrics: ['deletion', 'comprehensiveness'],
      target: 'NEGATIVE',
    });
    expect(b.target).toEqual({ index: 0, label: 'NEGATIVE' });
    expect(b.metrics).toEqual(['deletion', 'comprehensiveness']);
    expect(b.methods.map((r) => r.method)).toEqual(['saliency', 'occlusion']);
    const tokens = result.tokens.map((t) => t.token);
    for (const row of b.methods) {
      expect(row.tokens.map((t) => t.token)).toEqual(tokens);
      expect(row.tokens.reduce((s, t) => s + Math.abs(t.attribution ?? 0), 0)).toBeCloseTo(1, 12);
      expect(Object.keys(row.metrics)).toEqual(['deletion', 'comprehensiveness']);
    }
    // occlusion gives no attribution to special tokens
    expect(b.methods[1]!.tokens[0]!.attribution).toBeNull();
    // each row's metrics are evaluate's on that method's own result for the NEGATIVE class
    const occ = await explainer.explain(text, { method: 'occlusion', target: 0, transformersInterpretQuirks: false });
    const direct = await evaluate(explainer, occ, ['deletion', 'comprehensiveness'], { transformersInterpretQuirks: false });
    expect(b.methods[1]!.metrics.deletion).toBeCloseTo(direct.deletion!, 12);
    expect(b.methods[1]!.metrics.comprehensiveness).toBeCloseTo(direct.comprehensiveness!, 12);
    await expect(benchmark(explainer, text, { methods: ['saliency', 'lrp' as never] })).rejects.toThrow(/unknown method "lrp"/);
  });
});
