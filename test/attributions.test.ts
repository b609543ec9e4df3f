import { beforeAll, describe, expect, it } from 'vitest';
import { type ExplainOptions, SequenceClassificationExplainer } from '@glassbox/core';
import { type Json, expectClose, refsOf, useLocalFixtures } from './helpers.ts';

/**
 * Every method against the Captum / transformers-interpret numbers of the fixtures README,
 * at its suggested float32 tolerances, for both sequence-classification fixtures at both
 * opsets. bert-nli-tiny is used as a plain 3-class classifier over (premise, hypothesis).
 * roberta-sst-tiny (byte-level BPE, position ids counted from pad+1) has references made by
 * scripts/make_roberta_fixture.py in float64 torch with Captum's conventions.
 */
const MODELS: [string, (string | undefined)[]][] = [
  ['distilbert-sst2-tiny', [undefined, 'model_opset17']],
  ['bert-nli-tiny', [undefined, 'model_opset17']],
  ['roberta-sst-tiny', [undefined]],
];

const IG = ['ig_zero_riemann_trapezoid', 'ig_zero_gausslegendre', 'ig_pad_riemann_trapezoid', 'ig_pad_gausslegendre'] as const;
const captum = { output: 'logits', normalize: 'none', aggregate: 'sum' } as const;
const gradTol = (ref: number[], what: string) => (actual: (number | null)[]) => expectClose(actual, ref, 1e-4, 1e-3, what);

beforeAll(useLocalFixtures);

const textOf = (inp: Json) => (inp.text !== undefined ? { text: inp.text as string } : { text: inp.premise as string, textPair: inp.hypothesis as string });

describe.each(MODELS)('%s', (name, files) => {
  describe.each(files)('file %s', (modelFileName) => {
    let explainer: SequenceClassificationExplainer;
    beforeAll(async () => {
      explainer = await SequenceClassificationExplainer.fromPretrained(name, { modelFileName });
    });
    const refs = refsOf(name);

    it.each(refs.inputs as Json[])('input $id: tokens, prediction, every Captum method for both targets', async (inp: Json) => {
      const { text, textPair } = textOf(inp);
      const run = (options: ExplainOptions) => explainer.explain(text, { textPair, ...options });
      for (const entry of inp.attributions as Json[]) {
        const target = entry.target.class_index as number;
        const where = (m: string) => `${name} ${inp.id} target ${target} ${m}`;
        for (const key of IG) {
          const [, baseline, integration] = key.split('_', 3) as [string, 'zero' | 'pad', string];
          const r = await run({ ...captum, target, method: 'integrated-gradients', baseline, integration: key.slice(`ig_${baseline}_`.length) as never });
          void integration;
          expect(r.tokens.map((t) => t.id)).toEqual(inp.input_ids);
          gradTol(entry[key].per_token_sum, where(key))(r.tokens.map((t) => t.attribution));
          expect(Math.abs(r.convergenceDelta! - entry[key].convergence_delta), where(`${key} delta`)).toBeLessThan(1e-3);
        }
        const l2 = await run({ ...captum, target, method: 'saliency', aggregate: 'l2' });
        gradTol(entry.saliency.l2, where('saliency l2'))(l2.tokens.map((t) => t.attribution));
        const sum = await run({ ...captum, target, method: 'saliency' });
        expectClose(sum.tokens.map((t) => t.attribution), entry.saliency.sum, 1e-5, 0, where('saliency sum'));
        const ixg = await run({ ...captum, target, method: 'input-x-gradient' });
        gradTol(entry.input_x_gradient.per_token_sum, where('input x gradient'))(ixg.tokens.map((t) => t.attribution));
        for (const key of ['occlusion_pad', 'occlusion_mask']) {
          const occ = await run({ ...captum, target, method: 'occlusion', baseline: key === 'occlusion_pad' ? 'pad' : 'mask' });
          expectClose(occ.tokens.map((t) => t.attribution), entry[key].logit_drop, 1e-4, 0, where(key));
        }
      }
      const plain = await run({ transformersInterpretQuirks: false });
      expect(plain.predicted.index).toBe(inp.predicted_index);
      expect(plain.predicted.label).toBe(inp.predicted_label);
      expectClose(plain.logits, inp.logits_float32, 1e-4, 0, 'logits');
      expectClose(plain.probabilities, inp.probs, 1e-5, 0, 'probabilities');
    });

    it.each(refs.inputs as Json[])('input $id: defaults reproduce transformers-interpret', async (inp: Json) => {
      const { text, textPair } = textOf(inp);
      for (const ti of inp.transformers_interpret as Json[]) {
        const r = await explainer.explain(text, { textPair, target: ti.index });
        expect(r.tokens.map((t) => t.id)).toEqual(ti.input_ids);
        expectClose(r.tokens.map((t) => t.attribution), ti.word_attributions.map((w: [string, number]) => w[1]), 1e-4, 0, `${name} ${inp.id} TI class ${ti.index}`);
        expect(r.target.index).toBe(ti.index);
        expect(Math.abs(r.convergenceDelta! - ti.convergence_delta), `${name} ${inp.id} TI delta`).toBeLessThan(1e-4);
      }
    });
  });
});

describe('transformers-interpret defaults', () => {
  it('default target is the predicted class, and output/normalisation follow transformers-interpret', async () => {
    const explainer = await SequenceClassificationExplainer.fromPretrained('distilbert-sst2-tiny');
    const inp = refsOf('distilbert-sst2-tiny').inputs[0];
    const r = await explainer.explain(inp.text);
    expect(r.target.index).toBe(inp.predicted_index);
    expect(r.method).toBe('integrated-gradients');
    expect(r.output).toBe('softmax');
    const norm = Math.hypot(...r.tokens.map((t) => t.attribution!));
    expect(norm).toBeCloseTo(1, 12);
    const ti = inp.transformers_interpret.find((t: Json) => t.index === inp.predicted_index);
    expectClose(r.tokens.map((t) => t.attribution), ti.word_attributions.map((w: [string, number]) => w[1]), 1e-4, 0, 'TI');
    expect(Math.abs(r.convergenceDelta! - ti.convergence_delta)).toBeLessThan(1e-4);
    // Words group word pieces and carry the summed attribution.
    for (const w of r.words) expect(w.attribution).toBeCloseTo(w.tokens.reduce((s, i) => s + r.tokens[i]!.attribution!, 0), 12);
  });
});
