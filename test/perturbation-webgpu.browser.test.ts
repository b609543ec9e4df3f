import { beforeAll, describe, expect, it } from 'vitest';
import { type ExplainOptions, SequenceClassificationExplainer, env } from '@glassbox/core';
import { type Json, expectClose } from './expectClose.ts';
import { shapley, tokenScorer } from './maskedTokens.ts';

/**
 * The perturbation methods on the WebGPU backend in headless Chromium: feature ablation
 * against Captum's occlusion references, KernelSHAP and flat Partition SHAP against
 * brute-force Shapley values over the same masked model on webgpu, the seeded methods
 * against the cpu backend, and several targets and inputs in one call.
 */
const MODEL = '/test/fixtures/models/distilbert-sst2-tiny';
const values = (xs: { attribution: number | null }[]) => xs.map((t) => t.attribution);
const base: ExplainOptions = { output: 'logits', normalize: 'none', target: 1 };

describe('perturbation methods on webgpu', () => {
  let refs: Json;
  let gpu: SequenceClassificationExplainer;
  let cpu: SequenceClassificationExplainer;
  beforeAll(async () => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    refs = await (await fetch(`${MODEL}/refs.json`)).json();
    [gpu, cpu] = await Promise.all([
      SequenceClassificationExplainer.fromPretrained(MODEL, { device: 'webgpu' }),
      SequenceClassificationExplainer.fromPretrained(MODEL, { device: 'cpu' }),
    ]);
    expect(gpu.model.onnx.backend.name).toBe('webgpu');
  });

  it('feature ablation is Captum occlusion with [PAD] (fixture references, 1e-4)', async () => {
    for (const inp of (refs.inputs as Json[]).slice(0, 2)) {
      for (const entry of inp.attributions as Json[]) {
        const r = await gpu.explain(inp.text, { ...base, method: 'feature-ablation', target: entry.target.class_index });
        expectClose(values(r.tokens), entry.occlusion_pad.logit_drop, 1e-4, 0, `feature ablation ${inp.text}`);
      }
    }
  });

  it('KernelSHAP with every coalition and flat Partition SHAP are brute-force Shapley over the webgpu model', async () => {
    const inp = refs.inputs[1];
    const { masked, cache, positions } = tokenScorer(gpu.model, inp, 1);
    const n = positions.length;
    const all = Array.from({ length: 2 ** n }, (_, code) => Uint8Array.from({ length: n }, (_, i) => (code >> i) & 1));
    await masked.scores(all);
    const expected = shapley(n, (code) => cache.get(all[code]!.join(''))!);
    const kernel = await gpu.explain(inp.text, { ...base, method: 'kernel-shap', samples: 2 ** n });
    expectClose(
      positions.map((p) => values(kernel.tokens)[p]!),
      expected,
      1e-5,
      0,
      'kernel SHAP vs Shapley',
    );
    const partition = await gpu.explain(inp.text, { ...base, method: 'partition-shap', hierarchy: 'flat', samples: 2 ** n });
    expectClose(
      positions.map((p) => values(partition.tokens)[p]!),
      expected,
      1e-5,
      0,
      'partition SHAP (flat) vs Shapley',
    );
  });

  it('LIME, Sobol and clustered Partition SHAP draw the same masks as on cpu and agree with it', async () => {
    const text = refs.inputs[0].text as string;
    for (const method of ['lime', 'sobol', 'partition-shap'] as const) {
      const options = { ...base, method, samples: 64, seed: 7 };
      const [g, c] = [await gpu.explain(text, options), await cpu.explain(text, options)];
      expectClose(values(g.tokens), values(c.tokens), 1e-4, 1e-3, `${method} webgpu vs cpu`);
    }
  });

  it('several targets of several inputs in one call equal one call each', async () => {
    const texts = [refs.inputs[0].text as string, refs.inputs[1].text as string];
    const { target: _, ...batchBase } = base; // explainBatch takes `targets`, not `target`
    const batch = await gpu.explainBatch(texts, { ...batchBase, method: 'kernel-shap', samples: 128, targets: [0, 1] });
    for (const [i, text] of texts.entries()) {
      for (const target of [0, 1]) {
        const one = await gpu.explain(text, { ...base, method: 'kernel-shap', samples: 128, target });
        expectClose(values(batch[i]![target]!.tokens), values(one.tokens), 1e-5, 0, `input ${i} target ${target}`);
      }
    }
  });
});
