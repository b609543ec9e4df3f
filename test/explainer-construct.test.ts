import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  GlassboxError,
  ImageClassificationExplainer,
  MultiLabelClassificationExplainer,
  SequenceClassificationExplainer,
  TextModel,
  TokenClassificationExplainer,
  ZeroShotClassificationExplainer,
} from '@glassbox/core';
import { refsOf, useLocalFixtures } from './helpers.ts';

const SST2 = 'distilbert-sst2-tiny';
const text = refsOf(SST2).inputs[1].text as string;

beforeAll(() => useLocalFixtures());
afterEach(() => vi.restoreAllMocks());

/** Explainers are made by name (fromPretrained) or from a loaded model (new X(model)), as transformers-interpret's take a model. */
describe('explainers from a loaded model', () => {
  it('two tasks share one TextModel and give what fromPretrained gives', async () => {
    const model = await TextModel.load(SST2);
    const sequence = new SequenceClassificationExplainer(model);
    const multiLabel = new MultiLabelClassificationExplainer(model);
    expect(sequence.model).toBe(multiLabel.model);
    const byName = await SequenceClassificationExplainer.fromPretrained(SST2);
    expect(byName).toBeInstanceOf(SequenceClassificationExplainer);
    const shared = await sequence.explain(text);
    expect(shared.tokens).toEqual((await byName.explain(text)).tokens);
    const labels = await multiLabel.explain(text);
    expect(Object.keys(labels.labels)).toEqual(sequence.labels);
    await byName.dispose();
    await sequence.dispose();
    await expect(multiLabel.explain(text)).rejects.toMatchObject({ code: 'disposed' });
  });

  it('a model the task cannot explain is an error naming what it lacks, and fromPretrained disposes the model it loaded', async () => {
    const model = await TextModel.load(SST2);
    expect(() => new ZeroShotClassificationExplainer(model)).toThrow(/no entailment label \(label2id: NEGATIVE, POSITIVE\)/);
    expect(() => new TokenClassificationExplainer(model)).toThrow(/is not a token classifier/);
    await model.dispose();

    const dispose = vi.spyOn(TextModel.prototype, 'dispose');
    const error = await ZeroShotClassificationExplainer.fromPretrained(SST2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GlassboxError);
    expect((error as GlassboxError).code).toBe('not_nli_model');
    expect(dispose).toHaveBeenCalledTimes(1);
  });

  it('the image explainer loads an image model', async () => {
    const explainer = await ImageClassificationExplainer.fromPretrained('vit-fashion-tiny');
    expect(explainer).toBeInstanceOf(ImageClassificationExplainer);
    expect(explainer.labels.length).toBeGreaterThan(1);
    await explainer.dispose();
  });
});
