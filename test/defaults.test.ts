import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SequenceClassificationExplainer } from '@glassbox/core';
import { TextRunner } from '../packages/core/src/attribution/textRunner.ts';
import { glassbox } from './cliRunner.ts';
import { MODELS, expectClose, useLocalFixtures } from './helpers.ts';
import { logit, shapley } from './maskedTokens.ts';

/**
 * A method's default output is what the method means to its users: Shapley values sum to
 * f(x) − f(∅), occlusion is the drop of the explained output, saliency is a gradient norm,
 * and only integrated gradients (transformers-interpret's explainer) is L2-normalised. The
 * references are computed here from raw logits, independently of the explainers' scoring.
 */
const SST2 = 'distilbert-sst2-tiny';
const TEXT = 'A gripping, beautifully acted film.';
const values = (xs: { attribution: number | null }[]) => xs.map((t) => t.attribution);
const norm = (xs: (number | null)[]) => Math.hypot(...xs.map((v) => v ?? 0));

describe('default options mean what the method means', () => {
  let explainer: SequenceClassificationExplainer;
  let ids: number[];
  let positions: number[];
  let pad: number;
  /** Softmax probability of class c for each row of ids, from the raw logits. */
  let probability: (rows: number[][], c: number) => Promise<number[]>;
  beforeAll(async () => {
    useLocalFixtures();
    explainer = await SequenceClassificationExplainer.fromPretrained(SST2);
    const model = explainer.model;
    ids = model.encode(TEXT).ids;
    const specials = model.specialIds();
    positions = ids.flatMap((id, i) => (specials.has(id) ? [] : [i]));
    pad = model.tokenId('pad')!;
    probability = async (rows, c) => {
      const runner = new TextRunner(model, rows[0]!);
      const z = await Promise.all([0, 1].map((k) => runner.scoreIds(rows, logit(k))));
      return rows.map((_, r) => Math.exp(z[c]![r]!) / (Math.exp(z[0]![r]!) + Math.exp(z[1]![r]!)));
    };
  });

  const removing = (keep: (k: number) => boolean) => ids.map((id, i) => (positions.includes(i) && !keep(positions.indexOf(i)) ? pad : id));

  it('kernel-shap and flat partition-shap: exact Shapley values of the softmax probability, summing to f(x) − f(∅)', async () => {
    // 11 units: the most that the default budgets (2n + 2048 for both) cover exactly; shap's 500 would leave flat Partition SHAP unsplit.
    const text = 'A gripping, beautifully acted film with a great cast.';
    const ids = explainer.model.encode(text).ids;
    const specials = explainer.model.specialIds();
    const positions = ids.flatMap((id, i) => (specials.has(id) ? [] : [i]));
    const n = positions.length;
    expect(n).toBe(11);
    const coalitions = Array.from({ length: 2 ** n }, (_, code) =>
      ids.map((id, i) => (positions.includes(i) && ((code >> positions.indexOf(i)) & 1) === 0 ? pad : id)),
    );
    const target = (await explainer.explain(text, { method: 'saliency' })).predicted.index;
    const f = await probability(coalitions, target);
    const expected = shapley(n, (code) => f[code]!);
    for (const method of ['kernel-shap', 'partition-shap'] as const) {
      const r = await explainer.explain(text, method === 'partition-shap' ? { method, hierarchy: 'flat' } : { method });
      const phi = positions.map((p) => r.tokens[p]!.attribution!);
      expectClose(phi, expected, 1e-6, 0, `${method} vs Shapley`);
      expect(Math.abs(phi.reduce((a, b) => a + b, 0) - (f[2 ** n - 1]! - f[0]!)), `${method}: Σφ = f(x) − f(∅)`).toBeLessThan(1e-6);
    }
  });

  it('occlusion: each token’s value is the drop of the predicted class probability when it is padded', async () => {
    const r = await explainer.explain(TEXT, { method: 'occlusion' });
    const [fx, ...dropped] = await probability([ids, ...positions.map((_, k) => removing((j) => j !== k))], r.target.index);
    expectClose(
      positions.map((p) => r.tokens[p]!.attribution!),
      dropped.map((d) => fx! - d),
      1e-6,
      0,
      'occlusion drops',
    );
    expect(Math.abs(norm(values(r.tokens)) - 1)).toBeGreaterThan(1e-3);
  });

  it('saliency and the SmoothGrad family: a non-negative gradient norm per token, far above float noise', async () => {
    for (const method of ['saliency', 'smoothgrad', 'smoothgrad-sq', 'vargrad'] as const) {
      const byDefault = values((await explainer.explain(TEXT, { method })).tokens);
      const l2 = values((await explainer.explain(TEXT, { method, aggregate: 'l2', normalize: 'none' })).tokens);
      expect(byDefault, method).toEqual(l2);
      expect(
        byDefault.every((v) => v !== null && v >= 0),
        method,
      ).toBe(true);
      expect(Math.max(...byDefault.map((v) => v!)), method).toBeGreaterThan(1e-4);
    }
    // The sum over the hidden dimensions at the word embeddings (which feed a LayerNorm) is float noise: why it is not the default.
    const summed = values((await explainer.explain(TEXT, { method: 'saliency', aggregate: 'sum' })).tokens);
    expect(Math.max(...summed.map((v) => Math.abs(v!)))).toBeLessThan(1e-6);
  });

  it('integrated gradients alone is L2-normalised by default (transformers-interpret); input × gradient is raw', async () => {
    expect(norm(values((await explainer.explain(TEXT)).tokens))).toBeCloseTo(1, 9);
    const ixg = await explainer.explain(TEXT, { method: 'input-x-gradient' });
    expect(values(ixg.tokens)).toEqual(
      values((await explainer.explain(TEXT, { method: 'input-x-gradient', aggregate: 'sum', normalize: 'none' })).tokens),
    );
  });

  it('word granularity: a word’s value appears once, in words and in the L2 norm', async () => {
    const text = 'Interpreto is a gripping film.';
    const r = await explainer.explain(text, { method: 'saliency', granularity: 'word', granularityAggregate: 'max' });
    const word = r.words.find((w) => w.word === 'Interpreto')!;
    expect(word.tokens.length).toBeGreaterThan(1);
    const [first, ...rest] = word.tokens.map((i) => r.tokens[i]!);
    for (const t of rest) expect(t.attribution).toBe(first!.attribution);
    expect(word.attribution).toBe(first!.attribution);
    expect(new Set(word.tokens.map((i) => r.tokens[i]!.unit)).size).toBe(1);
    // Each word's value once: the words are the units, one per word, in order.
    expect(r.words.map((w) => w.word)).toEqual(['Interpreto', 'is', 'a', 'gripping', 'film', '.']);
    const ig = await explainer.explain(text, { granularity: 'word' });
    expect(norm(ig.words.map((w) => w.attribution))).toBeCloseTo(1, 9);
    const sentences = await explainer.explain('A gripping film. Badly acted!', { method: 'occlusion', granularity: 'sentence' });
    expect(sentences.words.map((w) => w.word)).toEqual(['A gripping film.', 'Badly acted!']);
  });

  it('the CLI has the same defaults: saliency is the gradient norm, kernel-shap sums to f(x) − f(∅)', async () => {
    const model = join(MODELS, SST2);
    const run = async (...args: string[]) => {
      const r = await glassbox(['--model', model, '--text', TEXT, ...args]);
      expect(r.code, r.stderr).toBe(0);
      return values(JSON.parse(r.stdout).tokens);
    };
    const saliency = await run('--method', 'saliency');
    expect(saliency).toEqual(await run('--method', 'saliency', '--aggregate', 'l2'));
    expect(saliency.every((v) => v! >= 0)).toBe(true);
    const shap = await run('--method', 'kernel-shap');
    const lib = await explainer.explain(TEXT, { method: 'kernel-shap' });
    expectClose(shap, values(lib.tokens), 1e-12, 0, 'CLI kernel-shap equals the library');
  });
});
