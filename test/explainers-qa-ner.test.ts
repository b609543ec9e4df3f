import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import {
  type GlassboxError,
  InvalidInputError,
  ModelLoadError,
  QuestionAnsweringExplainer,
  TokenClassificationExplainer,
} from '@glassbox/core';
import { findWordEmbedding, loadOnnx } from '@glassbox/core/runtime';
import { findEmbeddingsOutput } from '../packages/core/src/model/embeddings.ts';
import { questionAnswering } from '../packages/cli/src/tasks/questionAnswering.ts';
import { tokenClassification } from '../packages/cli/src/tasks/tokenClassification.ts';
import {
  allBut,
  expectNerCaptum,
  expectNerTransformersInterpret,
  expectQaCaptum,
  expectQaTransformersInterpret,
} from './explainers-qa-ner-checks.ts';
import { type Json, MODELS, expectClose, refsOf, useLocalFixtures } from './helpers.ts';

const QA = 'distilbert-squad-tiny';
const NER = 'bert-ner-tiny';
const qaRefs = refsOf(QA);
const nerRefs = refsOf(NER);

beforeAll(useLocalFixtures);

async function rejection(call: () => Promise<unknown>): Promise<GlassboxError> {
  return call().then(
    () => expect.unreachable('the call succeeded'),
    (e) => e,
  );
}

describe.each([undefined, 'model_opset17'])(`${QA}, file %s`, (modelFileName) => {
  let qa: QuestionAnsweringExplainer;
  beforeAll(async () => {
    qa = await QuestionAnsweringExplainer.fromPretrained(QA, { modelFileName });
  });

  it.each(qaRefs.inputs as Json[])('input $id: transformers-interpret, embedding types 0 and 2', (inp: Json) =>
    expectQaTransformersInterpret(qa, inp),
  );
  it.each(qaRefs.inputs as Json[])('input $id: logits, positions, every Captum method for the start and end targets', (inp: Json) =>
    expectQaCaptum(qa, inp),
  );
});

describe.each([undefined, 'model_opset17'])(`${NER}, file %s`, (modelFileName) => {
  let ner: TokenClassificationExplainer;
  beforeAll(async () => {
    ner = await TokenClassificationExplainer.fromPretrained(NER, { modelFileName });
  });

  it.each(nerRefs.inputs as Json[])('input $id: transformers-interpret', (inp: Json) => expectNerTransformersInterpret(ner, inp));
  it.each(nerRefs.inputs as Json[])('input $id: logits, predictions, every Captum method for both targets', (inp: Json) =>
    expectNerCaptum(ner, inp),
  );
});

describe('the embeddings block output (embedding type 2)', () => {
  const cases: [string, string, string][] = [
    [QA, 'model.onnx', '/distilbert/embeddings/LayerNorm/Add_1_output_0'],
    [QA, 'model_opset17.onnx', '/distilbert/embeddings/LayerNorm/LayerNormalization_output_0'],
    [NER, 'model.onnx', '/bert/embeddings/LayerNorm/Add_1_output_0'],
    [NER, 'model_opset17.onnx', '/bert/embeddings/LayerNorm/LayerNormalization_output_0'],
    [NER, 'model_quantized.onnx', '/bert/embeddings/LayerNorm/Add_1_output_0'],
    [NER, 'model_fp16.onnx', '/bert/embeddings/LayerNorm/Add_1_output_0'],
  ];
  it.each(cases)('%s %s: the first LayerNorm after the word embeddings', async (model, file, expected) => {
    const graph = await loadOnnx(new Uint8Array(readFileSync(join(MODELS, model, 'onnx', file))));
    expect(findEmbeddingsOutput(graph, findWordEmbedding(graph)!.tensor)).toBe(expected);
  });
});

