import { beforeAll, describe, expect, it } from 'vitest';
import { PairwiseSequenceClassificationExplainer, ZeroShotClassificationExplainer, env } from '@glassbox/core';
import { type Json, expectClose } from './expectClose.ts';

/**
 * transformers-interpret's pair and zero-shot numbers again, on the WebGPU backend in
 * headless Chromium, at the same tolerances as explainers-classification.test.ts (word
 * attributions 1e-4, convergence deltas 1e-4). Fixture folders are served at /test/fixtures/models/.
 */
const MODEL = '/test/fixtures/models/bert-nli-tiny';
const values = (xs: { attribution: number | null }[]) => xs.map((t) => t.attribution);

describe('bert-nli-tiny on webgpu', () => {
  let refs: Json;
  beforeAll(async () => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    refs = await (await fetch(`${MODEL}/refs.json`)).json();
  });

  it("PairwiseSequenceClassificationExplainer's defaults reproduce transformers-interpret for every input and target", async () => {
    const pair = await PairwiseSequenceClassificationExplainer.fromPretrained(MODEL, { device: 'webgpu' });
    for (const inp of refs.inputs as Json[]) {
      for (const ti of inp.transformers_interpret as Json[]) {
        const where = `${inp.id} class ${ti.index}`;
        const r = await pair.explain(inp.premise, inp.hypothesis, { target: ti.index });
        expect(r.tokens.map((t) => t.id)).toEqual(ti.input_ids);
        expectClose(
          values(r.tokens),
          ti.word_attributions.map((w: [string, number]) => w[1]),
          1e-4,
          0,
          `${where} word attributions`,
        );
        expect(Math.abs(r.convergenceDelta! - ti.convergence_delta), `${where} delta`).toBeLessThan(1e-4);
      }
    }
  });

  it("ZeroShotClassificationExplainer's defaults reproduce transformers-interpret: predicted label, per-label attributions and deltas", async () => {
    const zeroShot = await ZeroShotClassificationExplainer.fromPretrained(MODEL, { device: 'webgpu' });
    const ref = refs.transformers_interpret_zero_shot;
    const r = await zeroShot.explain(ref.text, ref.labels);
    expect(r.predictedLabel).toBe(ref.predicted_label);
    for (const perLabel of ref.per_label as Json[]) {
      const got = r.labels[perLabel.label]!;
      const words = ref.word_attributions[perLabel.label] as [string, number][];
      expect(got.tokens.map((t) => t.token)).toEqual(words.map((w) => w[0]));
      expectClose(
        values(got.tokens),
        words.map((w) => w[1]),
        1e-4,
        0,
        `zero-shot ${perLabel.label}`,
      );
      expect(Math.abs(got.convergenceDelta! - perLabel.convergence_delta), `zero-shot ${perLabel.label} delta`).toBeLessThan(1e-4);
    }
  });
});
