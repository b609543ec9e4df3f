import { beforeAll, describe, expect, it } from 'vitest';
import { type HostTensor, SequenceClassificationExplainer, TokenClassificationExplainer } from '@glassbox/core';
import { TextRunner } from '../packages/core/src/attribution/textRunner.ts';
import type { Scorer } from '../packages/core/src/model/scorer.ts';
import { glassbox } from './cliRunner.ts';
import { type Json, MODELS, refsOf, useLocalFixtures } from './helpers.ts';
import { join } from 'node:path';

/**
 * Shapley methods report shap's base value f(∅) and f(x) per explained target, and their
 * values sum to the difference: Σφ + baseValue = fx, each unit counted once.
 */
const SST2 = 'distilbert-sst2-tiny';
const text = refsOf(SST2).inputs[1].text as string;

/** Class c's softmax probability, written out here (not the library's scorer). */
const probability = (c: number): Scorer => ({
  output: 'logits',
  score: (z: HostTensor) => {
    const k = z.shape[1]!;
    const scores = Float64Array.from({ length: z.shape[0]! }, (_, r) => {
      const row = Array.from(z.data.subarray(r * k, (r + 1) * k));
      const max = Math.max(...row);
      const e = row.map((v) => Math.exp(v - max));
      return e[c]! / e.reduce((a, b) => a + b, 0);
    });
    return { scores, seed: z };
  },
});

/** Σ over units (words at word granularity, else tokens) of the non-null attributions. */
const unitSum = (xs: { attribution: number | null }[]) => xs.reduce((a, x) => a + (x.attribution ?? 0), 0);

describe('Shapley methods: baseValue and fx', () => {
  let explainer: SequenceClassificationExplainer;
  let masked: number[];
  beforeAll(async () => {
    useLocalFixtures();
    explainer = await SequenceClassificationExplainer.fromPretrained(SST2);
    const { ids } = explainer.model.encode(text);
    const specials = explainer.model.specialIds();
    const pad = explainer.model.tokenId('pad')!;
    const runner = new TextRunner(explainer.model, ids);
    const fullyMasked = ids.map((id) => (specials.has(id) ? id : pad));
    masked = await Promise.all([0, 1].map(async (c) => (await runner.scoreIds([fullyMasked], probability(c)))[0]!));
  });

  for (const method of ['kernel-shap', 'partition-shap'] as const) {
    for (const granularity of ['token', 'word'] as const) {
      it(`${method} at ${granularity} granularity: baseValue = f(all [PAD]), fx = the probability, Σφ + baseValue = fx`, async () => {
        const [results] = await explainer.explainBatch([text], { method, granularity, targets: 'all' });
        for (const r of results!) {
          const c = r.target.index;
          expect(r.baseValue).toBeCloseTo(masked[c]!, 6);
          expect(r.fx).toBeCloseTo(r.probabilities[c]!, 6);
          expect(unitSum(r.words) + r.baseValue!).toBeCloseTo(r.fx!, 9);
          if (granularity === 'token') expect(unitSum(r.tokens) + r.baseValue!).toBeCloseTo(r.fx!, 9);
        }
        // Two classes under softmax: their base values and outputs each sum to 1.
        expect(results![0]!.baseValue! + results![1]!.baseValue!).toBeCloseTo(1, 9);
        expect(results![0]!.fx! + results![1]!.fx!).toBeCloseTo(1, 9);
      });
    }
  }

  it('in the output space asked (logits), and not from other methods', async () => {
    const r = await explainer.explain(text, { method: 'kernel-shap', output: 'logits', target: 1 });
    expect(r.fx).toBeCloseTo(r.logits[1]!, 5);
    expect(unitSum(r.tokens) + r.baseValue!).toBeCloseTo(r.fx!, 9);
    for (const method of ['lime', 'feature-ablation', 'saliency'] as const) {
      const other = await explainer.explain(text, { method, samples: method === 'lime' ? 40 : undefined });
      expect(other).not.toHaveProperty('baseValue');
      expect(other).not.toHaveProperty('fx');
    }
  });

  it('per explained token of a token classifier', async () => {
    const ner = await TokenClassificationExplainer.fromPretrained('bert-ner-tiny');
    const inp = refsOf('bert-ner-tiny').inputs[0];
    const allBut = (keep: number[]) => (inp.input_ids as number[]).flatMap((_, i) => (keep.includes(i) ? [] : [i]));
    const r = await ner.explain(inp.text, { method: 'partition-shap', ignoredIndexes: allBut([4, 9]) });
    expect(r.explained).toHaveLength(2);
    for (const e of r.explained) expect(unitSum(e.tokens) + e.baseValue!).toBeCloseTo(e.fx!, 9);
  });

  it('the CLI JSON carries them', async () => {
    const { code, stdout } = await glassbox(['--model', join(MODELS, SST2), '--text', text, '--method', 'kernel-shap', '--target', '1']);
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as Json;
    expect(r.baseValue).toBeCloseTo(masked[1]!, 6);
    expect(unitSum(r.tokens) + r.baseValue).toBeCloseTo(r.fx, 9);
  });
});
