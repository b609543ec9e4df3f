import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ExplainOptions,
  GlassboxError,
  ImageClassificationExplainer,
  MultiLabelClassificationExplainer,
  PairwiseSequenceClassificationExplainer,
  QuestionAnsweringExplainer,
  SequenceClassificationExplainer,
  TextGenerationExplainer,
  TokenClassificationExplainer,
  ZeroShotClassificationExplainer,
  evaluate,
} from '@glassbox/core';
import { refsOf, useLocalFixtures } from './helpers.ts';

/** onProgress and signal (ExplainOptions): what the demo's progress bar and cancel button use. */
let explainer: SequenceClassificationExplainer;
beforeAll(async () => {
  useLocalFixtures();
  explainer = await SequenceClassificationExplainer.fromPretrained('distilbert-sst2-tiny');
});
const text = refsOf('distilbert-sst2-tiny').inputs[1].text as string;

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('progress', () => {
  it('integrated gradients reports after each pass, rising to 1, and the numbers do not change', async () => {
    const seen: [number, string][] = [];
    const opts = { steps: 20, internalBatchSize: 5 } as const;
    const withProgress = await explainer.explain(text, { ...opts, onProgress: (f, stage) => seen.push([f, stage]) });
    expect(seen).toEqual([0.25, 0.5, 0.75, 1].map((f) => [f, 'integrated-gradients']));
    const plain = await explainer.explain(text, opts);
    expect(withProgress.tokens).toEqual(plain.tokens);
  });

  it.each([
    ['occlusion', { method: 'occlusion', occlusion: { window: 1 } }],
    ['smoothgrad', { method: 'smoothgrad', noise: { samples: 6 }, internalBatchSize: 2 }],
    ['saliency', { method: 'saliency' }],
  ] as const)('%s reports its stage and ends at 1', async (stage, opts) => {
    const seen: [number, string][] = [];
    await explainer.explain(text, { ...opts, onProgress: (f, s) => seen.push([f, s]) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every(([, s]) => s === stage)).toBe(true);
    expect(seen.at(-1)![0]).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThan(seen[i - 1]![0]);
  });
  it('smoothgrad passes: 6 samples, 2 per pass → thirds', async () => {
    const seen: number[] = [];
    await explainer.explain(text, { method: 'smoothgrad', noise: { samples: 6 }, internalBatchSize: 2, onProgress: (f) => seen.push(f) });
    expect(seen).toEqual([1 / 3, 2 / 3, 1]);
  });
});

describe('abort', () => {
  it('an already aborted signal rejects with code "aborted" before any pass', async () => {
    const seen: number[] = [];
    const e = await rejection(explainer.explain(text, { signal: AbortSignal.abort(), onProgress: (f) => seen.push(f) }));
    expect(e).toBeInstanceOf(GlassboxError);
    expect((e as GlassboxError).code).toBe('aborted');
    expect(seen).toEqual([]);
  });

  it.each([
    // [name, options, abort after this many reports]: occlusion scores its windows in one pass, aborted after it (the check after the last pass)
    ['integrated-gradients', { steps: 40, internalBatchSize: 4 }, 2],
    ['smoothgrad', { method: 'smoothgrad', noise: { samples: 8 }, internalBatchSize: 1 }, 2],
    ['occlusion', { method: 'occlusion' }, 1],
  ] as const)('%s: aborting mid-way stops between passes; the explainer then gives the same numbers as before', async (_, opts, after) => {
    const before = await explainer.explain(text, opts);
    const controller = new AbortController();
    const seen: number[] = [];
    const e = await rejection(
      explainer.explain(text, {
        ...opts,
        signal: controller.signal,
        onProgress: (f) => {
          seen.push(f);
          if (seen.length === after) controller.abort();
        },
      }),
    );
    expect(e).toBeInstanceOf(GlassboxError);
    expect((e as GlassboxError).code).toBe('aborted');
    expect(seen.length).toBe(after); // no pass after the abort
    const again = await explainer.explain(text, opts);
    expect(again.tokens).toEqual(before.tokens);
  });
});

describe('progress and cancel of image explanations', () => {
  const pixelValues = refsOf('vit-fashion-tiny').inputs[0].pixel_values as number[][][];
  let images: ImageClassificationExplainer;
  beforeAll(async () => {
    images = await ImageClassificationExplainer.fromPretrained('vit-fashion-tiny');
  });

  it.each([
    ['integrated-gradients', { steps: 8, internalBatchSize: 4 }, [0.5, 1]],
    ['occlusion', { internalBatchSize: 8 }, [0.5, 1]],
  ] as const)('%s reports each pass', async (method, opts, fractions) => {
    const seen: [number, string][] = [];
    const r = await images.explain({ pixelValues }, { method, ...opts, onProgress: (f, s) => seen.push([f, s]) });
    expect(seen).toEqual(fractions.map((f) => [f, method]));
    expect((await images.explain({ pixelValues }, { method, ...opts })).map).toEqual(r.map);
  });

  it('an abort after the first pass stops integrated gradients; the explainer still works', async () => {
    const controller = new AbortController();
    const e = await rejection(
      images.explain({ pixelValues }, { steps: 8, internalBatchSize: 2, signal: controller.signal, onProgress: () => controller.abort() }),
    );
    expect(e).toBeInstanceOf(GlassboxError);
    expect((e as GlassboxError).code).toBe('aborted');
    expect((await images.explain({ pixelValues }, { method: 'saliency' })).map).toHaveLength(32);
  });
});

/** Every long call of every task: [name, the call given progress options (onProgress, signal)]. */
const LONG_CALLS: [string, (o: Pick<ExplainOptions, 'onProgress' | 'signal'>) => Promise<unknown>][] = [
  ['text, integrated gradients', (o) => explainer.explain(text, { steps: 8, internalBatchSize: 4, ...o })],
  ...(['feature-ablation', 'lime', 'kernel-shap', 'partition-shap', 'sobol'] as const).map(
    (method): [string, (o: Pick<ExplainOptions, 'onProgress' | 'signal'>) => Promise<unknown>] => [
      `text, ${method}`,
      (o) => explainer.explain(text, { method, ...(method !== 'feature-ablation' && { samples: 32 }), ...o }),
    ],
  ),
  ['text, explainBatch', (o) => explainer.explainBatch([text, 'a second text'], { targets: 'all', steps: 4, ...o })],
  [
    'metrics (evaluate)',
    async (o) => evaluate(explainer, await explainer.explain(text, { method: 'saliency' }), ['deletion', 'comprehensiveness'], o),
  ],
  [
    'pair',
    async (o) =>
      (await PairwiseSequenceClassificationExplainer.fromPretrained('bert-nli-tiny')).explain('a man sleeps', 'a person rests', {
        steps: 4,
        ...o,
      }),
  ],
  [
    'multi-label',
    async (o) => (await MultiLabelClassificationExplainer.fromPretrained('distilbert-sst2-tiny')).explain(text, { steps: 4, ...o }),
  ],
  [
    'zero-shot',
    async (o) =>
      (await ZeroShotClassificationExplainer.fromPretrained('bert-nli-tiny')).explain('the match ended in a draw', ['sport', 'politics'], {
        steps: 4,
        ...o,
      }),
  ],
  [
    'question answering',
    async (o) =>
      (await QuestionAnsweringExplainer.fromPretrained('distilbert-squad-tiny')).explain(
        'who wrote it?',
        'it was written by Ann in Paris.',
        { steps: 4, ...o },
      ),
  ],
  [
    'token classification',
    async (o) => (await TokenClassificationExplainer.fromPretrained('bert-ner-tiny')).explain('Ann lives in Paris', { steps: 4, ...o }),
  ],
  [
    'text generation',
    async (o) => (await TextGenerationExplainer.fromPretrained('gpt2-tiny')).explain('The cat', { maxNewTokens: 2, steps: 4, ...o }),
  ],
];

describe('every long call takes onProgress and an AbortSignal', () => {
  it.each(LONG_CALLS)('%s: progress rises to 1 with a stage', async (_, call) => {
    const seen: [number, string][] = [];
    await call({ onProgress: (f, stage) => seen.push([f, stage]) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)![0]).toBe(1);
    for (const [f, stage] of seen) {
      expect(f).toBeGreaterThan(0);
      expect(f).toBeLessThanOrEqual(1);
      expect(stage).toEqual(expect.any(String));
    }
  });

  it.each(LONG_CALLS)('%s: an aborted signal rejects with code "aborted"', async (_, call) => {
    const e = await rejection(call({ signal: AbortSignal.abort() }));
    expect(e).toBeInstanceOf(GlassboxError);
    expect((e as GlassboxError).code).toBe('aborted');
  });
});
