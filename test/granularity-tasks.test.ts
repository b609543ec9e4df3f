import { beforeAll, describe, expect, it } from 'vitest';
import { QuestionAnsweringExplainer, type TextModel, TextGenerationExplainer, TokenClassificationExplainer } from '@glassbox/core';
import { expectClose, useLocalFixtures } from './helpers.ts';

beforeAll(useLocalFixtures);

type Values = (number | null)[];
type Options = Record<string, unknown>;

/** One explained row of a task, with what a reader expects of its units and the score it explains. */
interface Case {
  model: TextModel;
  /** The explained row's token ids (generation: the prefix before the explained token). */
  ids: number[];
  tokens: string[];
  /** Token positions of each word, then of each sentence, as a reader cuts them. */
  words: number[][];
  sentences: number[][];
  /** The token a removed unit's tokens become: [PAD] for BERT, <|endoftext|> for GPT-2 (which has no pad token). */
  pad: number;
  /** The explainer's per-token values of the row. */
  explain(options: Options): Promise<Values>;
  /** The explained score of a row of ids, straight from the model's forward pass. */
  score(ids: number[]): Promise<number>;
}

async function logitsOf(model: TextModel, ids: number[], output: string): Promise<Float32Array> {
  return (await model.onnx.run({ feeds: model.feeds([ids]), fetch: [output] }))[output]!.data as Float32Array;
}

function argmax(xs: ArrayLike<number>): number {
  const values = Array.from(xs);
  return values.indexOf(Math.max(...values));
}

async function questionAnswering(): Promise<Case> {
  const question = 'Who wrote the glassbox tokenization?';
  const context = 'Shakespeare wrote it, in Paris. It was fine!';
  const qa = await QuestionAnsweringExplainer.fromPretrained('distilbert-squad-tiny');
  const model = qa.model;
  const { ids } = model.encode(question, context);
  const position = argmax(await logitsOf(model, ids, 'start_logits'));
  return {
    model,
    ids,
    tokens: [
      '[CLS]',
      'who',
      'wrote',
      'the',
      'glass',
      '##box',
      'token',
      '##ization',
      '?',
      '[SEP]',
      'shakespeare',
      'wrote',
      'it',
      ',',
      'in',
      'paris',
      '.',
      'it',
      'was',
      'fine',
      '!',
      '[SEP]',
    ],
    words: [[1], [2], [3], [4, 5], [6, 7], [8], [10], [11], [12], [13], [14], [15], [16], [17], [18], [19], [20]],
    // The question's one sentence, then the context's two.
    sentences: [
      [1, 2, 3, 4, 5, 6, 7, 8],
      [10, 11, 12, 13, 14, 15, 16],
      [17, 18, 19, 20],
    ],
    pad: 0,
    explain: async (options) => {
      const r = await qa.explain(question, context, {
        ...options,
        which: 'start',
        target: 'predicted',
        output: 'logits',
        normalize: 'none',
      });
      expect(r.start!.position).toBe(position);
      return r.start!.tokens.map((t) => t.attribution);
    },
    score: async (row) => (await logitsOf(model, row, 'start_logits'))[position]!,
  };
}

async function tokenClassification(): Promise<Case> {
  const text = 'Glassbox tokenization works, in Paris. It was fine!';
  const ner = await TokenClassificationExplainer.fromPretrained('bert-ner-tiny');
  const model = ner.model;
  const { ids } = model.encode(text);
  const explained = 8; // 'paris'
  const logits = await logitsOf(model, ids, 'logits');
  const C = logits.length / ids.length;
  const c = argmax(logits.subarray(explained * C, (explained + 1) * C));
  return {
    model,
    ids,
    tokens: ['[CLS]', 'glass', '##box', 'token', '##ization', 'works', ',', 'in', 'paris', '.', 'it', 'was', 'fine', '!', '[SEP]'],
    words: [[1, 2], [3, 4], [5], [6], [7], [8], [9], [10], [11], [12], [13]],
    sentences: [
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
      [10, 11, 12, 13],
    ],
    pad: 0,
    explain: async (options) => {
      const ignoredIndexes = ids.map((_, i) => i).filter((i) => i !== explained);
      const r = await ner.explain(text, { ...options, ignoredIndexes, output: 'logits', normalize: 'none' });
      expect(r.explained.map((e) => [e.index, e.target.index])).toEqual([[explained, c]]);
      return r.explained[0]!.tokens.map((t) => t.attribution);
    },
    score: async (row) => (await logitsOf(model, row, 'logits'))[explained * C + c]!,
  };
}

