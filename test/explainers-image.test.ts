import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { type HostTensor, ImageClassificationExplainer, type ImageExplainOptions, InvalidInputError, tensor } from '@glassbox/core';
import { imageClassification } from '@glassbox/cli/src/tasks/imageClassification.ts';
import { type Json, FIXTURES, MODELS, expectClose, refsOf } from './helpers.ts';
import { IMAGE_PEER_CHECKS, expectDefaults, expectImagePeerNumbers } from './explainers-image-checks.ts';

const refs = refsOf('vit-fashion-tiny');
const MODEL = join(MODELS, 'vit-fashion-tiny');
const IMAGES = join(FIXTURES, 'images');
const INPUTS = refs.inputs as Json[];
const chelsea = INPUTS.find((i) => i.id === 'chelsea')!;
const S = chelsea.pixel_values[0].length as number;
const ids = INPUTS.map((i) => i.id as string);

describe.each([
  ['model.onnx (opset 14)', undefined],
  ['model_opset17.onnx', 'model_opset17'],
])('vit-fashion-tiny %s on cpu: Captum numbers from exact pixel values', (_, modelFileName) => {
  let explainer: ImageClassificationExplainer;
  beforeAll(async () => {
    explainer = await ImageClassificationExplainer.fromPretrained(MODEL, { modelFileName });
  });

  it.each(ids)('%s: IG (Gauss-Legendre, trapezoid), saliency, input × gradient, patch occlusion, both targets', async (id) => {
    const inp = INPUTS.find((i) => i.id === id)!;
    const worst = await expectImagePeerNumbers(explainer, inp, IMAGE_PEER_CHECKS);
    console.log(`vit-fashion-tiny ${modelFileName ?? 'model'} ${id} max |Δ| vs refs: ${JSON.stringify(worst)}`);
  });

  it.each(ids)("%s: no options = transformers-interpret's IG on the predicted logit", async (id) => {
    await expectDefaults(explainer, INPUTS.find((i) => i.id === id)!);
  });
});

