import { describe, expect, it } from 'vitest';
import { type HostTensor, tensor } from '@glassbox/core';
import { OnnxModel, WebGpuBackend } from '@glassbox/core/runtime';
import type { Scorer } from '../packages/core/src/model/scorer.ts';
// Until packages/core/src/index.ts re-exports attention/, import it directly.
import { type AttentionMaps, type Matrix, attentionFor } from '../packages/core/src/attention/index.ts';
import { type Json, expectClose } from './expectClose.ts';

/**
 * Attention maps on the WebGPU backend in headless Chromium: raw maps against the torch
 * model's output_attentions, rollout and gradient-weighted relevance against the CPU backend
 * in the same page.
 */
const BASE = '/test/fixtures/models';
let backend: Promise<WebGpuBackend> | undefined;
async function load(name: string): Promise<{ gpu: OnnxModel; cpu: OnnxModel }> {
  backend ??= WebGpuBackend.create();
  const bytes = new Uint8Array(await (await fetch(`${BASE}/${name}/onnx/model.onnx`)).arrayBuffer());
  return { gpu: await OnnxModel.fromBytes(bytes, undefined, (await backend) as never), cpu: await OnnxModel.fromBytes(bytes) };
}
const ids = (row: number[]) => tensor('int64', [1, row.length], row);
const feedsOf = (inp: Json): Record<string, HostTensor> =>
  inp.pixel_values
    ? { pixel_values: tensor('float32', [1, 3, inp.pixel_values[0].length, inp.pixel_values[0].length], inp.pixel_values.flat(2)) }
    : { input_ids: ids(inp.input_ids), attention_mask: ids(inp.attention_mask) };

/** The logit of the predicted class, seed one-hot there. */
const predictedLogit: Scorer = {
  output: 'logits',
  score(value) {
    let best = 0;
    for (let i = 1; i < value.data.length; i++) if (value.data[i]! > value.data[best]!) best = i;
    const seed = tensor('float32', value.shape);
    seed.data[best] = 1;
    return { scores: Float64Array.of(value.data[best]!), seed };
  },
};

describe('attention maps on webgpu', () => {
  it.each(['distilbert-sst2-tiny', 'vit-fashion-tiny'])('%s: raw vs refs, rollout and gradient-weighted vs cpu', async (name) => {
    const { gpu, cpu } = await load(name);
    const inp = ((await (await fetch(`${BASE}/${name}/refs.json`)).json()).inputs as Json[])[0];
    const feeds = feedsOf(inp);
    const raw = (await attentionFor({ onnx: gpu, feeds, scorer: predictedLogit }, 'raw')) as AttentionMaps;
    expect(raw.length).toBe(inp.attentions.num_layers);
    expectClose(raw[0]!.flat(2), inp.attentions.layer_0.flat(2), 1e-5, 0, `${name} layer 0`);
    expectClose(raw[raw.length - 1]!.flat(2), inp.attentions.last_layer.flat(2), 1e-5, 0, `${name} last layer`);
    for (const mode of ['rollout', 'gradient-weighted'] as const) {
      const onGpu = (await attentionFor({ onnx: gpu, feeds, scorer: predictedLogit }, mode)) as Matrix;
      const onCpu = (await attentionFor({ onnx: cpu, feeds, scorer: predictedLogit }, mode)) as Matrix;
      expectClose(onGpu.flat(), onCpu.flat(), 1e-5, 1e-4, `${name} ${mode}`);
    }
  });
});
