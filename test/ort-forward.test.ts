import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type ExplainOptions,
  ImageClassificationExplainer,
  InvalidInputError,
  SequenceClassificationExplainer,
  TextModel,
  tensor,
} from '@glassbox/core';
import { OrtForward } from '../packages/core/src/model/ortForward.ts';
import { OrtGradients } from '../packages/core/src/model/ortGradients.ts';
import { type Json, expectClose, refsOf, useLocalFixtures } from './helpers.ts';

/**
 * The onnxruntime forward engine (load option `engine`; onnxruntime-node in Node by
 * default): the same requests give the same values as our runtime, and the perturbation
 * explainers routed through it agree with the ones on our runtime.
 */
const SST2 = 'distilbert-sst2-tiny';
const load = (name: string, engine: 'onnxruntime' | 'glassbox' = 'onnxruntime') => TextModel.load(name, { engine });

/** Each row of `ids` with one more position set to `pad` (what a perturbation method scores). */
const maskedRows = (ids: number[], pad: number) => ids.map((_, k) => ids.map((id, i) => (i === k ? pad : id)));

describe('forward passes through onnxruntime', () => {
  beforeAll(useLocalFixtures);

  it.each([SST2, 'bert-nli-tiny'])("%s: logits equal our runtime's and the float32 torch model's", async (name) => {
    const model = await load(name);
    expect(model.forward).toBeInstanceOf(OrtForward);
    for (const inp of refsOf(name).inputs as Json[]) {
      const types = inp.token_type_ids ? [inp.token_type_ids] : undefined;
      const one = await model.forward.run({ feeds: model.feeds([inp.input_ids], types), fetch: ['logits'] });
      expectClose(one.logits!.data, inp.logits_float32.flat(), 1e-4, 0, `${name} ${inp.id} vs torch`);
      const rows = maskedRows(inp.input_ids, 0);
      const feeds = model.feeds(rows, types && rows.map(() => types[0]));
      const ort = await model.forward.run({ feeds, fetch: ['logits'] });
      const ours = await model.onnx.run({ feeds, fetch: ['logits'] });
      expect(ort.logits!.shape).toEqual(ours.logits!.shape);
      expectClose(ort.logits!.data, ours.logits!.data, 1e-5, 0, `${name} ${inp.id} masked rows`);
    }
  });

  it('distilbert-squad-tiny: start and end logits in one request', async () => {
    const model = await load('distilbert-squad-tiny');
    for (const inp of refsOf('distilbert-squad-tiny').inputs as Json[]) {
      const feeds = model.feeds([inp.input_ids]);
      const request = { feeds, fetch: ['start_logits', 'end_logits'] };
      const [ort, ours] = [await model.forward.run(request), await model.onnx.run(request)];
      for (const name of request.fetch) {
        expectClose(ort[name]!.data, ours[name]!.data, 1e-5, 0, `${inp.id} ${name}`);
        expectClose(ort[name]!.data, inp[`${name}_float32`].flat(), 1e-4, 0, `${inp.id} ${name} vs torch`);
      }
    }
  });

  it('taps (intermediate tensors) become extra outputs of their own session', async () => {
    const model = await load(SST2);
    const softmax = model.onnx.graph.nodes.find((n) => n.opType === 'Softmax')!.outputs[0]!;
    const fetch = [model.wordEmbedding.tensor, softmax, 'logits'];
    const inp = refsOf(SST2).inputs[0];
    const feeds = model.feeds(maskedRows(inp.input_ids, 0));
    const [ort, ours] = [await model.forward.run({ feeds, fetch }), await model.onnx.run({ feeds, fetch })];
    for (const name of fetch) {
      expect(ort[name]!.shape, name).toEqual(ours[name]!.shape);
      expectClose(ort[name]!.data, ours[name]!.data, 1e-5, 0, name);
    }
    const single = await model.forward.run({ feeds: model.feeds([inp.input_ids]), fetch: [softmax] });
    expectClose(single[softmax]!.data, inp.attentions.layer_0.flat(2), 1e-5, 0, 'layer-0 attention vs torch');
  });

  it('a request with overrides runs as a compiled graph on onnxruntime (ORT cannot override inside the model as it is)', async () => {
    const model = await load(SST2);
    expect(model.gradients).toBeInstanceOf(OrtGradients);
    const compiled = vi.spyOn(model.gradients as OrtGradients, 'run');
    const ours = vi.spyOn(model.onnx, 'run');
    const inp = refsOf(SST2).inputs[0];
    const feeds = model.feeds([inp.input_ids]);
    const embedding = (await model.onnx.run({ feeds, fetch: [model.wordEmbedding.tensor] }))[model.wordEmbedding.tensor]!;
    const halved = tensor(
      'float32',
      embedding.shape,
      embedding.data.map((v) => v / 2),
    );
    ours.mockClear();
    const request = { feeds, overrides: { [model.wordEmbedding.tensor]: halved }, fetch: ['logits'] };
    const out = await model.forward.run(request);
    expect(compiled).toHaveBeenCalledTimes(1);
    expect(ours).not.toHaveBeenCalled();
    expect((model.gradients as OrtGradients).fallbackOp).toBeUndefined();
    expectClose(out.logits!.data, (await model.onnx.run(request)).logits!.data, 1e-5, 0, 'overridden');
    expect(Math.abs(out.logits!.data[0]! - inp.logits_float32.flat()[0])).toBeGreaterThan(1e-3);
  });

  it('a bad engine option is an error naming the valid values', async () => {
    const loading = TextModel.load(SST2, { engine: 'fastest' as never });
    await expect(loading).rejects.toBeInstanceOf(InvalidInputError);
    await expect(loading).rejects.toThrow('unknown engine "fastest"; use auto, glassbox, onnxruntime');
  });

  it('"auto" on the cpu device is onnxruntime (measured faster there); "glassbox" is our runtime', async () => {
    expect((await TextModel.load(SST2)).forward).toBeInstanceOf(OrtForward);
    const ours = await load(SST2, 'glassbox');
    expect(ours.forward).toBe(ours.onnx);
  });
});

