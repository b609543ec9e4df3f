import { beforeAll, describe, expect, it } from 'vitest';
import { GlassboxError, InvalidInputError, TextGenerationExplainer, tensor } from '@glassbox/core';
import { OnnxModel } from '@glassbox/core/runtime';
import { findLmHead, nextTokenScorer } from '../packages/core/src/attribution/nextTokenScorer.ts';
import type { Scorer } from '../packages/core/src/model/scorer.ts';
import { greedy, pastPairs } from '../packages/core/src/model/generate.ts';
import { textGeneration } from '../packages/cli/src/tasks/textGeneration.ts';
import { expectAllMethods, expectGreedy } from './explainers-generation-checks.ts';
import { type Json, expectClose, loadOnnxModel, refsOf, useLocalFixtures } from './helpers.ts';

const MODEL = 'gpt2-tiny';
const refs = refsOf(MODEL);
const inputs = refs.inputs as Json[];
const short = inputs.find((i) => i.id === 'short')!;

beforeAll(() => useLocalFixtures());

describe.each([undefined, 'model_opset17'])('gpt2-tiny (%s) against the peer numbers', (modelFileName) => {
  let explainer: TextGenerationExplainer;
  beforeAll(async () => {
    explainer = await TextGenerationExplainer.fromPretrained(MODEL, { modelFileName });
  });

  it('greedy continuation (8 tokens, past key/values) and next-token top-10 logits, every input', async () => {
    for (const inp of inputs) await expectGreedy(explainer, inp);
  });

  it.each(inputs.map((i) => [i.id, i] as const))('%s: every method, top-1 and top-2 next tokens', async (_, inp) => {
    for (const entry of inp.attributions as Json[]) await expectAllMethods(explainer, inp, entry);
  });
});

describe('greedy decoding', () => {
  it('a graph without past inputs reruns the whole sequence and continues the same way', async () => {
    const onnx = await loadOnnxModel(MODEL);
    const g = onnx.graph;
    const past = g.inputs.filter((i) => i.name.startsWith('past_key_values'));
    expect(past).toHaveLength(4);
    // The same graph with its past tensors fixed to zero length: a decoder exported without cache.
    const noCache = new OnnxModel({
      ...g,
      inputs: g.inputs.filter((i) => !past.includes(i)),
      initializers: new Map([...g.initializers, ...past.map((p) => [p.name, tensor('float32', [1, 2, 0, 4])] as const)]),
    });
    expect(pastPairs(noCache.graph)).toEqual([]);
    for (const inp of inputs) {
      const { ids, logits } = await greedy(noCache, inp.input_ids, { maxNewTokens: 8, stopIds: new Set([50256]) });
      expect(ids).toEqual(inp.greedy_continuation_8_tokens_float32);
      const top = inp.next_token_top10 as Json[];
      expectClose(
        top.map((t) => logits[0]![t.token_id]!),
        top.map((t) => t.logit_float32),
        1e-4,
        0,
        `${inp.id} top-10`,
      );
    }
  });

  it('stops at a stop token, which it keeps', async () => {
    const onnx = await loadOnnxModel(MODEL);
    const fox = inputs.find((i) => i.id === 'fox')!;
    const { ids } = await greedy(onnx, fox.input_ids, { maxNewTokens: 8, stopIds: new Set([4527]) });
    expect(ids).toEqual([47116, 4527]);
  });
});

describe('next-token scorer', () => {
  it.each(['logits', 'softmax', 'log-softmax'] as const)(
    '%s: scoring the hidden states through the LM head on the host equals scoring the logits',
    async (output) => {
      const { model } = await TextGenerationExplainer.fromPretrained(MODEL);
      const { onnx, wordEmbedding } = model;
      const feeds = model.feeds([short.input_ids, [...short.input_ids].reverse()]);
      const head = findLmHead(onnx, 'logits', feeds);
      expect(head?.weight.shape).toEqual([8, 50257]);
      const grad = async (scorer: Scorer) => {
        let scores: number[] = [];
        const { grads } = await onnx.runWithGradient({
          feeds,
          fetch: [],
          output: scorer.output,
          wrt: [wordEmbedding.tensor],
          seed: (value) => {
            const s = scorer.score(value);
            scores = [...s.scores];
            return s.seed;
          },
        });
        return { scores, grads: grads[wordEmbedding.tensor]!.data };
      };
      const position = short.input_ids.length - 2;
      const viaHead = await grad(nextTokenScorer('logits', head, position, 4601, output));
      const viaLogits = await grad(nextTokenScorer('logits', undefined, position, 4601, output));
      expectClose(viaHead.scores, viaLogits.scores, 1e-5, 0, 'scores');
      expectClose(viaHead.grads, viaLogits.grads, 1e-6, 1e-4, 'gradients');
    },
  );
});