describe('question answering', () => {
  let qa: QuestionAnsweringExplainer;
  const inp = qaRefs.inputs[0];
  beforeAll(async () => {
    qa = await QuestionAnsweringExplainer.fromPretrained(QA);
  });

  it("defaults are transformers-interpret's: embedding type 2, both sides, max target, logits, L2-normalised", async () => {
    const r = await qa.explain(inp.question, inp.context);
    expect([r.embeddingType, r.method, r.output]).toEqual([2, 'integrated-gradients', 'logits']);
    for (const side of [r.start!, r.end!]) expect(Math.hypot(...side.tokens.map((t) => t.attribution!))).toBeCloseTo(1, 12);
    const ti = inp.transformers_interpret.find((t: Json) => t.embedding_type === 2);
    expectClose(
      r.start!.tokens.map((t) => t.attribution),
      ti.start.word_attributions.map((w: [string, number]) => w[1]),
      1e-4,
      0,
      'start',
    );
  });

  it('softmax output: integrated gradients of the position probabilities are complete', async () => {
    const opts = { output: 'softmax', normalize: 'none', target: 'predicted' } as const;
    const coarse = await qa.explain(inp.question, inp.context, { ...opts, steps: 2 });
    const fine = await qa.explain(inp.question, inp.context, { ...opts, steps: 64 });
    for (const side of ['start', 'end'] as const) {
      expect(Math.abs(fine[side]!.convergenceDelta!)).toBeLessThan(1e-5);
      expect(Math.abs(fine[side]!.convergenceDelta!)).toBeLessThan(Math.abs(coarse[side]!.convergenceDelta!));
      const sum = fine[side]!.tokens.reduce((s, t) => s + t.attribution!, 0);
      expect(Math.abs(sum)).toBeGreaterThan(1e-3);
    }
  });

  it('which: one side only', async () => {
    const start = await qa.explain(inp.question, inp.context, { which: 'start', method: 'saliency' });
    const end = await qa.explain(inp.question, inp.context, { which: 'end', method: 'saliency' });
    expect(start.end).toBeNull();
    expect(end.start).toBeNull();
    expect(start.start!.tokens.map((t) => t.attribution)).not.toEqual(end.end!.tokens.map((t) => t.attribution));
  });

  it("attention: the explained forward pass gives the model's attention probabilities", async () => {
    const r = await qa.explain(inp.question, inp.context, { method: 'saliency', attention: 'raw' });
    const raw = r.attentions as number[][][][];
    expect(raw.length).toBe(inp.attentions.num_layers);
    expectClose(raw[0]!.flat(2), inp.attentions.layer_0.flat(2), 1e-5, 0, 'layer 0');
    expectClose(raw[raw.length - 1]!.flat(2), inp.attentions.last_layer.flat(2), 1e-5, 0, 'last layer');
  });

  const bad: [string, () => Promise<unknown>, RegExp, string][] = [
    ['empty question', () => qa.explain(' ', inp.context), /question is empty/, 'empty_text'],
    ['empty context', () => qa.explain(inp.question, ''), /context is empty/, 'empty_text'],
    [
      'embedding type 1',
      () => qa.explain(inp.question, inp.context, { embeddingType: 1 as never }),
      /unknown embeddingType 1; use 0 .* or 2/,
      'bad_embedding_type',
    ],
    [
      'unknown side',
      () => qa.explain(inp.question, inp.context, { which: 'middle' as never }),
      /unknown which "middle"; use one of start, end, both/,
      'bad_which',
    ],
    [
      'position out of range',
      () => qa.explain(inp.question, inp.context, { target: 18 }),
      /target position 18 is out of range; the input has positions 0..17/,
      'unknown_target',
    ],
    [
      'unknown target',
      () => qa.explain(inp.question, inp.context, { target: 'best' as never }),
      /unknown target "best"; use "max", "predicted" or a position index/,
      'unknown_target',
    ],
    [
      'too long',
      () => qa.explain(inp.question, 'word '.repeat(600)),
      /question \+ context is 608 tokens long; model "distilbert-squad-tiny" accepts at most 512/,
      'text_too_long',
    ],
    [
      'unknown method',
      () => qa.explain(inp.question, inp.context, { method: 'deeplift' as never }),
      /unknown method "deeplift"/,
      'bad_method',
    ],
  ];
  it.each(bad)('bad input: %s', async (_name, call, message, code) => {
    const err = await rejection(call);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect([err.code, err.message]).toEqual([code, expect.stringMatching(message)]);
  });

  it('a model without start and end logits', async () => {
    await expect(QuestionAnsweringExplainer.fromPretrained('distilbert-sst2-tiny')).rejects.toThrow(ModelLoadError);
  });
});

