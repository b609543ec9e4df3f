import { beforeAll, describe, expect, it } from 'vitest';
import { ImageClassificationExplainer, env } from '@glassbox/core';
import type { Json } from './expectClose.ts';
import { expectImagePeerNumbers } from './explainers-image-checks.ts';

/**
 * The image explainer's peer numbers again on the WebGPU backend in headless Chromium
 * (SwiftShader here): one image, both refs targets, IG (Gauss-Legendre), saliency and patch
 * occlusion, at the same tolerances as on the CPU. Fixtures are served by the test server.
 */
const BASE = '/test/fixtures';

describe('vit-fashion-tiny on webgpu', () => {
  let explainer: ImageClassificationExplainer;
  let inp: Json;
  beforeAll(async () => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    const refs = await (await fetch(`${BASE}/models/vit-fashion-tiny/refs.json`)).json();
    inp = refs.inputs.find((i: Json) => i.id === 'chelsea');
    explainer = await ImageClassificationExplainer.fromPretrained(`${BASE}/models/vit-fashion-tiny`, { device: 'webgpu' });
  });

  it('chelsea: IG, saliency and patch occlusion equal Captum for both targets', async () => {
    const worst = await expectImagePeerNumbers(explainer, inp, ['ig_zero_gausslegendre', 'saliency', 'occlusion_patch_zero']);
    console.log(`webgpu chelsea max |Δ| vs refs: ${JSON.stringify(worst)}`);
  });

  it("an image URL through transformers.js's browser image processor gives the peer's top label", async () => {
    const r = await explainer.explain(`${BASE}/images/chelsea.png`, { method: 'saliency' });
    expect(r.predicted).toMatchObject({ index: inp.predicted_index, label: inp.predicted_label });
  });
});
