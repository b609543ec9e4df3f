import { expect } from 'vitest';
import type { TextGenerationExplainer, TextGenerationOptions } from '@glassbox/core';
import { type Json, expectClose } from './expectClose.ts';

/**
 * gpt2-tiny's peer numbers (fixtures refs.json) checked through TextGenerationExplainer, at
 * the fixtures README's float32 tolerances. Shared by the CPU tests (Node) and the WebGPU
 * tests (Chromium).
 */
export const IG_KEYS = ['ig_zero_riemann_trapezoid', 'ig_zero_gausslegendre', 'ig_pad_riemann_trapezoid', 'ig_pad_gausslegendre'] as const;
export type IgKey = (typeof IG_KEYS)[number];
/** Captum's conventions: the raw logit, unnormalised; gradient methods sum over hidden dimensions (occlusion has none to sum, and refuses the option). */
const captum = { output: 'logits', normalize: 'none' } as const;

/** Indices of the k largest values, largest first. */
function topK(values: Float32Array, k: number): number[] {
  return [...values.keys()].sort((a, b) => values[b]! - values[a]! || a - b).slice(0, k);
}

/** Greedy continuation (8 tokens) and the first step's top-10 next-token logits. */
export async function expectGreedy(explainer: TextGenerationExplainer, inp: Json): Promise<void> {
  const g = await explainer.generate(inp.text, { maxNewTokens: 8 });
  expect(g.promptIds).toEqual(inp.input_ids);
  expect(g.ids, `${inp.id} greedy continuation`).toEqual(inp.greedy_continuation_8_tokens_float32);
  expect(g.logits).toHaveLength(8);
  const top = inp.next_token_top10 as Json[];
  expect(topK(g.logits[0]!, 10), `${inp.id} top-10 ids`).toEqual(top.map((t) => t.token_id));
  expectClose(
    top.map((t) => g.logits[0]![t.token_id]!),
    top.map((t) => t.logit_float32),
    1e-4,
    0,
    `${inp.id} top-10 logits`,
  );
  expect(g.tokens[0]).toBe(top[0].token);
}

/**
 * Explain the one-token continuation `entry.target` and return the attributions of its
 * row over the prompt, after checking the result's shape and score.
 */
async function row(
  explainer: TextGenerationExplainer,
  inp: Json,
  entry: Json,
  options: TextGenerationOptions,
): Promise<{ values: (number | null)[]; delta: number | null }> {
  const target = entry.target.token_id as number;
  const r = await explainer.explain(inp.text, { ...captum, continuation: [target], ...options });
  const n = inp.input_ids.length;
  expect(r.promptTokens.map((t) => t.id)).toEqual(inp.input_ids);
  expect(r.generated.map((t) => t.id)).toEqual([target]);
  expect(r.matrix).toHaveLength(1);
  expect(r.matrix[0]).toHaveLength(n + 1);
  expect(r.matrix[0]![n], 'the generated token does not attribute to itself').toBeNull();
  expect(Math.abs(r.generated[0]!.score - entry.target_logit), `${inp.id} target ${target} score`).toBeLessThanOrEqual(1e-4);
  return { values: r.matrix[0]!.slice(0, n), delta: r.generated[0]!.convergenceDelta };
}

const gradTol = (actual: (number | null)[], ref: number[], what: string) => expectClose(actual, ref, 1e-4, 1e-3, what);

/** Layer IG over the word embeddings for one refs key: per-token sums and convergence delta. */
export async function expectIg(explainer: TextGenerationExplainer, inp: Json, entry: Json, key: IgKey): Promise<void> {
  const baseline = key.startsWith('ig_zero') ? 'zero' : 'pad';
  const integration = key.slice(`ig_${baseline}_`.length) as TextGenerationOptions['integration'];
  const { values, delta } = await row(explainer, inp, entry, { method: 'integrated-gradients', aggregate: 'sum', baseline, integration });
  const what = `${inp.id} target ${entry.target.token_id} ${key}`;
  gradTol(values, entry[key].per_token_sum, what);
  expect(Math.abs(delta! - entry[key].convergence_delta), `${what} delta`).toBeLessThan(1e-3);
}

/** Occlusion with <|endoftext|> as the replacement (the fixtures' occlusion_eos). */
export async function expectOcclusion(explainer: TextGenerationExplainer, inp: Json, entry: Json): Promise<void> {
  expect(entry.occlusion_eos.replacement_id).toBe(50256);
  const { values, delta } = await row(explainer, inp, entry, { method: 'occlusion', baseline: 'pad' });
  expect(delta).toBeNull();
  expectClose(values, entry.occlusion_eos.logit_drop, 1e-4, 0, `${inp.id} target ${entry.target.token_id} occlusion_eos`);
}

/** Every refs row of one input and target: IG (4 ways), saliency (l2 and signed sum), input × gradient, occlusion. */
export async function expectAllMethods(explainer: TextGenerationExplainer, inp: Json, entry: Json): Promise<void> {
  const what = (m: string) => `${inp.id} target ${entry.target.token_id} ${m}`;
  for (const key of IG_KEYS) await expectIg(explainer, inp, entry, key);
  const l2 = await row(explainer, inp, entry, { method: 'saliency', aggregate: 'l2' });
  gradTol(l2.values, entry.saliency.l2, what('saliency l2'));
  const sum = await row(explainer, inp, entry, { method: 'saliency', aggregate: 'sum' });
  expectClose(sum.values, entry.saliency.sum, 1e-5, 0, what('saliency sum'));
  const ixg = await row(explainer, inp, entry, { method: 'input-x-gradient', aggregate: 'sum' });
  gradTol(ixg.values, entry.input_x_gradient.per_token_sum, what('input x gradient'));
  await expectOcclusion(explainer, inp, entry);
}
