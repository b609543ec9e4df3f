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
  await Promise.all(
    CALLS.slice(0, 2).map(([text, options], i) => explainer.explain(text, { ...options, onProgress: (f) => seen[i]!.push(f) })),
  );
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

/**
 * Calls that fail part-way (one cancelled by its signal after its first pass, one whose
 * onProgress throws after its first pass), started once good calls of both kinds, a gradient
 * and a perturbation method, are in the middle of theirs: the good calls give the numbers they
 * give alone. Every call reports progress, so each yields between passes and the passes
 * interleave; the log shows that each good call still had passes after the last failure.
 */
export async function expectMidwayFailuresBesideSuccess(explainer: SequenceClassificationExplainer): Promise<void> {
  const log: string[] = [];
  const good = (onProgress: (i: number) => void): [string, ExplainOptions][] => [
    [
      'a gripping, beautifully acted film',
      { method: 'integrated-gradients', steps: 32, internalBatchSize: 2, onProgress: () => onProgress(0) },
    ],
    // 13 tokens: 256 sampled coalitions (fewer tokens would enumerate all of theirs in a few passes).
    [
      'dull and far too long, with a plot that goes nowhere at all',
      { method: 'kernel-shap', samples: 256, internalBatchSize: 8, onProgress: () => onProgress(1) },
    ],
  ];
  const alone = [];
  for (const [text, options] of good(() => {})) alone.push(await explainer.explain(text, options));

  let bothStarted!: () => void;
  const started = new Promise<void>((resolve) => (bothStarted = resolve));
  const together = good((i) => {
    log.push(`good ${i}`);
    if (log.includes('good 0') && log.includes('good 1')) bothStarted();
  }).map(([text, options]) => explainer.explain(text, options));
  await Promise.race([started, Promise.allSettled(together)]);

  const controller = new AbortController();
  const bad = [
    explainer.explain('a slow and muddled story', {
      method: 'kernel-shap',
      samples: 64,
      internalBatchSize: 8,
      signal: controller.signal,
      onProgress: () => {
        log.push('cancel');
        controller.abort();
      },
    }),
    explainer.explain('a slow and muddled story', {
      method: 'integrated-gradients',
      steps: 16,
      internalBatchSize: 2,
      onProgress: () => {
        log.push('throw');
        throw new Error('progress callback failed');
      },
    }),
  ].map((call) => call.finally(() => log.push('failed')));
  const [cancelled, thrown, ...results] = await Promise.allSettled([...bad, ...together]);

  expect(cancelled).toMatchObject({ status: 'rejected', reason: { code: 'aborted' } });
  expect(thrown).toMatchObject({ status: 'rejected', reason: { message: 'progress callback failed' } });
  // Each failing call failed after its first pass, in the middle of its computation (not in validation)...
  expect(log.filter((e) => e === 'cancel' || e === 'throw').sort()).toEqual(['cancel', 'throw']);
  // ...while each good call was in the middle of its own: it had passes before the failures and after them.
  for (const i of [0, 1]) {
    expect(log.indexOf(`good ${i}`), log.join(', ')).toBeLessThan(log.indexOf('failed'));
    expect(log.lastIndexOf(`good ${i}`), log.join(', ')).toBeGreaterThan(log.lastIndexOf('failed'));
  }
  expect(results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason))).toEqual(alone);
}
