import { join } from 'node:path';
import { ImageClassificationExplainer, SequenceClassificationExplainer } from '@glassbox/core';
import { saliency } from '@glassbox/core/methods';
import { classificationInput } from '../packages/core/src/explainers/sequenceClassification.ts';
import { Rng } from '../packages/core/src/methods/rng.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODELS, expectClose, refsOf } from './helpers.ts';

/**
 * SmoothGrad, SquareGrad and VarGrad against reference values computed here from the same
 * noise draws (Captum's NoiseTunnel): the noisy inputs are drawn with the same seeded Rng, in
 * the same order (sample by sample, element by element), each one's attribution is taken alone
 * (text: saliency on the word embeddings; images: integrated gradients through the public
 * explain), and the mean, the mean of squares and the variance are taken here in float64.
 */

const NOISE = { samples: 4, stdev: 0.05, seed: 11 };
/** Each method, its NoiseTunnel type (`noise.type` of method 'smoothgrad') and its statistic of a value's samples. */
const TUNNELS = [
  ['smoothgrad', 'smoothgrad', (g: number[]) => mean(g)],
  ['smoothgrad-sq', 'smoothgrad_sq', (g: number[]) => mean(g.map((v) => v * v))],
  ['vargrad', 'vargrad', (g: number[]) => mean(g.map((v) => v * v)) - mean(g) ** 2],
] as const;

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** `x` plus `stdev` × the Rng's normals, drawn for samples one after another, stored in float32 as the noise tunnel stores them. */
function noisyCopies(x: ArrayLike<number>, { samples, stdev, seed }: typeof NOISE): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: samples }, () => Float32Array.from(x, (v) => v + stdev * rng.normal()));
}

/** Per element, the tunnel's statistic over the samples' attributions. */
const reduceSamples = (perSample: ArrayLike<number>[], statistic: (g: number[]) => number) =>
  Array.from(perSample[0]!, (_, i) => statistic(perSample.map((g) => g[i]!)));

describe('noise tunnel over saliency on the word embeddings (text)', () => {
  let explainer: SequenceClassificationExplainer;
  beforeAll(async () => {
    explainer = await SequenceClassificationExplainer.fromPretrained(join(MODELS, 'distilbert-sst2-tiny'));
  });
  const text = refsOf('distilbert-sst2-tiny').inputs[1].text as string;

  it.each(TUNNELS)(
    '%s (noise.type %s): each token the sum (or L2 norm) over hidden dims of the statistic of gradients taken one by one',
    async (method, type, statistic) => {
      const input = classificationInput(explainer.model, [text], false);
      const { runner } = input;
      const fn = runner.overEmbeddings(input.scorer(0, 'logits'));
      const x = await runner.embed(runner.ids);
      const gradients = [];
      for (const noisy of noisyCopies(x.data, NOISE)) gradients.push((await saliency(fn, { ...x, data: noisy })).values);
      const values = reduceSamples(gradients, statistic);
      const hidden = x.shape[x.shape.length - 1]!;
      const perToken = (reduce: (v: number[]) => number) => runner.ids.map((_, t) => reduce(values.slice(t * hidden, (t + 1) * hidden)));

      const options = { method, target: 0, output: 'logits', normalize: 'none', transformersInterpretQuirks: false, noise: NOISE } as const;
      const sum = await explainer.explain(text, { ...options, aggregate: 'sum' });
      const l2 = await explainer.explain(text, { ...options, aggregate: 'l2' });
      expectClose(
        sum.tokens.map((t) => t.attribution),
        perToken((v) => v.reduce((a, b) => a + b, 0)),
        1e-12,
        1e-9,
        `${method} sum`,
      );
      expectClose(
        l2.tokens.map((t) => t.attribution),
        perToken((v) => Math.hypot(...v)),
        1e-12,
        1e-9,
        `${method} l2`,
      );
      const byType = await explainer.explain(text, { ...options, method: 'smoothgrad', noise: { ...NOISE, type }, aggregate: 'sum' });
      expect(byType.tokens).toEqual(sum.tokens);
    },
  );
});

describe('noise tunnel over integrated gradients (images, transformers-interpret IGNT)', () => {
  let explainer: ImageClassificationExplainer;
  beforeAll(async () => {
    explainer = await ImageClassificationExplainer.fromPretrained(join(MODELS, 'vit-fashion-tiny'));
  });
  const chelsea = (refsOf('vit-fashion-tiny').inputs as { id: string; pixel_values: number[][][] }[]).find((i) => i.id === 'chelsea')!;
  const pixels = chelsea.pixel_values;
  const [C, H, W] = [pixels.length, pixels[0]!.length, pixels[0]![0]!.length];
  const nested = (flat: Float32Array) =>
    Array.from({ length: C }, (_, c) =>
      Array.from({ length: H }, (_, y) => Array.from(flat.subarray((c * H + y) * W, (c * H + y + 1) * W))),
    );

  it.each(TUNNELS)(
    '%s: the statistic of IG (5 points, zero baseline) at each noisy image, explained one by one',
    async (method, _type, statistic) => {
      const common = { target: 9, steps: 5 };
      const igs = [];
      for (const noisy of noisyCopies(Float32Array.from(pixels.flat(2)), NOISE)) {
        igs.push(
          (await explainer.explain({ pixelValues: nested(noisy) }, { ...common, method: 'integrated-gradients' })).attribution.values,
        );
      }
      const r = await explainer.explain({ pixelValues: pixels }, { ...common, method, noise: NOISE });
      expectClose(r.attribution.values, reduceSamples(igs, statistic), 1e-8, 1e-6, method);
    },
  );
});
