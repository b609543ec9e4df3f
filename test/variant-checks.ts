import { expect } from 'vitest';
import type { SequenceClassificationExplainer } from '@glassbox/core';
import { type Json, expectClose } from './expectClose.ts';

/**
 * distilbert-sst2-tiny's quantized (q8) and float16 graphs: no peer attributions exist for
 * them (Captum works on the float model; see onnx/quantized_refs.json and fp16_refs.json),
 * so their logits are checked against the onnxruntime logits of those refs files and their
 * attributions loosely against the float model's Captum numbers. Shared by
 * variants.test.ts and engines.test.ts.
 */
export const VARIANTS = [
  // dtype, attribution tolerance (× max(1, max|ref|)), refs file, logits tolerance (forward.test.ts's)
  ['q8', 0.05, 'quantized_refs.json', 1e-5],
  ['fp16', 0.01, 'fp16_refs.json', 1e-2],
] as const;
export type VariantDtype = (typeof VARIANTS)[number][0];

const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));

/** Token attributions of the variant vs the float model's (Captum refs): close within the variant's error, same top token. */
export async function expectVariantTracksFloat(
  explainer: SequenceClassificationExplainer,
  dtype: string,
  tol: number,
  inputs: Json[],
): Promise<void> {
  for (const inp of inputs) {
    const entry = inp.attributions[0];
    const r = await explainer.explain(inp.text, { target: entry.target.class_index, output: 'logits', normalize: 'none', baseline: 'pad' });
    const ours = r.tokens.map((t) => t.attribution!);
    const ref = entry.ig_pad_gausslegendre.per_token_sum as number[];
    const scale = Math.max(...ref.map(Math.abs));
    ours.forEach((v, i) =>
      expect(Math.abs(v - ref[i]!), `${dtype} ${inp.id} token ${i}`).toBeLessThanOrEqual(tol * Math.max(1, scale) + 0.02 * scale),
    );
    expect(argmax(ours), `${dtype} ${inp.id} top token`).toBe(argmax(ref));
  }
}

/** The variant's logits and prediction as its refs file gives them (onnxruntime-node on the variant graph). */
export async function expectVariantLogits(explainer: SequenceClassificationExplainer, variantRefs: Json, tol: number): Promise<void> {
  for (const inp of variantRefs.inputs as Json[]) {
    const r = await explainer.explain(inp.text, { method: 'saliency' });
    expect(r.tokens.map((t) => t.id)).toEqual(inp.input_ids);
    expectClose(r.logits, inp.logits.flat(), tol, 0, `${variantRefs.file} ${inp.id} logits`);
    expect(r.predicted.index).toBe(inp.predicted_index);
  }
}
