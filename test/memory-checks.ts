import { expect } from 'vitest';
import type { ExplainOptions, SequenceClassificationExplainer } from '@glassbox/core';

/**
 * The 1,000-explanation loop of test/memory.test.ts (cpu) and test/memory.browser.test.ts
 * (webgpu): texts of four lengths (so plans, kernels and pooled buffers of several shapes are
 * in play) and a mix of methods that stays affordable on a software adapter: gradient methods
 * (saliency, input × gradient, integrated gradients with 4 points) and a perturbation method
 * (occlusion: forward passes only), the dearer ones on the shorter texts.
 */
const TINY = 'Great.';
const SHORT = 'I love this movie.';
const MEDIUM = 'The plot was thin, but the actors saved it in the end.';
const LONG = 'Nothing about this film worked for me: the pacing dragged and the jokes fell flat.';

const CASES: [string, ExplainOptions][] = [
  [LONG, { method: 'saliency' }],
  [SHORT, { method: 'occlusion' }],
  [MEDIUM, { method: 'saliency' }],
  [TINY, { method: 'integrated-gradients', steps: 4 }],
  [SHORT, { method: 'input-x-gradient' }],
  [LONG, { method: 'saliency', output: 'logits' }],
  [TINY, { method: 'occlusion' }],
  [SHORT, { method: 'integrated-gradients', steps: 4 }],
  [MEDIUM, { method: 'input-x-gradient' }],
  [TINY, { method: 'saliency' }],
];

/** The loop goes round its cases every this many explanations. */
export const CYCLE = CASES.length;

export const RUNS = 1000;
export const WARM_UP = 2 * CYCLE;

/** Explanations `from` to `to` − 1 of the loop; `after(i)` runs after each. Results are checked, not kept. */
export async function explainLoop(explainer: SequenceClassificationExplainer, from: number, to: number, after: (i: number) => void = () => {}): Promise<void> {
  for (let i = from; i < to; i++) {
    const [text, options] = CASES[i % CASES.length]!;
    const r = await explainer.explain(text, options);
    expect(r.tokens.length).toBeGreaterThan(2);
    // Special tokens left out of a normalisation have none.
    expect(r.tokens.every((t) => t.attribution === null || Number.isFinite(t.attribution))).toBe(true);
    expect(r.tokens.some((t) => t.attribution !== null && t.attribution !== 0)).toBe(true);
    after(i);
  }
}

const MiB = 2 ** 20;
export const mib = (bytes: number) => `${(bytes / MiB).toFixed(2)} MiB`;

/**
 * The JS heap may grow this much over the loop after the warm-up, measured after a full GC:
 * about 0.5 MiB was measured, V8's compiled code (a heap-snapshot diff shows nothing else). Keeping
 * one result per explanation (3 to 6 KB each, measured) would pass 3 MiB over the loop.
 */
export const HEAP_GROWTH_BOUND = 2 * MiB;
