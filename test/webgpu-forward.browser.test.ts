import { describe, it } from 'vitest';
import { type HostTensor, tensor } from '@glassbox/core';
import { OnnxModel, WebGpuBackend } from '@glassbox/core/runtime';
import { type Json, expectClose } from './expectClose.ts';

/**
 * Forward passes of every fixture family on the WebGPU backend, against the float32 torch
 * model (and onnxruntime for the quantized and fp16 files): every op type of every fixture
 * graph at both opsets runs through WGSL kernels here.
 */
const BASE = '/test/fixtures/models';
const getJson = async (path: string): Promise<Json> => (await fetch(`${BASE}/${path}`)).json();
let backend: Promise<WebGpuBackend> | undefined;
async function load(name: string, file: string): Promise<OnnxModel> {
  backend ??= WebGpuBackend.create();
  const bytes = new Uint8Array(await (await fetch(`${BASE}/${name}/onnx/${file}`)).arrayBuffer());
  return OnnxModel.fromBytes(bytes, undefined, (await backend) as never);
}
const ids = (rows: number[][]) => tensor('int64', [rows.length, rows[0]!.length], rows.flat());
const textFeeds = (inp: Json, model: OnnxModel): Record<string, HostTensor> => ({
  input_ids: ids([inp.input_ids]),
  attention_mask: ids([inp.attention_mask ?? inp.input_ids.map(() => 1)]),
  ...(model.inputNames.includes('token_type_ids') ? { token_type_ids: ids([inp.token_type_ids]) } : {}),
});

describe('forward passes on webgpu', () => {
  it.each([
    ['distilbert-sst2-tiny', 'model.onnx'],
    ['distilbert-sst2-tiny', 'model_opset17.onnx'],
    ['bert-ner-tiny', 'model.onnx'],
    ['bert-ner-tiny', 'model_opset17.onnx'],
    ['roberta-sst-tiny', 'model.onnx'],
  ])('%s %s: logits and attention taps', async (name, file) => {
    const model = await load(name, file);
    const taps = model.graph.nodes.filter((n) => n.opType === 'Softmax').map((n) => n.outputs[0]!);
    for (const inp of (await getJson(`${name}/refs.json`)).inputs as Json[]) {
      const out = await model.run({ feeds: textFeeds(inp, model), fetch: ['logits', taps[0]!] });
      expectClose(out.logits!.data, inp.logits_float32.flat(), 1e-4, 0, `${name} ${inp.id} logits`);
      expectClose(out[taps[0]!]!.data, inp.attentions.layer_0.flat(2), 1e-5, 0, `${name} ${inp.id} attentions`);
    }
  });

  it.each(['model.onnx', 'model_opset17.onnx'])('vit-fashion-tiny %s (Conv patch embedding)', async (file) => {
    const model = await load('vit-fashion-tiny', file);
    for (const inp of (await getJson('vit-fashion-tiny/refs.json')).inputs as Json[]) {
      const s = inp.pixel_values[0].length;
      const out = await model.run({
        feeds: { pixel_values: tensor('float32', [1, 3, s, s], inp.pixel_values.flat(2)) },
        fetch: ['logits'],
      });
      expectClose(out.logits!.data, inp.logits_float32, 1e-4, 0, `${inp.id} logits`);
    }
  });

  it('gpt2-tiny: next-token logits with empty past key values', async () => {
    const model = await load('gpt2-tiny', 'model.onnx');
    for (const inp of (await getJson('gpt2-tiny/refs.json')).inputs as Json[]) {
      const T = inp.input_ids.length;
      const feeds: Record<string, HostTensor> = {
        input_ids: ids([inp.input_ids]),
        attention_mask: ids([inp.input_ids.map(() => 1)]),
        position_ids: ids([inp.input_ids.map((_: number, i: number) => i)]),
      };
      for (const n of model.inputNames.filter((n) => n.startsWith('past_key_values'))) feeds[n] = tensor('float32', [1, 2, 0, 4]);
      const logits = (await model.run({ feeds, fetch: ['logits'] })).logits!.data.subarray((T - 1) * 50257, T * 50257);
      const top = inp.next_token_top10 as Json[];
      expectClose(
        top.map((t) => logits[t.token_id]!),
        top.map((t) => t.logit_float32),
        1e-4,
        0,
        `${inp.id} top-10`,
      );
    }
  });

  it.each([
    ['model_quantized.onnx', 'quantized_refs.json', 1e-5],
    ['model_fp16.onnx', 'fp16_refs.json', 1e-2],
  ] as const)('distilbert-sst2-tiny %s matches onnxruntime', async (file, refsFile, tol) => {
    const model = await load('distilbert-sst2-tiny', file);
    for (const inp of (await getJson(`distilbert-sst2-tiny/onnx/${refsFile}`)).inputs as Json[]) {
      const out = await model.run({ feeds: textFeeds(inp, model), fetch: ['logits'] });
      expectClose(out.logits!.data, inp.logits.flat(), tol, 0, `${file} ${inp.id}`);
    }
  });
});
