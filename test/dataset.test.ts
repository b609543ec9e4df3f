import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Explained,
  GlassboxError,
  SequenceClassificationExplainer,
  type SequenceClassificationResult,
  explainAll,
} from '@glassbox/core';
import { type Json, refsOf, useLocalFixtures } from './helpers.ts';

/** explainAll: many inputs as a stream (what the CLI's --inputs and the demo's data-set page run on). */
let explainer: SequenceClassificationExplainer;
beforeAll(async () => {
  useLocalFixtures();
  explainer = await SequenceClassificationExplainer.fromPretrained('distilbert-sst2-tiny');
});
const texts = (refsOf('distilbert-sst2-tiny').inputs as Json[]).map((i) => i.text as string);
const explainOne = (text: string) => explainer.explain(text, { method: 'integrated-gradients', steps: 8 });

async function collect<I, R>(stream: AsyncIterable<Explained<I, R>>): Promise<Explained<I, R>[]> {
  const items: Explained<I, R>[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/** An async generator over `items` that counts how many were pulled from it. */
function counted<T>(items: readonly T[]): { source: AsyncGenerator<T>; pulls: () => number } {
  let pulls = 0;
  async function* source() {
    for (const item of items) {
      pulls++;
      yield item;
    }
  }
  return { source: source(), pulls: () => pulls };
}

describe('explainAll', () => {
  it('yields each input with the result of explaining it alone, in input order, and reports progress', async () => {
    expect(texts.length).toBeGreaterThanOrEqual(2);
    const progress: [number, number | undefined][] = [];
    const items = await collect(explainAll(explainOne, texts, { onProgress: (done, total) => progress.push([done, total]) }));
    expect(items.map((i) => [i.index, i.input])).toEqual(texts.map((t, k) => [k, t]));
    for (const [k, text] of texts.entries()) {
      const alone = await explainOne(text);
      expect(items[k]!.error).toBeUndefined();
      expect(items[k]!.result!.tokens).toEqual(alone.tokens);
      expect(items[k]!.result!.predicted).toEqual(alone.predicted);
    }
    expect(progress).toEqual(texts.map((_, k) => [k + 1, texts.length]));
  });

  it('a bad input in the middle is an error item; the inputs after it are still right', async () => {
    const inputs = [texts[0]!, '   ', texts[1]!];
    const items = await collect(explainAll(explainOne, inputs));
    expect(items).toHaveLength(3);
    expect(items[1]!.error).toBeInstanceOf(GlassboxError);
    expect((items[1]!.error as GlassboxError).code).toBe('empty_text');
    expect(items[1]!.result).toBeUndefined();
    expect(items[2]!.result!.tokens).toEqual((await explainOne(texts[1]!)).tokens);
  });

  it('reads an async generator lazily: one input pulled per outcome taken', async () => {
    const { source, pulls } = counted([texts[0]!, texts[1]!, texts[0]!]);
    const stream = explainAll(explainOne, source);
    expect(pulls()).toBe(0);
    const seen: number[] = [];
    for await (const item of stream) {
      seen.push(item.index);
      expect(pulls()).toBe(item.index + 1);
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(pulls()).toBe(3);
  });

  it('works for any task: a plain function and a sync iterable', async () => {
    const items = await collect(
      explainAll(async (n: number) => (n < 0 ? Promise.reject(new Error(`negative ${n}`)) : n * 2), new Set([1, -1, 3])),
    );
    expect(items.map((i) => i.result ?? i.error!.message)).toEqual([2, 'negative -1', 6]);
  });

  it('an abort stops the stream with an aborted error, mid-explanation or between inputs, and the explainer keeps working', async () => {
    const controller = new AbortController();
    const { source, pulls } = counted([texts[0]!, texts[1]!, texts[0]!]);
    const results: SequenceClassificationResult[] = [];
    const stream = explainAll(
      (text: string) => explainer.explain(text, { steps: 40, internalBatchSize: 4, signal: controller.signal }),
      source,
      { signal: controller.signal },
    );
    const ended = (async () => {
      for await (const item of stream) {
        results.push(item.result!);
        controller.abort(); // between inputs: the next one is never pulled
      }
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    const error = await ended;
    expect(error).toBeInstanceOf(GlassboxError);
    expect((error as GlassboxError).code).toBe('aborted');
    expect(results).toHaveLength(1);
    expect(pulls()).toBe(1);

    // Aborted while an input is being explained: that input's error is not an item, the stream rejects.
    const midway = new AbortController();
    const items: Explained<string, SequenceClassificationResult>[] = [];
    const stream2 = explainAll(
      (text: string) =>
        explainer.explain(text, { steps: 40, internalBatchSize: 4, signal: midway.signal, onProgress: (f) => f >= 0.5 && midway.abort() }),
      texts,
      { signal: midway.signal },
    );
    await expect(
      (async () => {
        for await (const item of stream2) items.push(item);
      })(),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(items).toEqual([]);

    expect((await explainer.explain(texts[0]!, { steps: 40, internalBatchSize: 4 })).tokens).toEqual(results[0]!.tokens);
  });
});
