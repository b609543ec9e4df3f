import { beforeAll, describe, expect, it } from 'vitest';
import { type ExplainOptions, type HostTensor, SequenceClassificationExplainer, tensor } from '@glassbox/core';
import { TextRunner } from '../packages/core/src/attribution/textRunner.ts';
import { classScores } from '../packages/core/src/attribution/classification.ts';
import { aggregateUnits, maskedTokens } from '../packages/core/src/attribution/maskedText.ts';
import { sentenceRanges, unitsOf } from '../packages/core/src/text/units.ts';
import { type Json, expectClose, refsOf, useLocalFixtures } from './helpers.ts';
import { logit, shapley, tokenScorer } from './maskedTokens.ts';

const SST2 = 'distilbert-sst2-tiny';
const refs = refsOf(SST2);
const values = (xs: { attribution: number | null }[]) => xs.map((t) => t.attribution);
const base: ExplainOptions = { output: 'logits', normalize: 'none', target: 1 };

describe('perturbation methods through the text explainers', () => {
  let explainer: SequenceClassificationExplainer;
  beforeAll(async () => {
    useLocalFixtures();
    explainer = await SequenceClassificationExplainer.fromPretrained(SST2);
  });

  it('feature ablation at token granularity is Captum occlusion with [PAD] (logit drops, specials null)', async () => {
    for (const inp of refs.inputs.slice(0, 3) as Json[]) {
      for (const entry of inp.attributions as Json[]) {
        const r = await explainer.explain(inp.text, { ...base, method: 'feature-ablation', target: entry.target.class_index });
        expect(r.method).toBe('feature-ablation');
        expectClose(values(r.tokens), entry.occlusion_pad.logit_drop, 1e-4, 0, `feature ablation ${inp.text}`);
      }
    }
  });

  it('kernel SHAP with a budget covering every coalition is brute-force Shapley over the same masked model', async () => {
    const inp = refs.inputs[1];
    const { masked, cache, positions } = tokenScorer(explainer.model, inp, 1);
    const n = positions.length;
    const all = Array.from({ length: 2 ** n }, (_, code) => Uint8Array.from({ length: n }, (_, i) => (code >> i) & 1));
    await masked.scores(all);
    const expected = shapley(n, (code) => cache.get(all[code]!.join(''))!);
    const r = await explainer.explain(inp.text, { ...base, method: 'kernel-shap', samples: 2 ** n });
    const perToken = values(r.tokens);
    expect(perToken[0]).toBeNull();
    expect(perToken[perToken.length - 1]).toBeNull();
    expectClose(
      positions.map((p) => perToken[p]!),
      expected,
      1e-6,
      0,
      'kernel SHAP vs Shapley',
    );
    // Partition SHAP over a flat hierarchy is Shapley too.
    const p = await explainer.explain(inp.text, { ...base, method: 'partition-shap', hierarchy: 'flat', samples: 2 ** n });
    expectClose(
      positions.map((q) => values(p.tokens)[q]!),
      expected,
      1e-6,
      0,
      'partition SHAP (flat) vs Shapley',
    );
  });

  it("word granularity: the tokens of a word share the word's drop, specials are null", async () => {
    const inp = refs.inputs[1]; // [CLS] bench ##mark ##ing is hard . [SEP]
    const r = await explainer.explain(inp.text, { ...base, method: 'feature-ablation', granularity: 'word' });
    const v = values(r.tokens);
    expect(v[0]).toBeNull();
    expect(v[7]).toBeNull();
    expect(v[1]).toBe(v[2]);
    expect(v[2]).toBe(v[3]);
    const runner = new TextRunner(explainer.model, inp.input_ids);
    const pad = explainer.model.tokenId('pad')!;
    const ids = inp.input_ids as number[];
    const removed = (ps: number[]) => ids.map((id, i) => (ps.includes(i) ? pad : id));
    const s = await runner.scoreIds([ids, removed([1, 2, 3]), removed([4]), removed([6])], logit(1));
    expectClose([v[1], v[4], v[6]], [s[0]! - s[1]!, s[0]! - s[2]!, s[0]! - s[3]!], 1e-9, 0, 'word drops');
    expect(v[1]).not.toBeCloseTo(entryDrop(inp, 1)[1]!, 3);
    // Occlusion over words: window 1 is the same ablation; window 2 stride 1 averages the pairs of words covering each word.
    const occ = values((await explainer.explain(inp.text, { ...base, method: 'occlusion', granularity: 'word' })).tokens);
    expectClose(occ, v, 1e-9, 0, 'occlusion over words');
    const occ2 = values(
      (await explainer.explain(inp.text, { ...base, method: 'occlusion', granularity: 'word', occlusion: { window: 2, stride: 1 } }))
        .tokens,
    );
    const p = await runner.scoreIds([removed([1, 2, 3, 4]), removed([4, 5]), removed([5, 6])], logit(1));
    const [d01, d12, d23] = [s[0]! - p[0]!, s[0]! - p[1]!, s[0]! - p[2]!];
    expectClose(
      [occ2[1], occ2[4], occ2[5], occ2[6]],
      [d01, (d01 + d12) / 2, (d12 + d23) / 2, d23],
      1e-9,
      0,
      'occlusion window 2 over words',
    );
  });

  it("sentence granularity on a two-sentence text: each token carries its sentence's drop", async () => {
    const text = 'I love this movie. Benchmarking is hard!';
    expect(sentenceRanges(text)).toEqual([
      [0, 18],
      [18, 40],
    ]);
    const r = await explainer.explain(text, { ...base, method: 'feature-ablation', granularity: 'sentence' });
    const ids = r.tokens.map((t) => t.id);
    const first = r.tokens.flatMap((t, i) => (!t.special && t.start! < 18 ? [i] : []));
    const second = r.tokens.flatMap((t, i) => (!t.special && t.start! >= 18 ? [i] : []));
    expect(first.length).toBeGreaterThan(3);
    expect(second.length).toBeGreaterThan(3);
    const pad = explainer.model.tokenId('pad')!;
    const runner = new TextRunner(explainer.model, ids);
    const s = await runner.scoreIds(
      [ids, ids.map((id, i) => (first.includes(i) ? pad : id)), ids.map((id, i) => (second.includes(i) ? pad : id))],
      logit(1),
    );
    const v = values(r.tokens);
    for (const i of first) expect(v[i]).toBeCloseTo(s[0]! - s[1]!, 9);
    for (const i of second) expect(v[i]).toBeCloseTo(s[0]! - s[2]!, 9);
    expect(v[0]).toBeNull();
    expect(v[ids.length - 1]).toBeNull();
  });

  it('all-tokens granularity attributes the specials too', async () => {
    const inp = refs.inputs[0];
    const r = await explainer.explain(inp.text, { ...base, method: 'feature-ablation', granularity: 'all-tokens' });
    expect(values(r.tokens).every((x) => typeof x === 'number')).toBe(true);
    expectClose(values(r.tokens).slice(1, -1), entryDrop(inp, 1).slice(1, -1), 1e-4, 0, 'non-special tokens as occlusion');
  });

  it('lime, sobol and partition SHAP run with a seed and reproduce; another seed changes the sampled methods', async () => {
    const inp = refs.inputs[3];
    for (const method of ['lime', 'sobol', 'partition-shap'] as const) {
      const options: ExplainOptions = { ...base, method, samples: 200, seed: 7 };
      const a = values((await explainer.explain(inp.text, options)).tokens);
      const b = values((await explainer.explain(inp.text, options)).tokens);
      expect(a).toEqual(b);
      expect(a[0]).toBeNull();
      expect(a.filter((x) => x !== null && x !== 0).length).toBeGreaterThan(10);
      if (method !== 'partition-shap') {
        const c = values((await explainer.explain(inp.text, { ...options, seed: 8 })).tokens);
        expect(c).not.toEqual(a);
      }
    }
    for (const hierarchy of ['words', 'sentences', 'clustered'] as const) {
      const r = await explainer.explain(inp.text, { ...base, method: 'partition-shap', hierarchy, samples: 300 });
      expect(
        values(r.tokens)
          .slice(1, -1)
          .every((x) => Number.isFinite(x)),
      ).toBe(true);
    }
  });

  it("masking 'attention' removes a unit from attention (not a replacement token) and differs from 'pad'", async () => {
    const inp = refs.inputs[1];
    const ids = inp.input_ids as number[];
    const attention = values((await explainer.explain(inp.text, { ...base, method: 'feature-ablation', masking: 'attention' })).tokens);
    const pad = values((await explainer.explain(inp.text, { ...base, method: 'feature-ablation', masking: 'pad' })).tokens);
    expectClose(pad, entryDrop(inp, 1), 1e-4, 0, 'pad is the default replacement');
    expect(attention[0]).toBeNull();
    expect(attention.slice(1, -1).some((x, k) => Math.abs(x! - pad[k + 1]!) > 1e-3)).toBe(true);
    // Independently: the model run with attention_mask 0 at position 5 ("hard"), ids unchanged.
    const m = explainer.model;
    const name = m.onnx.graph.outputs[0]!.name;
    const run = async (mask: number[]) => {
      const feeds = m.feeds([ids]);
      feeds.attention_mask = tensor(feeds.attention_mask!.dtype, [1, ids.length], mask);
      return (await m.onnx.run({ feeds, fetch: [name] }))[name]!.data[1]!;
    };
    const full = await run(ids.map(() => 1));
    const dropped = await run(ids.map((_, i) => (i === 5 ? 0 : 1)));
    expect(attention[5]).toBeCloseTo(full - dropped, 5);
    expect(full - dropped).not.toBeCloseTo(pad[5]!, 3);
    // Occlusion takes the masking option too.
    const occ = values((await explainer.explain(inp.text, { ...base, method: 'occlusion', masking: 'attention' })).tokens);
    expectClose(occ, attention, 1e-9, 0, 'occlusion with attention masking');
    const occMask = values((await explainer.explain(inp.text, { ...base, method: 'occlusion', masking: 'mask' })).tokens);
    expectClose(
      occMask,
      inp.attributions.find((a: Json) => a.target.class_index === 1).occlusion_mask.logit_drop,
      1e-4,
      0,
      'occlusion masking mask',
    );
    // The adapter directly: masks over two units, one removed.
    const runner = new TextRunner(m, ids);
    const masked = maskedTokens(runner, logit(1), [[1, 2, 3], [5]], 'attention');
    const [kept, gone] = await masked.scores([Uint8Array.of(1, 1), Uint8Array.of(1, 0)]);
    expect(kept).toBeCloseTo(full, 5);
    expect(gone).toBeCloseTo(dropped, 5);
  });

  it("output 'log-softmax' explains the log-probability: feature ablation drops of log p", async () => {
    const inp = refs.inputs[0];
    const ids = inp.input_ids as number[];
    const r = await explainer.explain(inp.text, { ...base, method: 'feature-ablation', output: 'log-softmax' });
    expect(r.output).toBe('log-softmax');
    const pad = explainer.model.tokenId('pad')!;
    const name = explainer.model.onnx.graph.outputs[0]!.name;
    const logp = async (row: number[]) => {
      const z = Array.from((await explainer.model.onnx.run({ feeds: explainer.model.feeds([row]), fetch: [name] }))[name]!.data);
      const mx = Math.max(...z);
      return z[1]! - mx - Math.log(z.reduce((a, b) => a + Math.exp(b - mx), 0));
    };
    const full = await logp(ids);
    const v = values(r.tokens);
    for (let i = 1; i < ids.length - 1; i++) expect(v[i]).toBeCloseTo(full - (await logp(ids.map((id, j) => (j === i ? pad : id)))), 5);
    // Gradient methods accept it too.
    const s = await explainer.explain(inp.text, { ...base, method: 'saliency', output: 'log-softmax' });
    expect(values(s.tokens).every((x) => Number.isFinite(x))).toBe(true);
  });

  it('the log-softmax and log-sigmoid seeds are the gradients of their scores (central differences)', () => {
    const z = [0.3, -1.2, 2.1, 0.05];
    for (const [space, row] of [
      ['log-softmax', z],
      ['log-sigmoid', [-0.7]],
      ['log-sigmoid', [1.9]],
    ] as const) {
      const c = space === 'log-softmax' ? 2 : 0;
      const t = (xs: readonly number[]): HostTensor => tensor('float32', [1, xs.length], xs);
      const { seed, scores } = classScores(t(row), c, space);
      if (space === 'log-sigmoid') expect(scores[0]).toBeCloseTo(Math.log(1 / (1 + Math.exp(-row[0]!))), 6);
      const h = 1e-3;
      row.forEach((_, j) => {
        const plus = classScores(t(row.map((v, k) => (k === j ? v + h : v))), c, space).scores[0]!;
        const minus = classScores(t(row.map((v, k) => (k === j ? v - h : v))), c, space).scores[0]!;
        expect(seed.data[j]).toBeCloseTo((plus - minus) / (2 * h), 3);
      });
    }
  });

  it('gradient methods at word granularity aggregate their token values per word (sum, mean, max, signed-max)', async () => {
    const inp = refs.inputs[1];
    const tokenLevel = values((await explainer.explain(inp.text, { ...base, method: 'saliency' })).tokens);
    const units = [[1, 2, 3], [4], [5], [6]];
    for (const how of ['sum', 'mean', 'max', 'signed-max'] as const) {
      const r = values(
        (await explainer.explain(inp.text, { ...base, method: 'saliency', granularity: 'word', granularityAggregate: how })).tokens,
      );
      const expected = aggregateUnits(tokenLevel, units, how);
      expectClose(
        [r[1], r[2], r[3], r[4], r[5], r[6]],
        [expected[0], expected[0], expected[0], expected[1], expected[2], expected[3]],
        1e-9,
        0,
        how,
      );
      expect(r[0]).toBeNull();
    }
    const word = tokenLevel.slice(1, 4) as number[];
    expect(aggregateUnits(tokenLevel, [[1, 2, 3]], 'mean')[0]).toBeCloseTo((word[0]! + word[1]! + word[2]!) / 3, 12);
    expect(aggregateUnits([null, -3, 2], [[1, 2]], 'signed-max')).toEqual([-3]);
    expect(aggregateUnits([null, -3, 2], [[1, 2]], 'max')).toEqual([2]);
  });

  it('units of a tokenized text and bad options', async () => {
    const r = await explainer.explain(refs.inputs[1].text, { ...base, method: 'saliency' });
    expect(unitsOf(r.tokens, [r.text], 'word')).toEqual([[1, 2, 3], [4], [5], [6]]);
    expect(unitsOf(r.tokens, [r.text], 'token')).toEqual([[1], [2], [3], [4], [5], [6]]);
    expect(unitsOf(r.tokens, [r.text], 'all-tokens')).toHaveLength(8);
    expect(unitsOf(r.tokens, [r.text], 'sentence')).toEqual([[1, 2, 3, 4, 5, 6]]);
    await expect(explainer.explain('fine', { method: 'lime', granularity: 'paragraph' as never })).rejects.toThrow(/granularity/);
    await expect(explainer.explain('fine', { method: 'partition-shap', hierarchy: 'tree' as never })).rejects.toThrow(/hierarchy/);
    await expect(explainer.explain('fine', { method: 'lime', masking: 'zero' as never })).rejects.toThrow(/masking/);
    await expect(explainer.explain('fine', { method: 'kernel-shap', samples: 1 })).rejects.toThrow(/samples/);
  });
});

/** Captum's occlusion with [PAD] for one class of a fixture input. */
function entryDrop(inp: Json, c: number): (number | null)[] {
  return inp.attributions.find((a: Json) => a.target.class_index === c).occlusion_pad.logit_drop;
}
