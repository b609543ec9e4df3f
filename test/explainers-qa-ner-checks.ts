import { expect } from 'vitest';
import type { ExplainOptions, QuestionAnsweringExplainer, TokenClassificationExplainer } from '@glassbox/core';
import { type Json, expectClose } from './expectClose.ts';

/**
 * Question-answering and token-classification explainers against the fixtures' Captum and
 * transformers-interpret numbers, at the fixtures README's float32 tolerances. Shared by the
 * CPU tests (Node) and the WebGPU tests (Chromium).
 */
type Run = (options: ExplainOptions) => Promise<{ ids: number[]; attributions: (number | null)[]; delta: number | null }>;

const IG = ['ig_zero_riemann_trapezoid', 'ig_zero_gausslegendre', 'ig_pad_riemann_trapezoid', 'ig_pad_gausslegendre'] as const;
/** Captum's conventions: the raw logit, unnormalised; gradient methods sum over hidden dimensions (occlusion has none to sum, and refuses the option). */
const captum = { output: 'logits', normalize: 'none' } as const;
const summed = { ...captum, aggregate: 'sum' } as const;
const gradTol = (actual: (number | null)[], ref: number[], what: string) => expectClose(actual, ref, 1e-4, 1e-3, what);
const wordAttributions = (ti: Json): number[] => ti.word_attributions.map((w: [string, number]) => w[1]);

/** Every Captum method of one `attributions` entry (one target), through `run`. */
async function expectCaptumEntry(run: Run, entry: Json, ids: number[], where: string): Promise<void> {
  for (const key of IG) {
    const baseline = key.startsWith('ig_zero') ? 'zero' : 'pad';
    const integration = key.slice(`ig_${baseline}_`.length) as ExplainOptions['integration'];
    const r = await run({ ...summed, method: 'integrated-gradients', baseline, integration });
    expect(r.ids).toEqual(ids);
    gradTol(r.attributions, entry[key].per_token_sum, `${where} ${key}`);
    expect(Math.abs(r.delta! - entry[key].convergence_delta), `${where} ${key} delta`).toBeLessThan(1e-3);
  }
  gradTol((await run({ ...captum, method: 'saliency', aggregate: 'l2' })).attributions, entry.saliency.l2, `${where} saliency l2`);
  expectClose((await run({ ...summed, method: 'saliency' })).attributions, entry.saliency.sum, 1e-5, 0, `${where} saliency sum`);
  gradTol(
    (await run({ ...summed, method: 'input-x-gradient' })).attributions,
    entry.input_x_gradient.per_token_sum,
    `${where} input x gradient`,
  );
  for (const key of ['occlusion_pad', 'occlusion_mask']) {
    const occ = await run({ ...captum, method: 'occlusion', baseline: key === 'occlusion_pad' ? 'pad' : 'mask' });
    expectClose(occ.attributions, entry[key].logit_drop, 1e-4, 0, `${where} ${key}`);
  }
}

/** QA: Captum on the word embeddings, target start_logits[position] then end_logits[position]; logits and positions. */
export async function expectQaCaptum(qa: QuestionAnsweringExplainer, inp: Json): Promise<void> {
  for (const entry of inp.attributions as Json[]) {
    const { which, position } = entry.target as { which: 'start' | 'end'; position: number };
    const run: Run = async (options) => {
      const r = await qa.explain(inp.question, inp.context, { ...options, embeddingType: 0, which, target: position });
      const side = r[which]!;
      expect(side.position).toBe(position);
      expect(side.logit).toBeCloseTo(entry.target_logit, 4);
      return { ids: side.tokens.map((t) => t.id), attributions: side.tokens.map((t) => t.attribution), delta: side.convergenceDelta };
    };
    await expectCaptumEntry(run, entry, inp.input_ids, `${inp.id} ${which}[${position}]`);
  }
  const r = await qa.explain(inp.question, inp.context, { ...summed, method: 'saliency', target: 'predicted' });
  expectClose(r.startLogits, inp.start_logits_float32, 1e-4, 0, `${inp.id} start logits`);
  expectClose(r.endLogits, inp.end_logits_float32, 1e-4, 0, `${inp.id} end logits`);
  expect([r.startPosition, r.endPosition, r.start!.position, r.end!.position]).toEqual([
    inp.predicted_start,
    inp.predicted_end,
    inp.predicted_start,
    inp.predicted_end,
  ]);
}

