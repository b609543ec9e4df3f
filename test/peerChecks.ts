import { expect } from 'vitest';
import type { ExplainOptions, SequenceClassificationExplainer } from '@glassbox/core';
import { type Json, expectClose } from './expectClose.ts';

/**
 * Checks of an explainer against a fixture input's Captum / transformers-interpret
 * numbers, at the fixtures README's float32 tolerances. Shared by the CPU tests (Node) and
 * the WebGPU tests (Chromium).
 */
const IG = ['ig_zero_riemann_trapezoid', 'ig_zero_gausslegendre', 'ig_pad_riemann_trapezoid', 'ig_pad_gausslegendre'] as const;
/** Captum's conventions: the raw logit, unnormalised; gradient methods sum over hidden dimensions (occlusion has none to sum, and refuses the option). */
const captum = { output: 'logits', normalize: 'none' } as const;
const summed = { ...captum, aggregate: 'sum' } as const;
const gradTol = (actual: (number | null)[], ref: number[], what: string) => expectClose(actual, ref, 1e-4, 1e-3, what);

export const textOf = (inp: Json) =>
  inp.text !== undefined ? { text: inp.text as string } : { text: inp.premise as string, textPair: inp.hypothesis as string };

/** Every Captum method, both targets, plus tokens, prediction and probabilities. */
export async function expectCaptumMethods(explainer: SequenceClassificationExplainer, name: string, inp: Json): Promise<void> {
  const { text, textPair } = textOf(inp);
  const run = (options: ExplainOptions) => explainer.explain(text, { textPair, ...options });
  for (const entry of inp.attributions as Json[]) {
    const target = entry.target.class_index as number;
    const where = (m: string) => `${name} ${inp.id} target ${target} ${m}`;
    for (const key of IG) {
      const baseline = key.startsWith('ig_zero') ? 'zero' : 'pad';
      const integration = key.slice(`ig_${baseline}_`.length) as ExplainOptions['integration'];
      const r = await run({ ...summed, target, method: 'integrated-gradients', baseline, integration });
      expect(r.tokens.map((t) => t.id)).toEqual(inp.input_ids);
      gradTol(
        r.tokens.map((t) => t.attribution),
        entry[key].per_token_sum,
        where(key),
      );
      expect(Math.abs(r.convergenceDelta! - entry[key].convergence_delta), where(`${key} delta`)).toBeLessThan(1e-3);
    }
    const l2 = await run({ ...captum, target, method: 'saliency', aggregate: 'l2' });
    gradTol(
      l2.tokens.map((t) => t.attribution),
      entry.saliency.l2,
      where('saliency l2'),
    );
    const sum = await run({ ...summed, target, method: 'saliency' });
    expectClose(
      sum.tokens.map((t) => t.attribution),
      entry.saliency.sum,
      1e-5,
      0,
      where('saliency sum'),
    );
    const ixg = await run({ ...summed, target, method: 'input-x-gradient' });
    gradTol(
      ixg.tokens.map((t) => t.attribution),
      entry.input_x_gradient.per_token_sum,
      where('input x gradient'),
    );
    for (const key of ['occlusion_pad', 'occlusion_mask']) {
      const occ = await run({ ...captum, target, method: 'occlusion', baseline: key === 'occlusion_pad' ? 'pad' : 'mask' });
      expectClose(
        occ.tokens.map((t) => t.attribution),
        entry[key].logit_drop,
        1e-4,
        0,
        where(key),
      );
    }
  }
  const plain = await run({ transformersInterpretQuirks: false });
  expect(plain.predicted.index).toBe(inp.predicted_index);
  expect(plain.predicted.label).toBe(inp.predicted_label);
  expectClose(plain.logits, inp.logits_float32, 1e-4, 0, 'logits');
  expectClose(plain.probabilities, inp.probs, 1e-5, 0, 'probabilities');
}

/** With no options, transformers-interpret's word attributions and convergence delta. */
export async function expectTransformersInterpret(explainer: SequenceClassificationExplainer, name: string, inp: Json): Promise<void> {
  const { text, textPair } = textOf(inp);
  for (const ti of inp.transformers_interpret as Json[]) {
    const r = await explainer.explain(text, { textPair, target: ti.index });
    expect(r.tokens.map((t) => t.id)).toEqual(ti.input_ids);
    expectClose(
      r.tokens.map((t) => t.attribution),
      ti.word_attributions.map((w: [string, number]) => w[1]),
      1e-4,
      0,
      `${name} ${inp.id} TI class ${ti.index}`,
    );
    expect(r.target.index).toBe(ti.index);
    expect(Math.abs(r.convergenceDelta! - ti.convergence_delta), `${name} ${inp.id} TI delta`).toBeLessThan(1e-4);
  }
}