describe('explaining a continuation token by token', () => {
  let explainer: TextGenerationExplainer;
  beforeAll(async () => {
    explainer = await TextGenerationExplainer.fromPretrained(MODEL);
  });

  it('explains the greedy continuation as a lower-triangular matrix; each row scores its token as generation did', async () => {
    const inp = inputs.find((i) => i.id === 'fox')!;
    const n = inp.input_ids.length;
    const generation = await explainer.generate(inp.text, { maxNewTokens: 3 });
    const r = await explainer.explain(inp.text, { maxNewTokens: 3, method: 'integrated-gradients', baseline: 'zero' });
    expect(r.method).toBe('integrated-gradients');
    expect(r.output).toBe('logits');
    expect(r.generated.map((t) => t.id)).toEqual(inp.greedy_continuation_8_tokens_float32.slice(0, 3));
    expect(r.generatedText).toBe(generation.text);
    expect(r.matrix).toHaveLength(3);
    r.matrix.forEach((row, j) => {
      expect(row).toHaveLength(n + 3);
      row.forEach((v, i) =>
        i < n + j ? expect(v, `row ${j} column ${i}`).toEqual(expect.any(Number)) : expect(v, `row ${j} column ${i}`).toBeNull(),
      );
      // The prefix run without past scores the token as the cached decoding step chose it.
      expect(Math.abs(r.generated[j]!.score - generation.logits[j]![r.generated[j]!.id]!)).toBeLessThan(1e-4);
      // Gauss-Legendre IG is complete here: Σ row = f(x) − f(0) up to the convergence delta.
      expect(Math.abs(r.generated[j]!.convergenceDelta!)).toBeLessThan(1e-3);
    });
    // Row 0 is the one-token explanation of the first generated token.
    const first = await explainer.explain(inp.text, {
      continuation: [r.generated[0]!.id],
      method: 'integrated-gradients',
      baseline: 'zero',
    });
    expectClose(first.matrix[0]!, r.matrix[0]!.slice(0, n + 1), 1e-6, 0, 'row 0');
  });

  it('occlusion rows cover exactly the tokens before each generated token', async () => {
    const r = await explainer.explain(short.text, { continuation: ' Micro Micro', method: 'occlusion' });
    expect(r.generated.map((t) => t.id)).toEqual([4527, 4527]);
    expect(r.generatedText).toBe(' Micro Micro');
    expectClose(r.matrix[0]!, [...short.attributions[0].occlusion_eos.logit_drop, null, null], 1e-4, 0, 'row 0');
    expect(r.matrix[1]!.slice(0, 7).every((v) => typeof v === 'number')).toBe(true);
    expect(r.matrix[1]![7]).toBeNull();
  });

  it('scores in softmax and log-softmax space: the probability and log-probability of the token', async () => {
    const entry = short.attributions[0];
    const lse = short.logits_last_position_stats.logsumexp as number;
    const prob = short.next_token_top10[0].prob as number;
    const opts = { continuation: [entry.target.token_id], method: 'integrated-gradients', baseline: 'zero' } as const;
    const soft = await explainer.explain(short.text, { ...opts, output: 'softmax' });
    const log = await explainer.explain(short.text, { ...opts, output: 'log-softmax' });
    expect(soft.output).toBe('softmax');
    expect(Math.abs(soft.generated[0]!.score - prob)).toBeLessThan(1e-8);
    expect(Math.abs(log.generated[0]!.score - (entry.target_logit - lse))).toBeLessThan(1e-4);
    for (const r of [soft, log]) {
      // IG completeness: the row sums to f(x) − f(baseline) up to the (reported) delta.
      expect(Math.abs(r.generated[0]!.convergenceDelta!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(r.generated[0]!.score)));
    }
    const logits = await explainer.explain(short.text, { ...opts, output: 'logits' });
    expect(log.matrix[0]).not.toEqual(logits.matrix[0]);
  });

  it('normalize l2 divides each row by its L2 norm', async () => {
    const opts = { continuation: ' Micro Micro', method: 'input-x-gradient' } as const;
    const raw = await explainer.explain(short.text, opts);
    const unit = await explainer.explain(short.text, { ...opts, normalize: 'l2' });
    raw.matrix.forEach((row, j) => {
      const values = row.filter((v): v is number => v !== null);
      const norm = Math.hypot(...values);
      expectClose(
        unit.matrix[j]!,
        row.map((v) => (v === null ? null : v / norm)),
        1e-9,
        0,
        `row ${j}`,
      );
    });
  });

  it('rejects bad input with a clear InvalidInputError', async () => {
    const bad = async (p: Promise<unknown>, message: RegExp) => {
      const e = await p.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(InvalidInputError);
      expect((e as Error).message).toMatch(message);
    };
    await bad(explainer.explain('   '), /prompt text is empty/);
    await bad(explainer.explain([]), /prompt must be a non-empty text or list of token ids/);
    await bad(explainer.explain([50257], { continuation: [1] }), /^prompt token id 50257 is not in the vocabulary \(0..50256\)$/);
    await bad(explainer.generate([1.5]), /^prompt token id 1.5 is not in the vocabulary/);
    await bad(
      explainer.explain(Array(256).fill(1), { continuation: [1] }),
      /the prompt \(256 tokens\) plus its continuation \(1\) is 257 tokens; model "gpt2-tiny" accepts at most 256/,
    );
    await bad(explainer.explain(short.text, { target: 1 } as never), /^option "target" is not read by task "text-generation"/);
    await bad(
      explainer.explain(short.text, { output: 'probits' as never }),
      /unknown output "probits"; use one of logits, softmax, log-softmax/,
    );
    await bad(explainer.explain(short.text, { continuation: [50257] }), /token id 50257 is not in the vocabulary/);
    await bad(explainer.explain(short.text, { continuation: [] }), /continuation must be a non-empty/);
    await bad(explainer.explain(short.text, { continuation: '' }), /continuation is empty/);
    await bad(explainer.explain(short.text, { method: 'lrp' as never, continuation: [1] }), /unknown method "lrp"/);
    await bad(explainer.generate(short.text, { maxNewTokens: 0 }), /maxNewTokens must be a positive integer/);
    await bad(
      explainer.generate(short.text, { maxNewTokens: 251 }),
      /plus maxNewTokens 251 is 257 tokens; model "gpt2-tiny" accepts at most 256/,
    );
    await bad(explainer.explain(short.text, { continuation: ' x'.repeat(251) }), /accepts at most 256/);
  });

  it('a prompt of token ids is explained as those ids, with the same numbers as its text; the result shows them decoded', async () => {
    const opts = { continuation: ' Micro Micro', method: 'occlusion' } as const;
    const ids = await explainer.explain(short.input_ids, opts);
    const text = await explainer.explain(short.text, opts);
    expect(ids.prompt).toBe(short.text);
    expect(ids.promptTokens).toEqual(text.promptTokens);
    expect(ids.matrix).toEqual(text.matrix);
    expect((await explainer.generate(short.input_ids, { maxNewTokens: 3 })).ids).toEqual(
      short.greedy_continuation_8_tokens_float32.slice(0, 3),
    );
    const greedy = await explainer.explain(short.input_ids, { maxNewTokens: 2, method: 'saliency', aggregate: 'l2', normalize: 'none' });
    expect(greedy.generated.map((t) => t.id)).toEqual(short.greedy_continuation_8_tokens_float32.slice(0, 2));
    // Ids a text never tokenizes to: a leading <|endoftext|>, shown as its token, left out of the prompt text.
    const eos = await explainer.explain([50256, ...short.input_ids], opts);
    expect(eos.prompt).toBe(short.text);
    expect(eos.promptTokens[0]).toEqual({ token: '<|endoftext|>', id: 50256 });
    expect(eos.matrix[1]).toHaveLength(short.input_ids.length + 3);
    expect(eos.matrix[1]!.slice(1, short.input_ids.length + 2).every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
  });

  it('truncation cuts a prompt of token ids to its first ids that leave room for the continuation', async () => {
    const long = Array.from({ length: 300 }, (_, i) => short.input_ids[i % short.input_ids.length] as number);
    const r = await explainer.explain(long, {
      continuation: [4527],
      method: 'saliency',
      aggregate: 'l2',
      normalize: 'none',
      truncation: true,
    });
    expect(r.truncated).toEqual({ inputTokens: 300, explainedTokens: 255 });
    expect(r.promptTokens.map((t) => t.id)).toEqual(long.slice(0, 255));
    expect(r.matrix[0]).toHaveLength(256);
  });

  it('raw attention of the explained forward (prompt + continuation): the prompt block equals the peer maps', async () => {
    const r = await explainer.explain(short.text, { continuation: ' Micro Micro', method: 'saliency', attention: 'raw' });
    const maps = r.attentions as number[][][][];
    const n = short.input_ids.length;
    expect(maps).toHaveLength(short.attentions.num_layers);
    expect(maps[0]![0]).toHaveLength(n + 2);
    for (const [key, layer] of [
      ['layer_0', maps[0]!],
      ['last_layer', maps[maps.length - 1]!],
    ] as const) {
      const block = layer.map((head) => head.slice(0, n).map((q) => q.slice(0, n)));
      expectClose(block.flat(2), short.attentions[key].flat(2), 1e-5, 0, key);
    }
  });
});

describe('CLI task text-generation', () => {
  let explainer: TextGenerationExplainer;
  beforeAll(async () => {
    explainer = await textGeneration.load(MODEL, { device: 'cpu' });
  });

  it('declares its name and inputs', () => {
    expect(textGeneration.name).toBe('text-generation');
    expect(textGeneration.inputs).toEqual(['text', 'sentence']);
    expect(textGeneration.options).toEqual(['continuation', 'maxNewTokens']);
    expect(textGeneration.help).toMatch(/text-generation/);
  });

  it('explains a text continuation (flag strings) as JSON', async () => {
    const entry = short.attributions[1];
    const out = await textGeneration.explain(
      explainer,
      { text: short.text, continuation: ' wish' },
      { method: 'occlusion', output: 'logits' },
    );
    const json = JSON.parse(JSON.stringify(out));
    expect(json.method).toBe('occlusion');
    expect(json.output).toBe('logits');
    expect(json.promptTokens.map((t: Json) => t.id)).toEqual(short.input_ids);
    expect(json.promptTokens[2]).toEqual({ token: 'Ġmy', id: 616 });
    expect(json.generated).toHaveLength(1);
    expect(json.generated[0]).toMatchObject({ token: 'Ġwish', id: entry.target.token_id, convergenceDelta: null });
    expect(json.generatedText).toBe(' wish');
    expectClose(json.matrix[0], [...entry.occlusion_eos.logit_drop, null], 1e-4, 0, 'occlusion row');
    expect(json.attentions).toBeUndefined();
  });

  it('takes continuation ids and maxNewTokens as a JSONL line gives them; greedy when no continuation', async () => {
    const ids = await textGeneration.explain(
      explainer,
      { text: short.text, continuation: [4527] },
      { method: 'saliency', output: 'logits' },
    );
    expect((ids.generated as Json[]).map((t) => t.id)).toEqual([4527]);
    const greedy = await textGeneration.explain(explainer, { text: short.text, maxNewTokens: '2' }, { method: 'saliency' });
    expect((greedy.generated as Json[]).map((t) => t.id)).toEqual(short.greedy_continuation_8_tokens_float32.slice(0, 2));
    expect(greedy.matrix).toHaveLength(2);
  });

  it('takes the prompt as token ids from a JSONL line', async () => {
    const out = await textGeneration.explain(explainer, { text: short.input_ids, continuation: [4527] }, { method: 'occlusion' });
    const text = await textGeneration.explain(explainer, { text: short.text, continuation: [4527] }, { method: 'occlusion' });
    expect(out).toEqual(text);
  });

  it('names what is wrong with its inputs', async () => {
    const fails = (raw: Record<string, unknown>, message: RegExp) =>
      expect(textGeneration.explain(explainer, raw, {})).rejects.toThrow(message);
    await fails({ continuation: ' x' }, /"text" \(or "sentence"\) is required/);
    await fails({ text: 'Hi', maxNewTokens: 'many' }, /"maxNewTokens" must be a positive integer, got "many"/);
    await fails({ text: 'Hi', maxNewTokens: 1.5 }, /"maxNewTokens" must be a positive integer/);
    await fails({ text: 'Hi', continuation: { ids: [1] } }, /"continuation" must be a text or a list of token ids/);
    await expect(textGeneration.explain(explainer, { text: 'Hi' }, { target: 0 })).rejects.toThrow(GlassboxError);
  });
});