/** QA with no options but the embedding type: transformers-interpret's start and end word attributions, deltas, span and answer. */
export async function expectQaTransformersInterpret(qa: QuestionAnsweringExplainer, inp: Json): Promise<void> {
  for (const ti of inp.transformers_interpret as Json[]) {
    const where = `${inp.id} embedding_type ${ti.embedding_type}`;
    const r = await qa.explain(inp.question, inp.context, { embeddingType: ti.embedding_type });
    for (const side of ['start', 'end'] as const) {
      expect(r[side]!.tokens.map((t) => t.id)).toEqual(ti.input_ids);
      expectClose(
        r[side]!.tokens.map((t) => t.attribution),
        wordAttributions(ti[side]),
        1e-4,
        0,
        `${where} ${side}`,
      );
      expect(Math.abs(r[side]!.convergenceDelta! - ti[side].convergence_delta), `${where} ${side} delta`).toBeLessThan(1e-4);
    }
    expect([r.startPosition, r.endPosition]).toEqual([ti.start_pos, ti.end_pos]);
    expect(r.predictedAnswer).toBe(ti.predicted_answer);
  }
}

/** Every token position but one. */
export const allBut = (length: number, keep: number) => Array.from({ length }, (_, i) => i).filter((i) => i !== keep);

/** NER: Captum with targets logits[token_index, class_index]; per-token logits, probabilities and predictions. */
export async function expectNerCaptum(ner: TokenClassificationExplainer, inp: Json): Promise<void> {
  for (const entry of inp.attributions as Json[]) {
    const { token_index: token, class_index: cls } = entry.target as { token_index: number; class_index: number };
    const run: Run = async (options) => {
      const r = await ner.explain(inp.text, { ...options, target: cls, ignoredIndexes: allBut(inp.input_ids.length, token) });
      expect(r.explained.map((e) => [e.index, e.target.index])).toEqual([[token, cls]]);
      const e = r.explained[0]!;
      return { ids: e.tokens.map((t) => t.id), attributions: e.tokens.map((t) => t.attribution), delta: e.convergenceDelta };
    };
    await expectCaptumEntry(run, entry, inp.input_ids, `${inp.id} token ${token} class ${cls}`);
  }
  const r = await ner.explain(inp.text, { ...summed, method: 'saliency', ignoredIndexes: allBut(inp.input_ids.length, 0) });
  expect(r.tokens.map((t) => t.id)).toEqual(inp.input_ids);
  expectClose(r.logits.flat(), inp.logits_float32.flat(), 1e-4, 0, `${inp.id} logits`);
  expectClose(r.probabilities.flat(), inp.probs.flat(), 1e-5, 0, `${inp.id} probabilities`);
  expect(r.tokens.map((t) => t.predicted.index)).toEqual(inp.predicted_index);
  expect(r.tokens.map((t) => t.predicted.label)).toEqual(inp.predicted_label);
}

/** NER with transformers-interpret's defaults, the one explained token of the reference (all others ignored). */
export async function expectNerTransformersInterpret(ner: TokenClassificationExplainer, inp: Json): Promise<void> {
  for (const ti of inp.transformers_interpret as Json[]) {
    const where = `${inp.id} token ${ti.token_index}`;
    const r = await ner.explain(inp.text, { ignoredIndexes: allBut(ti.input_ids.length, ti.token_index) });
    expect(r.text).toBe(ti.cleaned_text);
    expect(r.explained.length).toBe(1);
    const e = r.explained[0]!;
    expect(e.index).toBe(ti.token_index);
    expect([e.predicted.index, e.predicted.label, e.target.index, e.target.label]).toEqual([
      ti.target_label_index,
      ti.target_label,
      ti.target_label_index,
      ti.target_label,
    ]);
    expect(e.tokens.map((t) => t.id)).toEqual(ti.input_ids);
    expectClose(
      e.tokens.map((t) => t.attribution),
      wordAttributions(ti),
      1e-4,
      0,
      where,
    );
    expect(Math.abs(e.convergenceDelta! - ti.convergence_delta), `${where} delta`).toBeLessThan(1e-4);
  }
}
