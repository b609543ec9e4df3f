import { beforeAll, describe, expect, it } from 'vitest';
import { TextGenerationExplainer, env } from '@glassbox/core';
import { expectGreedy, expectIg, expectOcclusion } from './explainers-generation-checks.ts';
import type { Json } from './expectClose.ts';

/**
 * gpt2-tiny's peer numbers again on the WebGPU backend in headless Chromium: one input, the
 * greedy continuation with past key/values, Gauss-Legendre IG on zero and <|endoftext|>
 * baselines, and occlusion, for the top-1 and top-2 next tokens. Fixture folders are served
 * by the test server at /test/fixtures/models/.
 */
const BASE = '/test/fixtures/models/gpt2-tiny';

describe('gpt2-tiny text generation on webgpu', () => {
  let explainer: TextGenerationExplainer;
  let inp: Json;
  beforeAll(async () => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    inp = ((await (await fetch(`${BASE}/refs.json`)).json()).inputs as Json[]).find((i) => i.id === 'short');
    explainer = await TextGenerationExplainer.fromPretrained(BASE, { device: 'webgpu' });
    expect(explainer.model.onnx.backend.name).toBe('webgpu');
  });

  it('greedy continuation and next-token top-10 logits', async () => {
    await expectGreedy(explainer, inp);
  });

  it('integrated gradients (zero and <|endoftext|> baselines) and occlusion, top-1 and top-2 tokens', async () => {
    for (const entry of inp.attributions as Json[]) {
      await expectIg(explainer, inp, entry, 'ig_zero_gausslegendre');
      await expectIg(explainer, inp, entry, 'ig_pad_gausslegendre');
      await expectOcclusion(explainer, inp, entry);
    }
  });
});
