import { expect } from 'vitest';
import type { ExplainOptions, SequenceClassificationExplainer } from '@glassbox/core';

/**
 * Two calls on one explainer at once give what they give one after the other: each call is
 * run alone first, then all together, and the results must be equal exactly. Gradient and
 * perturbation methods are mixed so passes of different kinds interleave. Shared by the CPU
 * tests (Node) and the WebGPU tests (Chromium).
 */
const CALLS: [string, ExplainOptions][] = [
  ['a gripping, beautifully acted film', { method: 'integrated-gradients', steps: 16, internalBatchSize: 4 }],
  ['dull and far too long', { method: 'kernel-shap', samples: 64 }],
  ['the plot is thin but the cast is great', { method: 'lime', samples: 48, target: 0 }],
  ['an unexpected delight', { method: 'smoothgrad', noise: { samples: 4, seed: 3 } }],
  ['not good, not bad', { method: 'occlusion' }],
];

export async function expectConcurrentCallsEqualSequential(explainer: SequenceClassificationExplainer): Promise<void> {
  const alone = [];
  for (const [text, options] of CALLS) alone.push(await explainer.explain(text, options));
  const together = await Promise.all(CALLS.map(([text, options]) => explainer.explain(text, options)));
  expect(together).toEqual(alone);
}

export async function expectConcurrentProgressSeparate(explainer: SequenceClassificationExplainer): Promise<void> {
  const seen: number[][] = [[], []];
  await Promise.all(CALLS.slice(0, 2).map(([text, options], i) => explainer.explain(text, { ...options, onProgress: (f) => seen[i]!.push(f) })));
  for (const fractions of seen) {
    expect(fractions.at(-1)).toBe(1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  }
}

export async function expectFailureBesideSuccess(explainer: SequenceClassificationExplainer): Promise<void> {
  const [text, options] = CALLS[1]!;
  const [bad, good] = await Promise.allSettled([explainer.explain('', {}), explainer.explain(text, options)]);
  expect(bad.status).toBe('rejected');
  expect(good.status === 'fulfilled' && good.value).toEqual(await explainer.explain(text, options));
}
