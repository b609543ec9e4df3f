import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type ExplainOptions, type SequenceClassificationResult, SequenceClassificationExplainer } from '@glassbox/core';
import { targetsPerInput, classificationInput } from '../packages/core/src/explainers/sequenceClassification.ts';
import { stackedTargets } from '../packages/core/src/attribution/stackedTargets.ts';
import { tensor } from '../packages/core/src/tensor.ts';
import { useLocalFixtures } from './helpers.ts';

const SST2 = 'distilbert-sst2-tiny';
const NLI = 'bert-nli-tiny';
const TEXTS = ['A gripping, beautifully acted film.', 'The plot was predictable and flat.', 'Fine.'];
const base: ExplainOptions = { output: 'logits', normalize: 'none' };
type BatchTargets = NonNullable<Parameters<SequenceClassificationExplainer['explainBatch']>[1]>['targets'];
const values = (r: SequenceClassificationResult) => r.tokens.map((t) => t.attribution);

/** Rows the model's forward engine ran (perturbation passes), and how many passes, while `f` runs. */
async function countForwards(
  explainer: SequenceClassificationExplainer,
  f: () => Promise<unknown>,
): Promise<{ passes: number; rows: number }> {
  const spy = vi.spyOn(explainer.model.forward, 'run');
  try {
    await f();
    const calls = spy.mock.calls.map(([req]) => req.feeds.input_ids!.shape[0]!);
    return { passes: calls.length, rows: calls.reduce((a, b) => a + b, 0) };
  } finally {
    spy.mockRestore();
  }
}

/** Gradient passes (OnnxModel.runWithGradients: one forward each), the rows they ran forward and the backward passes (seeds), while `f` runs. */
async function countGradientPasses(
  explainer: SequenceClassificationExplainer,
  f: () => Promise<unknown>,
): Promise<{ passes: number; rows: number; backwards: number }> {
  const onnx = explainer.model.onnx;
  const original = onnx.runWithGradients.bind(onnx);
  let backwards = 0;
  const spy = vi.spyOn(onnx, 'runWithGradients').mockImplementation((req) =>
    original({
      ...req,
      seeds: (value) => {
        const seeds = req.seeds(value);
        backwards += seeds.length;
        return seeds;
      },
    }),
  );
  try {
    await f();
    const rows = spy.mock.calls.map(([req]) => req.feeds.input_ids!.shape[0]!);
    return { passes: rows.length, rows: rows.reduce((a, b) => a + b, 0), backwards };
  } finally {
    spy.mockRestore();
  }
}

function expectSame(a: readonly (number | null)[], b: readonly (number | null)[], tol: number, what: string): void {
  expect(a.length, what).toBe(b.length);
  a.forEach((v, i) => {
    if (v === null || b[i] === null) expect(v, `${what} [${i}]`).toBe(b[i]);
    else expect(Math.abs(v - b[i]!), `${what} [${i}]: ${v} vs ${b[i]}`).toBeLessThanOrEqual(tol);
  });
}

