import { beforeAll, describe, expect, it } from 'vitest';
import { TextGenerationExplainer, type TextGenerationResult, env, evaluate, generationCurves } from '@glassbox/core';
import type { Json } from './expectClose.ts';

/**
 * interpreto's generation deletion and insertion on the WebGPU backend in headless Chromium,
 * against the PyTorch numbers of scripts/make_generation_metric_refs.py (the short prompt:
 * the stored occlusion matrix, then explain and evaluate end to end).
 */
const BASE = '/test/fixtures/models/gpt2-tiny';

describe('gpt2-tiny generation deletion and insertion on webgpu', () => {
  let explainer: TextGenerationExplainer;
  let c: Json;
  beforeAll(async () => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    c = ((await (await fetch('/test/fixtures/generation_metric_refs.json')).json()).cases as Json[]).find(
      (x) => x.id === 'short-greedy-occlusion',
    );
    explainer = await TextGenerationExplainer.fromPretrained(BASE, { device: 'webgpu' });
    expect(explainer.model.onnx.backend.name).toBe('webgpu');
  });
  const close = (got: number, want: number, what: string) =>
    expect(Math.abs(got - want), what).toBeLessThanOrEqual(2e-5 * Math.abs(want) + 1e-12);

  it('the stored matrix: curves and AUCs as PyTorch', async () => {
    const r: TextGenerationResult = {
      kind: 'text-generation',
      model: explainer.model.id,
      method: 'occlusion',
      output: 'logits',
      prompt: '',
      promptTokens: (c.prompt_ids as number[]).map((id) => ({ token: '', id })),
      generated: (c.generated_ids as number[]).map((id) => ({ token: '', id, score: 0, convergenceDelta: null })),
      generatedText: '',
      matrix: c.matrix,
    };
    for (const m of c.metrics as Json[]) {
      const got = await generationCurves(m.kind, explainer, r, { steps: m.steps });
      got.curves.forEach((curve, j) =>
        curve.scores.forEach((s, i) => close(s, m.curves[j][i], `${m.kind} ${m.steps} token ${j} point ${i}`)),
      );
      close(got.auc, m.auc, `${m.kind} ${m.steps}`);
    }
  });

  it('explain (occlusion) then evaluate', async () => {
    const r = await explainer.explain(c.prompt_ids, { method: 'occlusion', maxNewTokens: c.generated_ids.length });
    expect(r.generated.map((t) => t.id)).toEqual(c.generated_ids);
    const scores = await evaluate(explainer, r);
    for (const kind of ['deletion', 'insertion'] as const)
      close(scores[kind]!, (c.metrics as Json[]).find((m) => m.kind === kind && m.steps === 100)!.auc, kind);
  });
});