describe('vit-fashion-tiny on cpu: inputs, options and errors', () => {
  let explainer: ImageClassificationExplainer;
  const pixelValues = chelsea.pixel_values as number[][][];
  const explain = (options: ImageExplainOptions) => explainer.explain({ pixelValues }, options);
  beforeAll(async () => {
    explainer = await ImageClassificationExplainer.fromPretrained(MODEL);
  });

  it.each(ids)("%s: an image file gives the peer's pixel_values (PIL's bilinear resize) and top label", async (id) => {
    const inp = INPUTS.find((i) => i.id === id)!;
    const path = join(IMAGES, `${id}.png`);
    const px = await explainer.model.preprocess(path);
    expect(px.shape).toEqual([1, 3, S, S]);
    expectClose(px.data, (inp.pixel_values as number[][][]).flat(2), 1e-6, 0, `${id} pixel_values`);
    const r = await explainer.explain(path, { method: 'saliency' });
    expect(r.predicted).toMatchObject({ index: inp.predicted_index, label: inp.predicted_label });
    expect([r.map.length, r.map[0]!.length]).toEqual([S, S]);
  });

  it('decoded pixels (ImageData-like RGBA, and grey) go through the same processor', async () => {
    const rgb = pixelValues.map((plane) => plane.flat().map((v) => Math.round((v * 0.5 + 0.5) * 255)));
    const rgba = new Uint8ClampedArray(S * S * 4);
    for (let p = 0; p < S * S; p++) [rgb[0]![p]!, rgb[1]![p]!, rgb[2]![p]!, 255].forEach((v, ch) => (rgba[4 * p + ch] = v));
    const px = await explainer.model.preprocess({ data: rgba, width: S, height: S });
    // Same size: the resize is the identity, so the exact refs pixel values come back.
    expectClose(px.data, pixelValues.flat(2), 1e-6, 0, 'RGBA round trip');
    const grey = await explainer.model.preprocess({ data: rgb[0]!, width: S, height: S, channels: 1 });
    expectClose(grey.data.subarray(0, S * S), pixelValues[0]!.flat(), 1e-6, 0, 'grey channel');
    expectClose(grey.data.subarray(2 * S * S), pixelValues[0]!.flat(), 1e-6, 0, 'grey replicated to RGB');
  });

  it('pixel values as a tensor, [1, 3, S, S] nested arrays, and a target given by label', async () => {
    const byNested = await explain({ method: 'saliency', target: 'Ankle boot' });
    expect(byNested.target).toEqual({ index: 9, label: 'Ankle boot' });
    const asTensor: HostTensor = tensor('float32', [1, 3, S, S], pixelValues.flat(2));
    const byTensor = await explainer.explain({ pixelValues: asTensor }, { method: 'saliency', target: 9 });
    const batched = await explainer.explain({ pixelValues: [pixelValues] }, { method: 'saliency', target: 9 });
    expect(byTensor.map).toEqual(byNested.map);
    expect(batched.map).toEqual(byNested.map);
  });

  it('bad input is an InvalidInputError naming what was wrong', async () => {
    const grey = [pixelValues[0]!];
    await expect(explainer.explain({ pixelValues: grey })).rejects.toThrow(InvalidInputError);
    await expect(explainer.explain({ pixelValues: grey })).rejects.toThrow(
      /\[1, 32, 32\] \(1 channels, the model takes 3\).*\[3, 32, 32\]/,
    );
    const small = pixelValues.map((plane) => plane.slice(0, 16).map((row) => row.slice(0, 16)));
    await expect(explainer.explain({ pixelValues: small })).rejects.toThrow(/\[3, 16, 16\].*takes \[3, 32, 32\]/);
    const ragged = [pixelValues[0], pixelValues[1], pixelValues[2]!.slice(1)];
    await expect(explainer.explain({ pixelValues: ragged as number[][][] })).rejects.toThrow(/ragged/);
    await expect(explainer.explain({ pixelValues: [[[Number.NaN]]] })).rejects.toThrow(/finite number/);
    await expect(explainer.explain({ data: new Uint8Array(10), width: 4, height: 4 })).rejects.toThrow(/0\.625 channels/);
    await expect(explainer.explain(join(IMAGES, 'missing.png'))).rejects.toThrow(/could not read image/);
    await expect(explain({ target: 'Cat' })).rejects.toThrow(/unknown target label "Cat".*9 \(Ankle boot\)/);
    await expect(explain({ target: 10 })).rejects.toThrow(/out of range/);
    await expect(explain({ method: 'gradcam' as never })).rejects.toThrow(/unknown method "gradcam".*smoothgrad-sq/);
    await expect(explain({ baseline: 'pad' as never })).rejects.toThrow(/unknown baseline "pad"/);
    await expect(explain({ baseline: [pixelValues[0]!] })).rejects.toThrow(/baseline have shape \[1, 32, 32\]/);
    await expect(explain({ method: 'occlusion', occlusion: { window: 40 } })).rejects.toThrow(/window 40 is larger than the 32×32 image/);
    await expect(explain({ attention: 'mean' as never })).rejects.toThrow(/unknown attention "mean"/);
  });

  it('integrated gradients: internal batch size does not change the result; a baseline image is honoured (completeness)', async () => {
    const plain = await explain({ target: 9 });
    const batched = await explain({ target: 9, internalBatchSize: 7 });
    expectClose(batched.attribution.values, plain.attribution.values, 1e-6, 1e-5, 'internalBatchSize 7');
    const grey = pixelValues.map((plane) => plane.map((row) => row.map(() => 0.25)));
    const r = await explain({ target: 9, baseline: grey });
    const [fx, fb] = [r.logits[9]!, (await explainer.explain({ pixelValues: grey }, { method: 'saliency' })).logits[9]!];
    const total = r.attribution.values.reduce((s, v) => s + v, 0);
    expect(r.convergenceDelta).toBeCloseTo(total - (fx - fb), 6);
    expect(Math.abs(r.convergenceDelta!)).toBeLessThan(1e-3 * Math.abs(fx - fb));
    expect(Math.max(...r.map.flat().map((v, i) => Math.abs(v - plain.map.flat()[i]!)))).toBeGreaterThan(1e-3);
  });

  it('softmax output: IG of the probability is complete', async () => {
    const r = await explain({ output: 'softmax' });
    const p0 = (
      await explainer.explain({ pixelValues: pixelValues.map((pl) => pl.map((row) => row.map(() => 0))) }, { method: 'saliency' })
    ).probabilities;
    const gap = r.probabilities[r.target.index]! - p0[r.target.index]!;
    expect(r.output).toBe('softmax');
    expect(r.convergenceDelta).toBeCloseTo(r.attribution.values.reduce((s, v) => s + v, 0) - gap, 6);
    expect(Math.abs(r.convergenceDelta!)).toBeLessThan(0.01 * Math.abs(gap));
  });

  it('occlusion: window and stride, and a non-zero baseline, equal plain forward passes', async () => {
    const fill = 0.3;
    const r = await explain({
      method: 'occlusion',
      target: 9,
      occlusion: { window: 16, stride: 8 },
      baseline: pixelValues.map((pl) => pl.map((row) => row.map(() => fill))),
    });
    expect([r.map.length, r.map[0]!.length]).toEqual([3, 3]);
    const occluded = (y0: number, x0: number) =>
      pixelValues.map((pl) => pl.map((row, y) => row.map((v, x) => (y >= y0 && y < y0 + 16 && x >= x0 && x < x0 + 16 ? fill : v))));
    const logit = async (px: number[][][]) => (await explainer.explain({ pixelValues: px }, { method: 'saliency' })).logits[9]!;
    const base = await logit(pixelValues);
    expect(r.map[1]![2]!).toBeCloseTo(base - (await logit(occluded(8, 16))), 5);
    expect(r.map[0]![0]!).toBeCloseTo(base - (await logit(occluded(0, 0))), 5);
    // Captum's per-pixel attribution: the mean drop of the windows covering the pixel (pixel (8, 8) lies in four).
    const mean = (r.map[0]![0]! + r.map[0]![1]! + r.map[1]![0]! + r.map[1]![1]!) / 4;
    expect(r.attribution.values[8 * S + 8]).toBeCloseTo(mean, 6);
  });

  it("noise tunnel over IG (transformers-interpret's IGNT): noise-free equals IG; seeded", async () => {
    const ig5 = await explain({ target: 9, steps: 5 });
    const quiet = { target: 9, noise: { stdev: 0, samples: 2 } };
    const smooth = await explain({ ...quiet, method: 'smoothgrad' });
    expect(smooth.convergenceDelta).toBeNull();
    expectClose(smooth.attribution.values, ig5.attribution.values, 1e-7, 1e-5, 'smoothgrad, no noise = IG');
    const sq = await explain({ ...quiet, method: 'smoothgrad-sq' });
    expectClose(
      sq.attribution.values,
      ig5.attribution.values.map((v) => v * v),
      1e-10,
      1e-5,
      'smoothgrad-sq, no noise = IG²',
    );
    const vg = await explain({ ...quiet, method: 'vargrad' });
    expectClose(
      vg.map.flat(),
      vg.map.flat().map(() => 0),
      1e-12,
      0,
      'vargrad, no noise = 0',
    );
    const noisy = { target: 9, method: 'smoothgrad', noise: { samples: 3, seed: 7 } } as const;
    const a = await explain(noisy);
    const b = await explain(noisy);
    const c = await explain({ ...noisy, noise: { samples: 3, seed: 8 } });
    expect(a.map).toEqual(b.map);
    expect(a.map).not.toEqual(c.map);
    expect(Math.max(...a.map.flat().map((v, i) => Math.abs(v - smooth.map.flat()[i]!)))).toBeGreaterThan(1e-3);
  });

  it("attention option: raw maps equal the peer's; rollout and gradient-weighted are [T][T]", async () => {
    const raw = await explain({ method: 'saliency', attention: 'raw' });
    const layers = raw.attentions as number[][][][];
    expect(layers.length).toBe(chelsea.attentions.num_layers);
    expectClose(layers[0]!.flat(2), chelsea.attentions.layer_0.flat(2), 1e-5, 0, 'layer 0');
    expectClose(layers[layers.length - 1]!.flat(2), chelsea.attentions.last_layer.flat(2), 1e-5, 0, 'last layer');
    const T = chelsea.attentions.shape[1];
    for (const mode of ['rollout', 'gradient-weighted'] as const) {
      const maps = (await explain({ method: 'occlusion', target: 9, attention: mode })).attentions as number[][];
      expect([maps.length, maps[0]!.length], mode).toEqual([T, T]);
    }
    expect((await explain({ method: 'saliency' })).attentions).toBeUndefined();
  });
});