describe('several targets and several inputs in one call', () => {
  let sst2: SequenceClassificationExplainer;
  let nli: SequenceClassificationExplainer;
  beforeAll(async () => {
    useLocalFixtures();
    [sst2, nli] = await Promise.all([
      SequenceClassificationExplainer.fromPretrained(SST2),
      SequenceClassificationExplainer.fromPretrained(NLI),
    ]);
  });

  it('results[i][j] equal one explain call per input and target, for perturbation and gradient methods', async () => {
    for (const method of ['kernel-shap', 'feature-ablation', 'lime', 'partition-shap', 'integrated-gradients'] as const) {
      const options = {
        ...base,
        method,
        ...(method === 'integrated-gradients' ? { steps: 8 } : method === 'feature-ablation' ? {} : { samples: 300 }),
      };
      const batch = await sst2.explainBatch(TEXTS, { ...options, targets: [0, 1] });
      expect(batch.length).toBe(TEXTS.length);
      for (const [i, text] of TEXTS.entries()) {
        expect(batch[i]!.map((r) => r.target.index)).toEqual([0, 1]);
        for (const target of [0, 1]) {
          const one = await sst2.explain(text, { ...options, target });
          const got = batch[i]![target]!;
          expect(got.text).toBe(text);
          expect(got.logits).toEqual(one.logits);
          expect(got.predicted).toEqual(one.predicted);
          expect(got.target).toEqual(one.target);
          // Rows of other lengths are right-padded with attention 0: real positions compute as before, up to float32 summation order.
          expectSame(values(got), values(one), 1e-6, `${method} input ${i} target ${target}`);
        }
      }
    }
  });

  it('targets of one input share every forward pass of a seeded method: two targets cost the rows of one', async () => {
    const options = { ...base, method: 'kernel-shap' as const, samples: 200 };
    const one = await countForwards(sst2, () => sst2.explainBatch([TEXTS[0]!], { ...options, targets: [0] }));
    const two = await countForwards(sst2, () => sst2.explainBatch([TEXTS[0]!], { ...options, targets: [0, 1] }));
    expect(two.rows).toBe(one.rows);
    expect(two.passes).toBe(one.passes);
  });

  it('inputs of different lengths share passes: fewer passes than one call per input, same rows', async () => {
    const options = { ...base, method: 'feature-ablation' as const };
    let separate = { passes: 0, rows: 0 };
    for (const text of TEXTS) {
      const c = await countForwards(sst2, () => sst2.explainBatch([text], { ...options, targets: [1] }));
      separate = { passes: separate.passes + c.passes, rows: separate.rows + c.rows };
    }
    const together = await countForwards(sst2, () => sst2.explainBatch(TEXTS, { ...options, targets: [1] }));
    expect(together.rows).toBe(separate.rows);
    expect(together.passes).toBeLessThan(separate.passes);
  });

  it('pairs, per-input target lists ([n, t]) and "all" targets', async () => {
    const pairs = [
      { text: 'A man is playing a guitar.', textPair: 'A person plays music.' },
      { text: 'A dog sleeps.', textPair: 'The cat runs.' },
    ];
    const labels = nli.labels;
    const nested = await nli.explainBatch(pairs, { ...base, method: 'feature-ablation', targets: [[labels[2]!], [0, labels[1]!]] });
    expect(nested.map((rs) => rs.map((r) => r.target.index))).toEqual([[2], [0, 1]]);
    const single = await nli.explain(pairs[1]!.text, { ...base, method: 'feature-ablation', target: 1, textPair: pairs[1]!.textPair });
    expect(nested[1]![1]!.textPair).toBe(pairs[1]!.textPair);
    expectSame(values(nested[1]![1]!), values(single), 1e-6, 'pair target 1');
    const all = await nli.explainBatch([pairs[0]!], { ...base, method: 'feature-ablation', targets: 'all' });
    expect(all[0]!.map((r) => r.target.label)).toEqual(labels);
  });

  it('reports progress up to 1 and rejects bad target specs naming what is wrong', async () => {
    const fractions: number[] = [];
    await sst2.explainBatch(TEXTS.slice(0, 2), {
      ...base,
      method: 'feature-ablation',
      targets: [0, 1],
      onProgress: (f) => fractions.push(f),
    });
    expect(fractions.at(-1)).toBeCloseTo(1, 12);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
    expect(() => targetsPerInput([[0], [1]], 3)).toThrow(/2 lists for 3 inputs/);
    expect(() => targetsPerInput([[0], 1] as never, 2)).toThrow(/mixes lists/);
    expect(() => targetsPerInput([], 2)).toThrow(/empty/);
    await expect(sst2.explainBatch(TEXTS, { ...base, method: 'feature-ablation', targets: ['nope'] })).rejects.toThrow(
      /unknown target label "nope".*valid targets/,
    );
    await expect(sst2.explainBatch([], base)).rejects.toThrow(/non-empty list/);
    await expect(sst2.explainBatch(['fine', ' '], base)).rejects.toThrow(/input 1 is empty/);
  });

  it('integrated gradients, saliency and input × gradient: several targets of an input equal one explain per target', async () => {
    const cases: [SequenceClassificationExplainer, ExplainOptions, BatchTargets][] = [
      [sst2, { ...base, method: 'integrated-gradients', steps: 8 }, [0, 1]],
      [sst2, { ...base, method: 'saliency' }, [1, 0]],
      [sst2, { ...base, method: 'input-x-gradient', aggregate: 'l2' }, [0, 1]],
      // transformers-interpret's run: softmax, L2 normalisation, the zero-segment baseline run for the convergence delta.
      [sst2, { method: 'integrated-gradients', steps: 8 }, [0, 1]],
      [nli, { method: 'integrated-gradients', steps: 8, granularity: 'word' }, 'all'],
      [nli, { ...base, method: 'input-x-gradient' }, [2, 0, 1]],
    ];
    for (const [explainer, options, targets] of cases) {
      const batch = await explainer.explainBatch(TEXTS.slice(0, 2), { ...options, targets });
      for (const [i, text] of TEXTS.slice(0, 2).entries()) {
        for (const got of batch[i]!) {
          const what = `${explainer.model.id} ${JSON.stringify(options)} input ${i} target ${got.target.index}`;
          const one = await explainer.explain(text, { ...options, target: got.target.index });
          expect(got.target, what).toEqual(one.target);
          expectSame(values(got), values(one), 1e-6, what);
          expectSame(
            got.words.map((w) => w.attribution),
            one.words.map((w) => w.attribution),
            1e-6,
            `${what} words`,
          );
          if (one.convergenceDelta === null) expect(got.convergenceDelta, what).toBeNull();
          else expect(Math.abs(got.convergenceDelta! - one.convergenceDelta), `${what} delta`).toBeLessThanOrEqual(1e-6);
        }
      }
    }
  });

  it('targets of an input share the forward of every gradient pass: k targets run the forward rows of one, and k backward passes each', async () => {
    for (const method of ['integrated-gradients', 'saliency', 'input-x-gradient'] as const) {
      const options = { ...base, method, ...(method === 'integrated-gradients' && { steps: 8, internalBatchSize: 3 }) };
      const one = await countGradientPasses(nli, () => nli.explain(TEXTS[0]!, { ...options, target: 0 }));
      const three = await countGradientPasses(nli, () => nli.explainBatch([TEXTS[0]!], { ...options, targets: 'all' }));
      expect(three.passes, method).toBe(one.passes);
      expect(three.rows, method).toBe(one.rows);
      expect(three.backwards, method).toBe(3 * one.backwards);
    }
    // SmoothGrad still explains one target after the other (its noise draws are those of a single-target call).
    const smooth = { ...base, method: 'smoothgrad' as const, noise: { samples: 2, seed: 1 } };
    const one = await countGradientPasses(sst2, () => sst2.explain(TEXTS[0]!, { ...smooth, target: 0 }));
    const two = await countGradientPasses(sst2, () => sst2.explainBatch([TEXTS[0]!], { ...smooth, targets: [0, 1] }));
    expect(two.rows).toBe(2 * one.rows);
  });

  it('the stacked function refuses copies that differ, and targets scoring different outputs', async () => {
    const input = classificationInput(sst2.model, [TEXTS[0]!], false);
    const scorers = [input.scorer(0, 'logits'), input.scorer(1, 'logits')];
    const x = await input.runner.embed(input.ids);
    const n = x.data.length;
    const stacked = new Float32Array(2 * n);
    stacked.set(x.data);
    stacked.set(x.data, n);
    stacked[n + 5] = stacked[n + 5]! + 1;
    await expect(stackedTargets(input.runner, scorers).gradients(tensor('float32', [1, 2, ...x.shape], stacked))).rejects.toThrow(
      /copy 1 of point 0 differs from copy 0/,
    );
    expect(() => stackedTargets(input.runner, [scorers[0]!, { ...scorers[1]!, output: 'other' }])).toThrow(/must score one output/);
  });
});