async function textGeneration(): Promise<Case> {
  // The prompt ends inside a word the continuation finishes ("glass" + "box"); "café" is one byte-level token, ĠcafÃ©.
  const prompt = 'Hello café world. The glass';
  const continuation = 'box tokenizer works!';
  const generation = await TextGenerationExplainer.fromPretrained('gpt2-tiny');
  const model = generation.model;
  const all = [...model.encode(prompt).ids, ...model.encode(continuation, undefined, false).ids];
  // The last row: '!' attributed to everything before it.
  const ids = all.slice(0, -1);
  const last = all.at(-1)!;
  return {
    model,
    ids,
    tokens: ['Hello', 'ĠcafÃ©', 'Ġworld', '.', 'ĠThe', 'Ġglass', 'box', 'Ġtoken', 'izer', 'Ġworks'],
    words: [[0], [1], [2], [3], [4], [5, 6], [7, 8], [9]],
    sentences: [
      [0, 1, 2, 3],
      [4, 5, 6, 7, 8, 9],
    ],
    pad: 50256,
    explain: async (options) => {
      const r = await generation.explain(prompt, { ...options, continuation });
      expect(r.generated.at(-1)!.id).toBe(last);
      return r.matrix.at(-1)!.slice(0, ids.length);
    },
    score: async (row) => {
      const logits = await logitsOf(model, row, 'logits');
      const V = logits.length / row.length;
      return logits[(row.length - 1) * V + last]!;
    },
  };
}

/** Token positions grouped by equal value (every token of a unit carries the unit's value), in order; null tokens left out. */
function unitsByValue(values: Values): number[][] {
  const groups = new Map<number, number[]>();
  values.forEach((v, i) => v !== null && groups.set(v, [...(groups.get(v) ?? []), i]));
  return [...groups.values()];
}

/** One value per unit spread onto its tokens; tokens in no unit null. */
function spread(units: number[][], value: (unit: number[]) => number, length: number): Values {
  const out: Values = new Array(length).fill(null);
  for (const u of units) {
    const v = value(u);
    for (const p of u) out[p] = v;
  }
  return out;
}

describe.each([
  ['question answering (distilbert-squad-tiny)', questionAnswering],
  ['token classification (bert-ner-tiny)', tokenClassification],
  ['text generation (gpt2-tiny)', textGeneration],
])('%s', (_, setUp) => {
  let c: Case;
  beforeAll(async () => {
    c = await setUp();
  });

  it('the explained tokens are the ones the expected units name', () => {
    expect(c.ids.map((id) => c.model.tokenString(id))).toEqual(c.tokens);
  });

  it("'word': feature ablation removes each word's tokens together, and each drop is the model's score drop with that word padded", async () => {
    const values = await c.explain({ method: 'feature-ablation', granularity: 'word' });
    expect(unitsByValue(values)).toEqual(c.words);
    const full = await c.score(c.ids);
    const drops = await Promise.all(c.words.map((w) => c.score(c.ids.map((id, i) => (w.includes(i) ? c.pad : id)))));
    const expected = spread(c.words, (w) => full - drops[c.words.indexOf(w)]!, c.ids.length);
    expectClose(values, expected, 1e-5, 1e-5, 'word drops');
  });

  it("'word' with sum: saliency's token values summed per word", async () => {
    const tokens = await c.explain({ method: 'saliency', granularity: 'token' });
    const words = await c.explain({ method: 'saliency', granularity: 'word', granularityAggregate: 'sum' });
    const expected = spread(c.words, (w) => w.reduce((s, p) => s + tokens[p]!, 0), c.ids.length);
    expectClose(words, expected, 1e-9, 1e-6, 'word sums');
  });

  it("'sentence': one unit per sentence (split after . ! ?)", async () => {
    const values = await c.explain({ method: 'feature-ablation', granularity: 'sentence' });
    expect(unitsByValue(values)).toEqual(c.sentences);
  });
});
