import { describe, expect, it } from 'vitest';
import { type HostTensor, tensor } from '@glassbox/core';
import { type Json, expectClose, ids2d, loadOnnxModel, readJson, refsOf } from './helpers.ts';
import { join } from 'node:path';
import { MODELS } from './helpers.ts';

const OPSETS = ['model.onnx', 'model_opset17.onnx'];

function textFeeds(inp: Json, inputs: string[]): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = { input_ids: ids2d([inp.input_ids]), attention_mask: ids2d([inp.attention_mask]) };
  if (inputs.includes('token_type_ids')) feeds.token_type_ids = ids2d([inp.token_type_ids]);
  return feeds;
}

/** Softmax outputs in graph order: the attention probabilities of each layer. */
function attentionTaps(model: Awaited<ReturnType<typeof loadOnnxModel>>): string[] {
  return model.graph.nodes.filter((n) => n.opType === 'Softmax').map((n) => n.outputs[0]!);
}

function expectAttentions(values: Record<string, HostTensor>, taps: string[], refs: Json, what: string): void {
  for (const [key, tap] of [
    ['layer_0', taps[0]!],
    ['last_layer', taps[taps.length - 1]!],
  ] as const) {
    expectClose(values[tap]!.data, refs[key].flat(2), 1e-5, 0, `${what} attentions ${key}`);
  }
}

describe.each(OPSETS)('forward pass equals the float32 torch model (%s)', (file) => {
  it.each(['distilbert-sst2-tiny', 'bert-nli-tiny', 'bert-ner-tiny'])('%s: logits and attention maps (taps)', async (name) => {
    const model = await loadOnnxModel(name, file);
    const taps = attentionTaps(model);
    expect(taps.length).toBe(refsOf(name).inputs[0].attentions.num_layers);
    for (const inp of refsOf(name).inputs) {
      const out = await model.run({ feeds: textFeeds(inp, model.inputNames), fetch: ['logits', ...taps] });
      expectClose(out.logits!.data, inp.logits_float32.flat(), 1e-4, 0, `${name} ${inp.id} logits`);
      expectAttentions(out, taps, inp.attentions, `${name} ${inp.id}`);
    }
  });

  it('distilbert-squad-tiny: start and end logits', async () => {
    const model = await loadOnnxModel('distilbert-squad-tiny', file);
    for (const inp of refsOf('distilbert-squad-tiny').inputs) {
      const out = await model.run({ feeds: textFeeds(inp, model.inputNames), fetch: ['start_logits', 'end_logits'] });
      expectClose(out.start_logits!.data, inp.start_logits_float32, 1e-4, 0, `${inp.id} start`);
      expectClose(out.end_logits!.data, inp.end_logits_float32, 1e-4, 0, `${inp.id} end`);
    }
  });

  it('vit-fashion-tiny: logits from exact pixel values (Conv patch embedding)', async () => {
    const model = await loadOnnxModel('vit-fashion-tiny', file);
    const taps = attentionTaps(model);
    for (const inp of refsOf('vit-fashion-tiny').inputs) {
      const px = inp.pixel_values.flat(2) as number[];
      const s = inp.pixel_values[0].length;
      const out = await model.run({ feeds: { pixel_values: tensor('float32', [1, 3, s, s], px) }, fetch: ['logits', ...taps] });
      expectClose(out.logits!.data, inp.logits_float32, 1e-4, 0, `${inp.id} logits`);
      expectAttentions(out, taps, inp.attentions, inp.id);
    }
  });

  it('gpt2-tiny: next-token logits, with and without past key values', async () => {
    const model = await loadOnnxModel('gpt2-tiny', file);
    const pastNames = model.inputNames.filter((n) => n.startsWith('past_key_values'));
    const feedsFor = (ids: number[], past: Record<string, HostTensor> | undefined, offset: number) => {
      const feeds: Record<string, HostTensor> = {
        input_ids: ids2d([ids]),
        attention_mask: ids2d([new Array(offset + ids.length).fill(1)]),
        position_ids: ids2d([ids.map((_, i) => offset + i)]),
      };
      for (const n of pastNames) feeds[n] = past?.[n.replace('past_key_values', 'present')] ?? tensor('float32', [1, 2, 0, 4]);
      return feeds;
    };
    for (const inp of refsOf('gpt2-tiny').inputs) {
      const ids = inp.input_ids as number[];
      const T = ids.length;
      const vocab = 50257;
      const top = inp.next_token_top10 as Json[];
      const full = await model.run({ feeds: feedsFor(ids, undefined, 0), fetch: ['logits'] });
      const last = full.logits!.data.subarray((T - 1) * vocab, T * vocab);
      expectClose(
        top.map((t) => last[t.token_id]!),
        top.map((t) => t.logit_float32),
        1e-4,
        0,
        `${inp.id} top-10 logits`,
      );
      // Prompt minus its last token, then that token with the cached keys/values.
      const presents = model.graph.outputs.map((o) => o.name).filter((n) => n.startsWith('present'));
      const head = await model.run({ feeds: feedsFor(ids.slice(0, -1), undefined, 0), fetch: presents });
      const step = await model.run({ feeds: feedsFor(ids.slice(-1), head, T - 1), fetch: ['logits'] });
      expectClose(
        top.map((t) => step.logits!.data[t.token_id]!),
        top.map((t) => t.logit_float32),
        1e-4,
        0,
        `${inp.id} with past`,
      );
    }
  });
});

describe('RoBERTa family (position ids from CumSum over the pad mask)', () => {
  it('roberta-sst-tiny: logits and attention maps', async () => {
    const model = await loadOnnxModel('roberta-sst-tiny');
    const ops = new Set(model.graph.nodes.map((n) => n.opType));
    for (const op of ['CumSum', 'Not', 'Equal', 'Where', 'ConstantOfShape']) expect(ops.has(op), op).toBe(true);
    const taps = attentionTaps(model);
    for (const inp of refsOf('roberta-sst-tiny').inputs) {
      const out = await model.run({ feeds: textFeeds(inp, model.inputNames), fetch: ['logits', ...taps] });
      expectClose(out.logits!.data, inp.logits_float32, 1e-4, 0, `${inp.id} logits`);
      expectAttentions(out, taps, inp.attentions, inp.id);
    }
  });
});

describe('quantized and fp16 graphs match onnxruntime', () => {
  it.each(['distilbert-sst2-tiny', 'bert-ner-tiny'])('%s model_quantized.onnx (DynamicQuantizeLinear + MatMulInteger)', async (name) => {
    const model = await loadOnnxModel(name, 'model_quantized.onnx');
    const refs = readJson(join(MODELS, name, 'onnx', 'quantized_refs.json'));
    for (const inp of refs.inputs) {
      const out = await model.run({ feeds: textFeeds(inp, model.inputNames), fetch: ['logits'] });
      expectClose(out.logits!.data, inp.logits.flat(), 1e-5, 0, `${name} ${inp.id} q8 logits`);
    }
  });

  it.each(['distilbert-sst2-tiny', 'bert-ner-tiny'])('%s model_fp16.onnx', async (name) => {
    const model = await loadOnnxModel(name, 'model_fp16.onnx');
    const refs = readJson(join(MODELS, name, 'onnx', 'fp16_refs.json'));
    for (const inp of refs.inputs) {
      const out = await model.run({ feeds: textFeeds(inp, model.inputNames), fetch: ['logits'] });
      expectClose(out.logits!.data, inp.logits.flat(), 1e-2, 0, `${name} ${inp.id} fp16 logits`);
    }
  });
});
