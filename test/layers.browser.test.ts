import { beforeAll, describe, expect, it } from 'vitest';
import { SequenceClassificationExplainer, type TextLayer, env } from '@glassbox/core';
import { expectClose } from './expectClose.ts';

/**
 * The `layer` option in the browser, on the cpu and webgpu devices (their default engines),
 * against the Captum LIG references of scripts/make_layer_refs.py (test/layers.test.ts checks
 * every fixture in Node).
 */
const BASE = '/test/fixtures';
const json = async (path: string) => (await fetch(path)).json();

beforeAll(() => {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
});

describe.each(['cpu', 'webgpu'] as const)('device %s', (device) => {
  it.each([
    ['distilbert-sst2-tiny', ['position', 'embeddings']],
    ['bert-nli-tiny', ['position', 'token-type', 'embeddings']],
  ] as const)('%s: each layer as Captum', async (name, layers) => {
    const refs = (await json(`${BASE}/layer_refs.json`)).models[name];
    const peer = await json(`${BASE}/models/${name}/refs.json`);
    const inp = refs.inputs[0];
    const p = peer.inputs.find((i: { id: string }) => i.id === inp.id);
    const e = await SequenceClassificationExplainer.fromPretrained(`${BASE}/models/${name}`, { device });
    for (const layer of layers as readonly TextLayer[]) {
      const r = await e.explain(p.text ?? p.premise, {
        textPair: p.hypothesis,
        layer,
        target: inp.target,
        output: 'logits',
        normalize: 'none',
        baseline: 'pad',
        transformersInterpretQuirks: false,
      });
      expectClose(
        r.tokens.map((t) => t.attribution),
        inp.layers[layer].captum.per_token_sum,
        1e-4,
        1e-3,
        `${device} ${name} ${layer}`,
      );
      expect(Math.abs(r.convergenceDelta! - inp.layers[layer].captum.convergence_delta)).toBeLessThan(1e-3);
    }
  });
});