describe('perturbation explainers on either forward engine', () => {
  beforeAll(useLocalFixtures);
  const options: ExplainOptions = { output: 'logits', normalize: 'none', target: 1 };

  it.each(['kernel-shap', 'feature-ablation'] as const)('%s: onnxruntime equals glassbox', async (method) => {
    const [ort, ours] = await Promise.all([
      SequenceClassificationExplainer.fromPretrained(SST2, { engine: 'onnxruntime' }),
      SequenceClassificationExplainer.fromPretrained(SST2, { engine: 'glassbox' }),
    ]);
    const ortRuns = vi.spyOn(ort.model.forward, 'run');
    const oursRuns = vi.spyOn(ours.model.onnx, 'run');
    for (const inp of refsOf(SST2).inputs.slice(0, 3) as Json[]) {
      const [a, b] = [await ort.explain(inp.text, { ...options, method }), await ours.explain(inp.text, { ...options, method })];
      expectClose(
        a.tokens.map((t) => t.attribution),
        b.tokens.map((t) => t.attribution),
        1e-5,
        0,
        `${method} ${inp.id}`,
      );
    }
    expect(ortRuns).toHaveBeenCalled();
    // The onnxruntime explainer's masked rows never reached our runtime's forward.
    expect(ortRuns.mock.calls.every(([req]) => Object.keys(req.overrides ?? {}).length === 0)).toBe(true);
    expect(oursRuns).toHaveBeenCalled();
  });

  it('image occlusion: onnxruntime equals glassbox', async () => {
    const [ort, ours] = await Promise.all([
      ImageClassificationExplainer.fromPretrained('vit-fashion-tiny', { engine: 'onnxruntime' }),
      ImageClassificationExplainer.fromPretrained('vit-fashion-tiny', { engine: 'glassbox' }),
    ]);
    const ortRuns = vi.spyOn(ort.model.forward, 'run');
    const inp = refsOf('vit-fashion-tiny').inputs[0];
    const image = { pixelValues: inp.pixel_values };
    const [a, b] = [await ort.explain(image, { method: 'occlusion' }), await ours.explain(image, { method: 'occlusion' })];
    expect(ortRuns).toHaveBeenCalled();
    expectClose(a.map.flat(), b.map.flat(), 1e-5, 0, 'occlusion drops');
    expectClose(a.attribution.values, b.attribution.values, 1e-5, 0, 'occlusion attribution');
  });
});
