import { beforeAll, describe, expect, it } from 'vitest';
import { GlassboxError, InvalidInputError, SequenceClassificationExplainer } from '@glassbox/core';
import { integrationScheme } from '../packages/core/src/methods/integration.ts';
import { FIXTURES, expectClose, readJson, refsOf, useLocalFixtures } from './helpers.ts';
import { join } from 'node:path';

let explainer: SequenceClassificationExplainer;
beforeAll(async () => {
  useLocalFixtures();
  explainer = await SequenceClassificationExplainer.fromPretrained('distilbert-sst2-tiny');
});
const text = refsOf('distilbert-sst2-tiny').inputs[1].text as string;

describe("integration schemes are Captum's", () => {
  it.each(['gausslegendre', 'riemann_trapezoid'] as const)('%s, 50 steps', (method) => {
    const ref = readJson(join(FIXTURES, 'integration_schemes.json'))[method];
    const s = integrationScheme(method, 50);
    // Captum's riemann points are torch.linspace in float32; ours differ by at most one float32 ulp.
    expectClose(s.alphas, ref.alphas, method === 'gausslegendre' ? 1e-14 : 6e-8, 0, 'alphas');
    expectClose(s.weights, ref.weights, 1e-14, 0, 'weights');
  });

  it('riemann left/right/middle points', () => {
    expect(integrationScheme('riemann_left', 4).alphas).toEqual([0, 0.25, 0.5, 0.75]);
    expect(integrationScheme('riemann_right', 4).alphas).toEqual([0.25, 0.5, 0.75, 1]);
    expect(integrationScheme('riemann_middle', 4).alphas).toEqual([0.125, 0.375, 0.625, 0.875]);
    expect(integrationScheme('riemann_middle', 4).weights).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('integrated gradients', () => {
  it('is complete: Σ attributions → f(x) − f(baseline) as steps grow (Gauss-Legendre)', async () => {
    const opts = { method: 'integrated-gradients', output: 'logits', normalize: 'none', baseline: 'pad' } as const;
    const coarse = await explainer.explain(text, { ...opts, steps: 4 });
    const fine = await explainer.explain(text, { ...opts, steps: 200 });
    expect(Math.abs(fine.convergenceDelta!)).toBeLessThan(1e-4);
    expect(Math.abs(fine.convergenceDelta!)).toBeLessThan(Math.abs(coarse.convergenceDelta!));
  });

  it('gives the same attributions whatever the internal batch size', async () => {
    const opts = { output: 'logits', normalize: 'none', steps: 20 } as const;
    const one = await explainer.explain(text, { ...opts, internalBatchSize: 1 });
    const seven = await explainer.explain(text, { ...opts, internalBatchSize: 7 });
    const all = await explainer.explain(text, opts);
    expectClose(
      seven.tokens.map((t) => t.attribution),
      one.tokens.map((t) => t.attribution),
      1e-6,
      0,
      'batch 7 vs 1',
    );
    expectClose(
      all.tokens.map((t) => t.attribution),
      one.tokens.map((t) => t.attribution),
      1e-6,
      0,
      'batch all vs 1',
    );
  });
});

describe('smoothgrad', () => {
  it('is reproducible with a seed and differs across seeds', async () => {
    const a = await explainer.explain(text, { method: 'smoothgrad', noise: { seed: 1, samples: 8 } });
    const b = await explainer.explain(text, { method: 'smoothgrad', noise: { seed: 1, samples: 8 } });
    const c = await explainer.explain(text, { method: 'smoothgrad', noise: { seed: 2, samples: 8 } });
    expect(a.tokens.map((t) => t.attribution)).toEqual(b.tokens.map((t) => t.attribution));
    expect(a.tokens.map((t) => t.attribution)).not.toEqual(c.tokens.map((t) => t.attribution));
  });

  it('with zero noise equals saliency', async () => {
    const sg = await explainer.explain(text, { method: 'smoothgrad', aggregate: 'l2', noise: { stdev: 0, samples: 3 } });
    const sal = await explainer.explain(text, { method: 'saliency', aggregate: 'l2' });
    expectClose(
      sg.tokens.map((t) => t.attribution),
      sal.tokens.map((t) => t.attribution),
      1e-9,
      0,
      'smoothgrad σ=0',
    );
  });
});

describe('bad input gets a named error and leaves the explainer usable', () => {
  const cases: [string, () => Promise<unknown>, RegExp, string][] = [
    [
      'unknown label',
      () => explainer.explain(text, { target: 'NEUTRAL' }),
      /unknown target label "NEUTRAL".*0 \(NEGATIVE\), 1 \(POSITIVE\)/,
      'unknown_target',
    ],
    ['target out of range', () => explainer.explain(text, { target: 5 }), /target 5 is out of range/, 'unknown_target'],
    ['empty text', () => explainer.explain(''), /empty/, 'empty_text'],
    ['whitespace text', () => explainer.explain(' \n\t '), /empty/, 'empty_text'],
    [
      'too long',
      () => explainer.explain('good '.repeat(700)),
      /702 tokens long; model "distilbert-sst2-tiny" accepts at most 512/,
      'text_too_long',
    ],
    ['unknown method', () => explainer.explain(text, { method: 'deeplift' as never }), /unknown method "deeplift"/, 'bad_method'],
    ['unknown baseline', () => explainer.explain(text, { baseline: 'blur' as never }), /unknown baseline "blur"/, 'bad_baseline'],
    [
      'unknown integration',
      () => explainer.explain(text, { integration: 'simpson' as never }),
      /unknown integration "simpson"/,
      'bad_integration',
    ],
    ['zero steps', () => explainer.explain(text, { steps: 0 }), /steps must be an integer from 1 to 10000, got 0/, 'bad_steps'],
    [
      'occlusion with a zero baseline',
      () => explainer.explain(text, { method: 'occlusion', baseline: 'zero' }),
      /occlusion replaces tokens/,
      'bad_baseline',
    ],
  ];
  it.each(cases)('%s', async (_name, call, message, code) => {
    const err = await call().then(
      () => undefined,
      (e) => e,
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as GlassboxError).code).toBe(code);
    expect((err as Error).message).toMatch(message);
    const ok = await explainer.explain(text, { method: 'saliency' });
    expect(ok.tokens.length).toBeGreaterThan(2);
  });

  it('a model folder that does not exist', async () => {
    await expect(SequenceClassificationExplainer.fromPretrained('/no/such/folder')).rejects.toThrow(GlassboxError);
  });
});
