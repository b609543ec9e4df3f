import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ExplainOptions,
  METHODS,
  PairwiseSequenceClassificationExplainer,
  QuestionAnsweringExplainer,
  SequenceClassificationExplainer,
  TextGenerationExplainer,
  TokenClassificationExplainer,
  env,
} from '@glassbox/core';

/**
 * Every text method with its default options, on every text fixture: the attributions before
 * normalisation (integrated gradients is the one method that L2-normalises by default) are far
 * above float noise, and the WebGPU backend gives the CPU's numbers. Saliency's old default
 * (the sum over the hidden dimensions of a gradient that feeds a LayerNorm) was ~1e-10 and
 * disagreed in sign between the two.
 */
const BASE = '/test/fixtures/models';
type Device = 'cpu' | 'webgpu';
/** The options under test: a method, and for integrated gradients no normalisation. */
type Options = Pick<ExplainOptions, 'method' | 'normalize'>;
type Explain = (device: Device, options: Options) => Promise<(number | null)[]>;
const values = (xs: readonly { attribution: number | null }[]) => xs.map((t) => t.attribution);

/** Far above float32 noise in the explained output's units (probabilities, logits). */
const FLOOR = 1e-4;

const loaded = new Map<string, unknown>();
async function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  if (!loaded.has(key)) loaded.set(key, await load());
  return loaded.get(key) as T;
}

const FIXTURES: Record<string, Explain> = {
  'distilbert-sst2-tiny': async (device, o) => {
    const e = await cached(`sst2 ${device}`, () =>
      SequenceClassificationExplainer.fromPretrained(`${BASE}/distilbert-sst2-tiny`, { device }),
    );
    return values((await e.explain('A gripping, beautifully acted film.', o)).tokens);
  },
  'roberta-sst-tiny': async (device, o) => {
    const e = await cached(`roberta ${device}`, () =>
      SequenceClassificationExplainer.fromPretrained(`${BASE}/roberta-sst-tiny`, { device }),
    );
    return values((await e.explain('I love this movie.', o)).tokens);
  },
  'bert-nli-tiny': async (device, o) => {
    const e = await cached(`nli ${device}`, () =>
      PairwiseSequenceClassificationExplainer.fromPretrained(`${BASE}/bert-nli-tiny`, { device }),
    );
    return values((await e.explain('A man sings.', 'A person sings.', o)).tokens);
  },
  'distilbert-squad-tiny': async (device, o) => {
    const e = await cached(`qa ${device}`, () => QuestionAnsweringExplainer.fromPretrained(`${BASE}/distilbert-squad-tiny`, { device }));
    const r = await e.explain('Who lives here?', 'Anna lives here.', o);
    return [...values(r.start!.tokens), ...values(r.end!.tokens)];
  },
  'bert-ner-tiny': async (device, o) => {
    const e = await cached(`ner ${device}`, () => TokenClassificationExplainer.fromPretrained(`${BASE}/bert-ner-tiny`, { device }));
    // One explained token (Berlin): the task's choice of tokens, not a method option.
    const r = await e.explain('I live in Berlin.', { ...o, ignoredIndexes: [0, 1, 2, 3, 5, 6] });
    return r.explained.flatMap((x) => values(x.tokens));
  },
  'gpt2-tiny': async (device, o) => {
    const e = await cached(`gpt2 ${device}`, () => TextGenerationExplainer.fromPretrained(`${BASE}/gpt2-tiny`, { device }));
    return (await e.explain('Hello, my dog', { ...o, maxNewTokens: 1 })).matrix.flat();
  },
};

describe('default options: above float noise, the same on cpu and webgpu', () => {
  beforeAll(() => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
  });

  it.each(Object.keys(FIXTURES))('%s: every method', async (name) => {
    for (const method of METHODS) {
      const options: Options = method === 'integrated-gradients' ? { method, normalize: 'none' } : { method };
      const [cpu, gpu] = [await FIXTURES[name]!('cpu', options), await FIXTURES[name]!('webgpu', options)];
      const where = `${name} ${method}`;
      expect(
        gpu.map((v) => v === null),
        where,
      ).toEqual(cpu.map((v) => v === null));
      const largest = Math.max(...cpu.map((v) => Math.abs(v ?? 0)));
      expect(largest, `${where}: largest |attribution|`).toBeGreaterThan(FLOOR);
      const worst = Math.max(...cpu.map((v, i) => Math.abs((v ?? 0) - (gpu[i] ?? 0))));
      expect(worst, `${where}: cpu vs webgpu, largest |attribution| ${largest}`).toBeLessThan(2e-3 * largest + 1e-6);
    }
  });
});