describe('CLI task image-classification', () => {
  let explainer: ImageClassificationExplainer;
  beforeAll(async () => {
    explainer = await imageClassification.load(MODEL, {});
  });

  it('image file → exactly predicted, target, convergenceDelta, map, logits', async () => {
    expect(imageClassification.name).toBe('image-classification');
    const out = await imageClassification.explain(explainer, { image: join(IMAGES, 'coffee.png') }, {});
    expect(Object.keys(out).sort()).toEqual(['convergenceDelta', 'logits', 'map', 'predicted', 'target']);
    const coffee = INPUTS.find((i) => i.id === 'coffee')!;
    expect(out.predicted).toMatchObject({ index: coffee.predicted_index, label: coffee.predicted_label });
    expect(typeof out.convergenceDelta).toBe('number');
    expect((out.map as number[][]).length).toBe(S);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it('pixelValues (nested, or JSON text from a flag, [1][3][S][S]) with common options; occlusion map is [S/P][S/P]', async () => {
    const entry = chelsea.attributions.find((a: Json) => a.target.class_index === 9);
    const out = await imageClassification.explain(
      explainer,
      { pixelValues: chelsea.pixel_values },
      { target: 9, method: 'occlusion' as never },
    );
    expectClose((out.map as number[][]).flat(), entry.occlusion_patch_zero.logit_drop_per_patch.flat(), 1e-4, 0, 'occlusion');
    const fromFlag = await imageClassification.explain(
      explainer,
      { pixelValues: JSON.stringify([chelsea.pixel_values]) },
      { target: 9, method: 'occlusion' as never },
    );
    expect(fromFlag.map).toEqual(out.map);
    const ig = await imageClassification.explain(
      explainer,
      { pixelValues: chelsea.pixel_values },
      { target: 'Ankle boot', integration: 'riemann_trapezoid', attention: 'rollout' },
    );
    expectClose((ig.map as number[][]).flat(), entry.ig_zero_riemann_trapezoid.sum_over_channels.flat(), 1e-4, 1e-3, 'IG trapezoid');
    expect(Object.keys(ig).sort()).toEqual(['attentions', 'convergenceDelta', 'logits', 'map', 'predicted', 'target']);
  });

  it('missing, doubled or malformed inputs and text-only options are errors', async () => {
    const run = (raw: Record<string, unknown>, options = {}) => imageClassification.explain(explainer, raw, options);
    await expect(run({})).rejects.toThrow(/"image" \(a file path\) or "pixelValues"/);
    await expect(run({ image: 'a.png', pixelValues: [] })).rejects.toThrow(/not both/);
    await expect(run({ pixelValues: '[[1' })).rejects.toThrow(/JSON/);
    await expect(run({ image: 42 })).rejects.toThrow(/file path/);
    await expect(run({ pixelValues: chelsea.pixel_values }, { aggregate: 'l2' })).rejects.toThrow(
      /option "aggregate" is not read by task "image-classification"/,
    );
    await expect(run({ pixelValues: chelsea.pixel_values }, { baseline: 'pad' })).rejects.toThrow(InvalidInputError);
  });
});