describe('token classification', () => {
  let ner: TokenClassificationExplainer;
  const inp = nerRefs.inputs[0];
  const T = inp.input_ids.length;
  beforeAll(async () => {
    ner = await TokenClassificationExplainer.fromPretrained(NER);
  });

  it('explains every token by default, special tokens included; ignoredLabels and ignoredIndexes leave tokens out', async () => {
    const all = await ner.explain(inp.text, { method: 'saliency' });
    expect(all.explained.map((e) => e.index)).toEqual(allBut(T, -1));
    expect(all.explained.map((e) => e.predicted.label)).toEqual(inp.predicted_label);
    const some = await ner.explain(inp.text, { method: 'saliency', ignoredLabels: ['B-MISC'], ignoredIndexes: [0, 5] });
    const kept = allBut(T, -1).filter((t) => inp.predicted_label[t] !== 'B-MISC' && t !== 0 && t !== 5);
    expect(kept.length).toBeGreaterThan(0);
    expect(some.explained.map((e) => e.index)).toEqual(kept);
    // Each token's explanation does not depend on which others are explained.
    for (const e of some.explained) expect(e.tokens).toEqual(all.explained[e.index]!.tokens);
  });

  it("defaults are transformers-interpret's: softmax of the predicted label, L2-normalised", async () => {
    const r = await ner.explain(inp.text, { ignoredIndexes: allBut(T, 4) });
    expect([r.method, r.output]).toEqual(['integrated-gradients', 'softmax']);
    const e = r.explained[0]!;
    expect(e.target).toEqual({ index: inp.predicted_index[4], label: inp.predicted_label[4] });
    expect(Math.hypot(...e.tokens.map((t) => t.attribution!))).toBeCloseTo(1, 12);
  });

  it('nothing to explain gives an empty list', async () => {
    const r = await ner.explain(inp.text, { ignoredLabels: ner.labels, attention: 'raw' });
    expect(r.explained).toEqual([]);
    expect(r.attentions).toBeUndefined();
  });

  it("attention: the explained forward pass gives the model's attention probabilities", async () => {
    const r = await ner.explain(inp.text, { method: 'saliency', ignoredIndexes: allBut(T, 1), attention: 'raw' });
    const raw = r.attentions as number[][][][];
    expectClose(raw[0]!.flat(2), inp.attentions.layer_0.flat(2), 1e-5, 0, 'layer 0');
    expectClose(raw[raw.length - 1]!.flat(2), inp.attentions.last_layer.flat(2), 1e-5, 0, 'last layer');
  });

  const bad: [string, () => Promise<unknown>, RegExp, string][] = [
    ['empty text', () => ner.explain(' \n'), /text is empty/, 'empty_text'],
    [
      'index out of range',
      () => ner.explain(inp.text, { ignoredIndexes: [T] }),
      new RegExp(`ignored index ${T} is not a token position; the text has positions 0..${T - 1}`),
      'bad_ignored_indexes',
    ],
    [
      'unknown ignored label',
      () => ner.explain(inp.text, { ignoredLabels: ['B-FOOD'] }),
      /unknown ignored label "B-FOOD"; labels: O, B-PER/,
      'bad_ignored_labels',
    ],
    ['unknown target label', () => ner.explain(inp.text, { target: 'B-FOOD' }), /unknown target label "B-FOOD"/, 'unknown_target'],
    ['too long', () => ner.explain('word '.repeat(600)), /602 tokens long; model "bert-ner-tiny" accepts at most 512/, 'text_too_long'],
  ];
  it.each(bad)('bad input: %s', async (_name, call, message, code) => {
    const err = await rejection(call);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect([err.code, err.message]).toEqual([code, expect.stringMatching(message)]);
  });

  it('a model without [batch, tokens, classes] logits', async () => {
    await expect(TokenClassificationExplainer.fromPretrained('distilbert-sst2-tiny')).rejects.toThrow(ModelLoadError);
  });
});

