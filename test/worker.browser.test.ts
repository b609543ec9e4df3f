import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ExplainOptions,
  GlassboxError,
  InvalidInputError,
  type Remote,
  SequenceClassificationExplainer,
  env,
  evaluate,
  loadInWorker,
} from '@glassbox/core';
import { expectClose } from './expectClose.ts';

/**
 * Explainers in a Web Worker (loadInWorker) against the same explainer in the page: the same
 * numbers, progress and cancellation through messages, errors of the same class and code, and
 * a main thread that keeps running while the worker explains. Fixtures are served at /test/fixtures/models/.
 */
const MODEL = '/test/fixtures/models/distilbert-sst2-tiny';
const TEXT = 'A gripping, beautifully acted film that I will not forget.';
const values = (r: { tokens: { attribution: number | null }[] }) => r.tokens.map((t) => t.attribution ?? 0);

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('the call resolved'),
    (e: unknown) => e,
  );
}

/** Counts setTimeout(0) callbacks: how often the main thread got to run a task, until stop(). */
function startTicker(): { count(): number; stop(): void } {
  let ticks = 0;
  let busy = true;
  const tick = () => {
    if (!busy) return;
    ticks++;
    setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  return { count: () => ticks, stop: () => (busy = false) };
}

/**
 * Points in the measured pass: enough that it outlasts many timer ticks on the onnxruntime
 * engine (with 300 points one CI run counted 19 ticks, under the floor of 20; 1000 give hundreds).
 */
const POINTS = 1000;

/** The ticks the main thread ran between the start of one integrated-gradients pass of POINTS points and its end (the first progress report). */
async function ticksDuringOnePass(explainer: Pick<SequenceClassificationExplainer, 'explain'>): Promise<number> {
  const ticker = startTicker();
  let atFirstReport: number | undefined;
  try {
    await explainer.explain(TEXT, { steps: POINTS, internalBatchSize: POINTS, onProgress: () => (atFirstReport ??= ticker.count()) });
  } finally {
    ticker.stop();
  }
  return atFirstReport!;
}

beforeAll(() => {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
});

describe.each(['cpu', 'webgpu'] as const)('text classification in a worker on %s', (device) => {
  let page: SequenceClassificationExplainer;
  let worker: Remote<SequenceClassificationExplainer>;
  beforeAll(async () => {
    [page, worker] = await Promise.all([
      SequenceClassificationExplainer.fromPretrained(MODEL, { device }),
      loadInWorker('text-classification', MODEL, { device }),
    ]);
  });
  afterAll(() => worker?.dispose());

  it('has the explainer’s labels', () => {
    expect(worker.labels).toEqual(page.labels);
    expect(worker.labels.length).toBeGreaterThan(1);
  });

  it.each<[string, ExplainOptions]>([
    ['integrated gradients', { steps: 20 }],
    ['occlusion', { method: 'occlusion' }],
    ['LIME', { method: 'lime', samples: 40, seed: 3 }],
  ])('%s gives the page’s result', async (_, options) => {
    const [inPage, inWorker] = await Promise.all([page.explain(TEXT, options), worker.explain(TEXT, options)]);
    expect(inWorker.tokens.map((t) => t.token)).toEqual(inPage.tokens.map((t) => t.token));
    expectClose(values(inWorker), values(inPage), 1e-6, 0, 'attributions');
    expectClose(inWorker.probabilities, inPage.probabilities, 1e-6, 0, 'probabilities');
    expect(inWorker.predicted).toEqual(inPage.predicted);
    expect(inWorker.method).toBe(inPage.method);
    expect(values(inWorker).some((v) => v !== 0)).toBe(true);
  });
});

describe('a worker explainer', () => {
  let page: SequenceClassificationExplainer;
  let worker: Remote<SequenceClassificationExplainer>;
  beforeAll(async () => {
    [page, worker] = await Promise.all([
      SequenceClassificationExplainer.fromPretrained(MODEL, { device: 'cpu' }),
      loadInWorker('text-classification', MODEL, { device: 'cpu' }),
    ]);
  });
  afterAll(() => worker?.dispose());

  it('reports progress as the page does', async () => {
    const options = { steps: 20, internalBatchSize: 5 } as const;
    const inPage: [number, string][] = [];
    const inWorker: [number, string][] = [];
    await page.explain(TEXT, { ...options, onProgress: (f, stage) => inPage.push([f, stage]) });
    await worker.explain(TEXT, { ...options, onProgress: (f, stage) => inWorker.push([f, stage]) });
    expect(inWorker).toEqual([0.25, 0.5, 0.75, 1].map((f) => [f, 'integrated-gradients']));
    expect(inWorker).toEqual(inPage);
  });

  it('cancels integrated gradients midway with an "aborted" GlassboxError, then explains again', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const options = { steps: 200, internalBatchSize: 2 } as const;
    const e = await rejection(
      worker.explain(TEXT, {
        ...options,
        signal: controller.signal,
        onProgress: (f) => {
          seen.push(f);
          if (seen.length === 2) controller.abort();
        },
      }),
    );
    expect(e).toBeInstanceOf(GlassboxError);
    expect((e as GlassboxError).code).toBe('aborted');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)!).toBeLessThan(1);
    const [again, inPage] = await Promise.all([worker.explain(TEXT, { steps: 20 }), page.explain(TEXT, { steps: 20 })]);
    expectClose(values(again), values(inPage), 1e-6, 0, 'after the abort');
  });

  it('rejects an already aborted signal before any pass', async () => {
    const seen: number[] = [];
    const e = await rejection(worker.explain(TEXT, { signal: AbortSignal.abort(), onProgress: (f) => seen.push(f) }));
    expect((e as GlassboxError).code).toBe('aborted');
    expect(seen).toEqual([]);
  });

  it.each<[string, () => [Promise<unknown>, Promise<unknown>]]>([
    ['an empty text', () => [page.explain('  '), worker.explain('  ')]],
    ['an unknown target', () => [page.explain(TEXT, { target: 'NOPE' }), worker.explain(TEXT, { target: 'NOPE' })]],
    ['an unknown method', () => [page.explain(TEXT, { method: 'nope' as never }), worker.explain(TEXT, { method: 'nope' as never })]],
    [
      'an option the method does not read',
      () => [page.explain(TEXT, { method: 'saliency', samples: 3 }), worker.explain(TEXT, { method: 'saliency', samples: 3 })],
    ],
    [
      'a name that is no option',
      () => [
        page.explain(TEXT, { method: 'smoothgrad', noise: { stdevs: 1 } as never }),
        worker.explain(TEXT, { method: 'smoothgrad', noise: { stdevs: 1 } as never }),
      ],
    ],
  ])('rejects %s with the page’s error class, code and message', async (_, calls) => {
    const [inPage, inWorker] = await Promise.all(calls().map(rejection));
    expect(inPage).toBeInstanceOf(InvalidInputError);
    expect(inWorker).toBeInstanceOf(InvalidInputError);
    expect((inWorker as Error).constructor).toBe((inPage as Error).constructor);
    expect((inWorker as GlassboxError).code).toBe((inPage as GlassboxError).code);
    expect((inWorker as Error).message).toBe((inPage as Error).message);
    expect((inWorker as Error).name).toBe('InvalidInputError');
  });

  it('runs evaluate next to its model, as in the page', async () => {
    const result = await page.explain(TEXT, { method: 'saliency' });
    const options = { onProgress: () => {} };
    const [inPage, inWorker] = await Promise.all([
      evaluate(page, result, ['deletion', 'comprehensiveness'], options),
      worker.run('evaluate', result, ['deletion', 'comprehensiveness'], options),
    ]);
    expect(Object.keys(inWorker)).toEqual(['deletion', 'comprehensiveness']);
    expectClose(Object.values(inWorker) as number[], Object.values(inPage) as number[], 1e-6, 0, 'metrics');
  });

  it('keeps the main thread running during a long explanation', async () => {
    const inWorker = await ticksDuringOnePass(worker);
    expect(inWorker).toBeGreaterThanOrEqual(20);
    // The measure tells the two apart: the page's own pass holds its main thread to the end.
    const inPage = await ticksDuringOnePass(page);
    expect(inPage).toBeLessThan(inWorker / 4);
  });

  it('rejects a call after dispose with code "disposed", and another explainer goes on', async () => {
    const other = await loadInWorker('text-classification', MODEL, { device: 'cpu' });
    other.dispose();
    const e = await rejection(other.explain(TEXT));
    expect((e as GlassboxError).code).toBe('disposed');
    expect((await worker.explain(TEXT, { method: 'saliency' })).tokens.length).toBeGreaterThan(0);
  });

  it('reads a relative model path relative to the page, and a model id under the page’s env.localModelPath', async () => {
    const depth = new URL('./', location.href).pathname.split('/').filter(Boolean).length;
    const relative = (depth === 0 ? './' : '../'.repeat(depth)) + MODEL.slice(1);
    const byPath = await loadInWorker('text-classification', relative);
    expect(byPath.labels).toEqual(page.labels);
    byPath.dispose();
    const before = env.localModelPath;
    env.localModelPath = '/test/fixtures/models/';
    try {
      const byId = await loadInWorker('text-classification', 'distilbert-sst2-tiny');
      expect(byId.labels).toEqual(page.labels);
      byId.dispose();
    } finally {
      env.localModelPath = before;
    }
  });

  it('rejects an unknown task and a missing model as the page would', async () => {
    const unknown = await rejection(loadInWorker('nope' as never, MODEL));
    expect(unknown).toBeInstanceOf(InvalidInputError);
    expect((unknown as GlassboxError).code).toBe('unknown_task');
    const [inPage, inWorker] = await Promise.all(
      [
        SequenceClassificationExplainer.fromPretrained('/test/fixtures/models/missing'),
        loadInWorker('text-classification', '/test/fixtures/models/missing'),
      ].map(rejection),
    );
    expect((inWorker as Error).constructor).toBe((inPage as Error).constructor);
    expect((inWorker as GlassboxError).code).toBe('model_load');
    expect((inWorker as Error).message).toBe((inPage as Error).message);
  });
});
