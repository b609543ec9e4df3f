import { beforeAll, describe, expect, it } from 'vitest';
import { SequenceClassificationExplainer } from '@glassbox/core';
import { findWordEmbedding } from '@glassbox/core/runtime';
import { type Json, loadOnnxModel, readJson, refsOf, useLocalFixtures } from './helpers.ts';
import { join } from 'node:path';
import { MODELS } from './helpers.ts';
import { VARIANTS, expectVariantTracksFloat } from './variant-checks.ts';

beforeAll(useLocalFixtures);

describe('word-embedding discovery', () => {
  const cases: [string, string][] = [];
  for (const name of ['distilbert-sst2-tiny', 'bert-nli-tiny', 'bert-ner-tiny', 'distilbert-squad-tiny', 'gpt2-tiny', 'roberta-sst-tiny']) {
    for (const file of Object.keys(refsOf(name).onnx)) cases.push([name, file.replace('onnx/', '')]);
  }
  it.each(cases)('%s %s: the Gather on the [vocab, hidden] table fed by input_ids', async (name, file) => {
    const model = await loadOnnxModel(name, file);
    const expected = refsOf(name).onnx[`onnx/${file}`].word_embedding_tensor;
    const found = findWordEmbedding(model.graph)!;
    expect(found.tensor).toBe(expected.output);
    expect(found.table).toBe(expected.initializer);
  });

  it.each(['distilbert-sst2-tiny', 'bert-ner-tiny'])(
    '%s quantized: the DequantizeLinear after the uint8 lookup, same name',
    async (name) => {
      const model = await loadOnnxModel(name, 'model_quantized.onnx');
      const expected = readJson(join(MODELS, name, 'onnx', 'quantized_refs.json')).word_embedding_tensor;
      const found = findWordEmbedding(model.graph)!;
      expect(found.tensor).toBe(typeof expected === 'string' ? expected : (expected.output ?? expected.name));
      expect(model.graph.nodes.find((n) => n.outputs.includes(found.tensor))!.opType).toBe('DequantizeLinear');
    },
  );
});

describe('gradients through quantized and fp16 graphs', () => {
  it.each(VARIANTS.map(([dtype, tol]) => [dtype, tol] as const))(
    'distilbert-sst2-tiny %s: IG-pad attributions track the float model',
    async (dtype, tol) => {
      const explainer = await SequenceClassificationExplainer.fromPretrained('distilbert-sst2-tiny', { dtype });
      await expectVariantTracksFloat(explainer, dtype, tol, refsOf('distilbert-sst2-tiny').inputs as Json[]);
    },
  );
});