describe('CLI tasks', () => {
  it('question-answering: JSON fields, embeddingType from a flag string, transformers-interpret numbers', async () => {
    const inp = qaRefs.inputs[0];
    const ti = inp.transformers_interpret.find((t: Json) => t.embedding_type === 0);
    const explainer = await questionAnswering.load(QA, {});
    const out = (await questionAnswering.explain(
      explainer,
      { question: inp.question, context: inp.context, embeddingType: '0' },
      {},
    )) as Json;
    expect(Object.keys(out).sort()).toEqual([
      'embeddingType',
      'end',
      'endLogits',
      'endPosition',
      'predictedAnswer',
      'start',
      'startLogits',
      'startPosition',
    ]);
    expect(out.embeddingType).toBe(0);
    expect(Object.keys(out.start).sort()).toEqual(['convergenceDelta', 'logit', 'position', 'tokens']);
    expect(out.start.tokens[1]).toEqual({ token: 'where', id: 2073, attribution: expect.any(Number) });
    expectClose(
      out.end.tokens.map((t: Json) => t.attribution),
      ti.end.word_attributions.map((w: [string, number]) => w[1]),
      1e-4,
      0,
      'end',
    );
    expect([out.startPosition, out.endPosition, out.predictedAnswer]).toEqual([ti.start_pos, ti.end_pos, ti.predicted_answer]);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
    await expect(
      questionAnswering.explain(explainer, { question: inp.question, context: inp.context, embeddingType: '1' }, {}),
    ).rejects.toThrow(/"embeddingType" must be 0 .* or 2/);
    await expect(questionAnswering.explain(explainer, { question: inp.question }, {})).rejects.toThrow(/"context" is required/);
  });

  it('token-classification: JSON fields, lists from a flag string or a JSON line, transformers-interpret numbers', async () => {
    const inp = nerRefs.inputs[0];
    const ti = inp.transformers_interpret[0];
    const explainer = await tokenClassification.load(NER, {});
    const ignored = allBut(inp.input_ids.length, ti.token_index);
    const fromFlag = (await tokenClassification.explain(explainer, { text: inp.text, ignoredIndexes: ignored.join(',') }, {})) as Json;
    const fromLine = (await tokenClassification.explain(explainer, { text: inp.text, ignoredIndexes: ignored }, {})) as Json;
    expect(fromLine).toEqual(fromFlag);
    expect(Object.keys(fromFlag).sort()).toEqual(['explained', 'logits', 'tokens']);
    expect(fromFlag.tokens[1]).toEqual({
      token: 'my',
      id: 2026,
      predicted: { index: ti.target_label_index, label: ti.target_label, score: expect.any(Number) },
    });
    const [e] = fromFlag.explained;
    expect([fromFlag.explained.length, e.index, e.token, e.target]).toEqual([
      1,
      ti.token_index,
      'my',
      { index: ti.target_label_index, label: ti.target_label },
    ]);
    expectClose(
      e.tokens.map((t: Json) => t.attribution),
      ti.word_attributions.map((w: [string, number]) => w[1]),
      1e-4,
      0,
      'TI',
    );
    const labels = (await tokenClassification.explain(
      explainer,
      { text: inp.text, ignoredLabels: 'O,B-PER,I-PER,B-ORG,I-ORG,B-LOC,I-LOC,B-MISC,I-MISC' },
      {},
    )) as Json;
    expect(labels.explained).toEqual([]);
    await expect(tokenClassification.explain(explainer, { text: inp.text, ignoredIndexes: 'one' }, {})).rejects.toThrow(
      /"ignoredIndexes" must hold token positions/,
    );
    await expect(tokenClassification.explain(explainer, { text: inp.text, ignoredLabels: 3 }, {})).rejects.toThrow(
      /"ignoredLabels" must be a list/,
    );
  });
});
