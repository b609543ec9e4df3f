import { expect } from 'vitest';
import type { ExplainOptions, SequenceClassificationExplainer } from '@glassbox/core';

/**
 * The 1,000-explanation loop of test/memory.test.ts (cpu) and test/memory.browser.test.ts
 * (webgpu): a cycle of ten cases on texts of four lengths, mixing gradient methods (saliency,
 * input × gradient, integrated gradients with 4 points) and a perturbation method (occlusion:
 * forward passes only), the dearer ones on the shorter texts. Every fourth cycle, its second
 * case gives way to integrated gradients with 16 points on a text of the next of
 * ROTATING_WORDS words, so that many input lengths are in play.
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

/**
 * Word counts of the rotating text. Integrated gradients runs its 16 points in one pass, whose
 * buffers take about 0.5 MiB per word on distilbert-sst2-tiny, each length in sizes of its
 * own: the twelve lengths need about 85 MiB together, more than the WebGPU pool's 64 MiB
 * floor, while the most live at once stays near 15 MiB (2 × peak < 64 MiB). So the floor is
 * the cap, and the pool has to evict every time the rotation comes round.
 */
export const ROTATING_WORDS = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24];
const ROTATING_EVERY = 4;
const WORDS = LONG.replace(/[^a-z ]/gi, '')
  .toLowerCase()
  .split(' ');

/** Explanation i's text and options. */
function caseAt(i: number): [string, ExplainOptions] {
  const cycle = Math.floor(i / CYCLE);
  if (i % CYCLE !== 1 || cycle % ROTATING_EVERY !== 0) return CASES[i % CYCLE]!;
  const n = ROTATING_WORDS[(cycle / ROTATING_EVERY) % ROTATING_WORDS.length]!;
  return [`${Array.from({ length: n }, (_, k) => WORDS[k % WORDS.length]).join(' ')}.`, { method: 'integrated-gradients', steps: 16 }];
}

export const RUNS = 1000;
/** One turn of the rotation: after it every case's plan and kernels exist and the peak was reached. */
export const WARM_UP = ROTATING_WORDS.length * ROTATING_EVERY * CYCLE;

/** Explanations `from` to `to` − 1 of the loop; `after(i)` runs after each. Results are checked, not kept. */
export async function explainLoop(
  explainer: SequenceClassificationExplainer,
  from: number,
  to: number,
  after: (i: number) => void = () => {},
): Promise<void> {
  for (let i = from; i < to; i++) {
    const r = await explainer.explain(...caseAt(i));
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
