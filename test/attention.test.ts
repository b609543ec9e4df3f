import { describe, expect, it } from 'vitest';
import { type HostTensor, tensor } from '@glassbox/core';
import { type Graph, type Node, OnnxModel } from '@glassbox/core/runtime';
import type { Scorer } from '../packages/core/src/model/scorer.ts';
import { Rng } from '../packages/core/src/methods/rng.ts';
// Until packages/core/src/index.ts re-exports attention/, import it directly.
import {
  type AttentionMaps,
  type Matrix,
  aggregate,
  attentionFor,
  captureAttentionGradients,
  captureAttentions,
  findAttentionProbabilities,
  gradientWeightedRelevance,
  rollout,
} from '../packages/core/src/attention/index.ts';
import { type Json, expectClose, ids2d, loadOnnxModel, refsOf } from './helpers.ts';

// --- helpers ------------------------------------------------------------------------------

const flat = (m: readonly (readonly number[])[]) => m.flat();

/** The model's feeds for one refs.json input (batch of 1; GPT-2 with an empty past). */
function feedsOf(model: OnnxModel, inp: Json): Record<string, HostTensor> {
  if (inp.pixel_values) {
    const s = inp.pixel_values[0].length;
    return { pixel_values: tensor('float32', [1, 3, s, s], inp.pixel_values.flat(2)) };
  }
  const ids: number[] = inp.input_ids;
  const feeds: Record<string, HostTensor> = { input_ids: ids2d([ids]), attention_mask: ids2d([inp.attention_mask]) };
  for (const name of model.inputNames) {
    if (name === 'token_type_ids') feeds[name] = ids2d([inp.token_type_ids]);
    if (name === 'position_ids') feeds[name] = ids2d([ids.map((_, i) => i)]);
    if (name.startsWith('past_key_values')) feeds[name] = tensor('float32', [1, 2, 0, 4]);
  }
  return feeds;
}

/** Explains the logit at flat index `index` of batch item 0 of `output`: seed one-hot there. */
function logitScorer(output: string, index: (value: HostTensor) => number): Scorer {
  return {
    output,
    score(value) {
      const i = index(value);
      const seed = tensor('float32', value.shape);
      seed.data[i] = 1;
      return { scores: Float64Array.of(value.data[i]!), seed };
    },
  };
}
const argmaxOf = (data: ArrayLike<number>, from = 0, to = data.length) => {
  let best = from;
  for (let i = from; i < to; i++) if (data[i]! > data[best]!) best = i;
  return best;
};
/** The predicted class of a classifier, or the top next token at the last position of a language model. */
const topLogit = (value: HostTensor) => {
  const last = value.shape[value.shape.length - 1]!;
  return argmaxOf(value.data, value.data.length - last);
};

const node = (opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node => ({
  name: outputs[0]!,
  opType,
  domain: '',
  inputs,
  outputs,
  attrs,
});
const graphOf = (
  nodes: Node[],
  inputs: [string, number[]][],
  outputs: string[],
  initializers: [string, HostTensor][] = [],
  opset = 17,
): Graph => ({
  nodes,
  initializers: new Map(initializers),
  inputs: inputs.map(([name, shape]) => ({ name, dtype: 'float32', shape })),
  outputs: outputs.map((name) => ({ name, dtype: 'float32', shape: [] })),
  opset,
});
const random = (rng: Rng, shape: number[], lo = -1, hi = 1) =>
  tensor(
    'float32',
    shape,
    Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => lo + (hi - lo) * rng.next()),
  );
const plus = (t: HostTensor, i: number, h: number): HostTensor => {
  const data = Float32Array.from(t.data);
  data[i]! += h;
  return { ...t, data };
};

// --- backward: total gradients of intermediate taps ----------------------------------------

describe('backward: a wrt tensor that is not overridden gets its total gradient', () => {
  // x → a = tanh(x) → b = softmax(a·W) → y = Σ a ⊙ b: a reaches y directly and through b.
  const rng = new Rng(11);
  const W = random(rng, [3, 3], -2, 2);
  const x = random(rng, [2, 3]);
  const model = new OnnxModel(
    graphOf(
      [
        node('Tanh', ['x'], ['a']),
        node('MatMul', ['a', 'W'], ['s']),
        node('Softmax', ['s'], ['b'], { axis: -1 }),
        node('Mul', ['a', 'b'], ['c']),
        node('ReduceSum', ['c'], ['y'], { keepdims: 0 }),
      ],
      [['x', [2, 3]]],
      ['y'],
      [['W', W]],
    ),
  );
  const seedOne = (v: HostTensor) => tensor('float32', v.shape, [1]);
  const y = async (overrides: Record<string, HostTensor>) => (await model.run({ feeds: { x }, overrides, fetch: ['y'] })).y!.data[0]!;
  /** Central differences of y in each element of `name`, the other overrides held. */
  async function finiteDifferences(name: string, value: HostTensor, held: Record<string, HostTensor> = {}, h = 1e-2): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < value.data.length; i++) {
      out.push(((await y({ ...held, [name]: plus(value, i, h) })) - (await y({ ...held, [name]: plus(value, i, -h) }))) / (2 * h));
    }
    return out;
  }

  it('gives a, b and x their total derivatives in one pass (paths through other wrt tensors included)', async () => {
    const { values, grads } = await model.runWithGradient({
      feeds: { x },
      fetch: ['a', 'b'],
      output: 'y',
      seed: seedOne,
      wrt: ['x', 'a', 'b'],
    });
    expectClose(grads.a!.data, await finiteDifferences('a', values.a!), 2e-4, 0, 'dy/da (direct and through b)');
    expectClose(grads.b!.data, await finiteDifferences('b', values.b!), 2e-4, 0, 'dy/db');
    expectClose(grads.x!.data, await finiteDifferences('x', x), 2e-4, 0, 'dy/dx (through a)');
    // The path through b is not negligible here: the direct part alone (b) differs.
    expect(Math.max(...Array.from(grads.a!.data, (g, i) => Math.abs(g - values.b!.data[i]!)))).toBeGreaterThan(1e-2);
  });

  it('keeps an overridden wrt tensor a leaf: nothing flows through it or into what computed it', async () => {
    const { b } = await model.run({ feeds: { x }, fetch: ['b'] });
    const { values, grads } = await model.runWithGradient({
      feeds: { x },
      overrides: { b: b! },
      fetch: ['a'],
      output: 'y',
      seed: seedOne,
      wrt: ['a', 'b'],
    });
    expectClose(grads.a!.data, await finiteDifferences('a', values.a!, { b: b! }), 2e-4, 0, 'dy/da with b held');
    expectClose(grads.a!.data, b!.data, 1e-6, 0, 'dy/da with b held = b');
    // An overridden tensor cuts its producer off: x no longer reaches y through b, only through a.
    const throughA = await model.runWithGradient({ feeds: { x }, overrides: { b: b! }, fetch: [], output: 'y', seed: seedOne, wrt: ['x'] });
    expectClose(throughA.grads.x!.data, await finiteDifferences('x', x, { b: b! }), 2e-4, 0, 'dy/dx with b held');
  });
});

// --- finding the attention probabilities ---------------------------------------------------

describe('findAttentionProbabilities', () => {
  it('takes Softmax over the last axis of [batch, heads, queries, keys ≥ queries], in graph order, and nothing else', () => {
    const g = graphOf(
      [
        node('Softmax', ['self'], ['p_self'], { axis: -1 }),
        node('Softmax', ['self'], ['p_axis1'], { axis: 1 }),
        node('Softmax', ['past'], ['p_past'], { axis: 3 }),
        node('Softmax', ['wide'], ['p_wide'], { axis: -1 }),
        node('Softmax', ['logits'], ['p_logits'], { axis: -1 }),
        node('Softmax', ['hidden'], ['p_hidden'], { axis: -1 }),
      ],
      [
        ['self', [1, 2, 3, 3]],
        ['past', [1, 2, 2, 5]],
        ['wide', [1, 2, 4, 3]],
        ['logits', [1, 5]],
        ['hidden', [1, 3, 3]],
      ],
      ['p_self'],
    );
    const m = new OnnxModel(g);
    const rng = new Rng(3);
    const feeds = Object.fromEntries(g.inputs.map((i) => [i.name, random(rng, i.shape as number[])]));
    expect(findAttentionProbabilities(m.planFor(feeds))).toEqual(['p_self', 'p_past']);
  });

  it('an opset-11 graph (Softmax axis given explicitly)', () => {
    const m = new OnnxModel(graphOf([node('Softmax', ['s'], ['p'], { axis: 3 })], [['s', [1, 1, 2, 2]]], ['p'], [], 11));
    expect(findAttentionProbabilities(m.planFor({ s: tensor('float32', [1, 1, 2, 2], [1, 2, 3, 4]) }))).toEqual(['p']);
  });

  it('a graph without attention is an error naming what was looked for', async () => {
    const m = new OnnxModel(graphOf([node('Softmax', ['s'], ['p'], { axis: -1 })], [['s', [1, 4]]], ['p']));
    await expect(captureAttentions(m, { s: tensor('float32', [1, 4]) })).rejects.toThrow(/no attention probabilities/);
  });
});

// --- raw maps vs the torch model's output_attentions --------------------------------------

const FIXTURES: [string, string[]][] = [
  ['distilbert-sst2-tiny', ['model.onnx', 'model_opset17.onnx']],
  ['bert-nli-tiny', ['model.onnx', 'model_opset17.onnx']],
  ['bert-ner-tiny', ['model.onnx', 'model_opset17.onnx']],
  ['distilbert-squad-tiny', ['model.onnx', 'model_opset17.onnx']],
  ['gpt2-tiny', ['model.onnx', 'model_opset17.onnx']],
  ['vit-fashion-tiny', ['model.onnx', 'model_opset17.onnx']],
  ['roberta-sst-tiny', ['model.onnx']],
];
const CASES = FIXTURES.flatMap(([name, files]) => files.map((file) => [name, file] as const));

describe('captureAttentions equals output_attentions of the float32 torch model (1e-5)', () => {
  it.each(CASES)('%s %s: every layer, layer_0 and last_layer vs refs', async (name, file) => {
    const model = await loadOnnxModel(name, file);
    for (const inp of refsOf(name).inputs as Json[]) {
      const maps = await captureAttentions(model, feedsOf(model, inp));
      const [heads, t] = [inp.attentions.layer_0.length, inp.attentions.layer_0[0].length];
      expect(maps.length, `${inp.id} layers`).toBe(inp.attentions.num_layers);
      for (const layer of maps) expect([layer.length, layer[0]!.length, layer[0]![0]!.length]).toEqual([heads, t, t]);
      expectClose(maps[0]!.flat(2), inp.attentions.layer_0.flat(2), 1e-5, 0, `${name} ${inp.id} layer 0`);
      expectClose(maps[maps.length - 1]!.flat(2), inp.attentions.last_layer.flat(2), 1e-5, 0, `${name} ${inp.id} last layer`);
    }
  });

  it('gpt2-tiny with past key values: keys = past + T, the last query row of the full maps', async () => {
    const model = await loadOnnxModel('gpt2-tiny');
    const presents = model.graph.outputs.map((o) => o.name).filter((n) => n.startsWith('present'));
    for (const inp of refsOf('gpt2-tiny').inputs as Json[]) {
      const ids: number[] = inp.input_ids;
      const t = ids.length;
      const head = await model.run({
        feeds: feedsOf(model, { ...inp, input_ids: ids.slice(0, -1), attention_mask: ids.slice(1).map(() => 1) }),
        fetch: presents,
      });
      const feeds: Record<string, HostTensor> = {
        input_ids: ids2d([ids.slice(-1)]),
        attention_mask: ids2d([ids.map(() => 1)]),
        position_ids: ids2d([[t - 1]]),
      };
      for (const n of model.inputNames.filter((n) => n.startsWith('past_key_values')))
        feeds[n] = head[n.replace('past_key_values', 'present')]!;
      const maps = await captureAttentions(model, feeds);
      expect(maps[0]!.map((h) => [h.length, h[0]!.length])).toEqual(maps[0]!.map(() => [1, t]));
      const lastRow = (m: number[][][]) => m.map((h) => h[t - 1]!);
      expectClose(maps[0]!.flat(2), lastRow(inp.attentions.layer_0).flat(), 1e-5, 0, `${inp.id} layer 0, last query`);
      expectClose(maps[1]!.flat(2), lastRow(inp.attentions.last_layer).flat(), 1e-5, 0, `${inp.id} last layer, last query`);
      expect(() => rollout(maps)).toThrow(/square maps/);
    }
  });
});

// --- aggregation, rollout and relevance on hand-computed examples ---------------------------

// Two layers, two heads, T = 3; every row sums to 1.
const A: AttentionMaps = [
  [
    [
      [1, 0, 0],
      [1 / 2, 1 / 2, 0],
      [1 / 4, 1 / 4, 1 / 2],
    ],
    [
      [0, 1, 0],
      [1 / 2, 0, 1 / 2],
      [1 / 4, 3 / 4, 0],
    ],
  ],
  [
    [
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ],
    [
      [1 / 2, 1 / 2, 0],
      [0, 1 / 2, 1 / 2],
      [1 / 2, 0, 1 / 2],
    ],
  ],
];

describe('aggregate', () => {
  it('mean, median, max and min over heads, layers or both', () => {
    expectClose(
      aggregate(A, { over: 'heads', reduce: 'mean' }).flat(2),
      [
        [
          [1 / 2, 1 / 2, 0],
          [1 / 2, 1 / 4, 1 / 4],
          [1 / 4, 1 / 2, 1 / 4],
        ],
        [
          [1 / 4, 1 / 4, 1 / 2],
          [1 / 2, 1 / 4, 1 / 4],
          [1 / 4, 1 / 2, 1 / 4],
        ],
      ].flat(2),
      1e-12,
    );
    expectClose(
      aggregate(A, { over: 'layers', reduce: 'max' }).flat(2),
      [
        [
          [1, 0, 1],
          [1, 1 / 2, 0],
          [1 / 4, 1, 1 / 2],
        ],
        [
          [1 / 2, 1, 0],
          [1 / 2, 1 / 2, 1 / 2],
          [1 / 2, 3 / 4, 1 / 2],
        ],
      ].flat(2),
      1e-12,
    );
    expectClose(aggregate(A, { over: 'heads', reduce: 'min' })[1]!.flat(), [0, 0, 0, 0, 0, 0, 0, 0, 0], 1e-12);
    // Median of four values (torch's: the lower of the middle two) and of three.
    expectClose(flat(aggregate(A, { over: 'both', reduce: 'median' })), [0, 0, 0, 1 / 2, 0, 0, 1 / 4, 1 / 4, 0], 1e-12);
    expectClose(aggregate(A, { over: 'heads', reduce: 'median' })[0]!.flat(), [0, 0, 0, 1 / 2, 0, 0, 1 / 4, 1 / 4, 0], 1e-12);
    expectClose(
      flat(aggregate(A, { over: 'both', reduce: 'mean' })),
      [3 / 8, 3 / 8, 1 / 4, 1 / 2, 1 / 4, 1 / 4, 1 / 4, 1 / 2, 1 / 4],
      1e-12,
    );
    const three = [[[[1]], [[5]], [[2]]]];
    expect(aggregate(three, { over: 'heads', reduce: 'median' })).toEqual([[[2]]]);
  });

  it('bad options and ragged maps are errors', () => {
    expect(() => aggregate(A, { over: 'tokens' as never, reduce: 'mean' })).toThrow(/over "tokens"/);
    expect(() => aggregate(A, { over: 'heads', reduce: 'sum' as never })).toThrow(/reduce "sum"/);
    expect(() => aggregate([A[0]!, [A[1]![0]!]], { over: 'heads', reduce: 'mean' })).toThrow(/layer 1 has 1 heads/);
    expect(() => aggregate([], { over: 'heads', reduce: 'mean' })).toThrow(/no attention maps/);
  });
});

describe('rollout (Abnar & Zuidema)', () => {
  it('mean head fusion: Â_l = 0.5·mean_h A + 0.5·I, result Â_1·Â_0', () => {
    // Â_0 = 0.5·[[1/2,1/2,0],[1/2,1/4,1/4],[1/4,1/2,1/4]] + 0.5·I
    const a0 = [
      [3 / 4, 1 / 4, 0],
      [1 / 4, 5 / 8, 1 / 8],
      [1 / 8, 1 / 4, 5 / 8],
    ];
    // Â_1 = 0.5·[[1/4,1/4,1/2],[1/2,1/4,1/4],[1/4,1/2,1/4]] + 0.5·I
    const a1 = [
      [5 / 8, 1 / 8, 1 / 4],
      [1 / 4, 5 / 8, 1 / 8],
      [1 / 8, 1 / 4, 5 / 8],
    ];
    // (Â_1·Â_0)[i][j] = Σ_k Â_1[i][k]·Â_0[k][j], written out: 17/32, 19/64, 11/64 / 23/64, 31/64, 5/32 / 15/64, 11/32, 27/64.
    const expected = [
      [17 / 32, 19 / 64, 11 / 64],
      [23 / 64, 31 / 64, 5 / 32],
      [15 / 64, 11 / 32, 27 / 64],
    ];
    expect(a1[0]![0]! * a0[0]![1]! + a1[0]![1]! * a0[1]![1]! + a1[0]![2]! * a0[2]![1]!).toBeCloseTo(19 / 64, 15);
    expectClose(flat(rollout(A)), flat(expected), 1e-12, 0, 'rollout');
    for (const row of rollout(A)) expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });

  it('max head fusion renormalises rows: rownorm((max_h A + I) / 2)', () => {
    // max_h A_0 = [[1,1,0],[1/2,1/2,1/2],[1/4,3/4,1/2]] → rows (A+I)/2 = [1,1/2,0]/(3/2), [1/4,3/4,1/4]/(5/4), [1/8,3/8,3/4]/(5/4)
    // max_h A_1 = [[1/2,1/2,1],[1,1/2,1/2],[1/2,1,1/2]] → every row of (A+I)/2 sums to 3/2
    // product Â_1·Â_0 = [[2/5, 11/30, 7/30], [61/180, 83/180, 1/5], [41/180, 73/180, 11/30]]
    expectClose(
      flat(rollout(A, { headFusion: 'max' })),
      [2 / 5, 11 / 30, 7 / 30, 61 / 180, 83 / 180, 1 / 5, 41 / 180, 73 / 180, 11 / 30],
      1e-12,
    );
  });

  it('discard ratio zeroes the ⌊ratio·T²⌋ smallest fused entries except [0][0]', () => {
    const one = [
      [
        [
          [0.1, 0.5, 0.4],
          [0.15, 0.6, 0.25],
          [0.35, 0.2, 0.45],
        ],
      ],
    ];
    // ⌊9/3⌋ = 3 smallest: 0.1 at [0][0] (kept), 0.15 at [1][0] and 0.2 at [2][1] (zeroed); then (A + I)/2, rows normalised.
    const expected = [[0.55, 0.25, 0.2].map((x) => x / 1), [0, 0.8, 0.125].map((x) => x / 0.925), [0.175, 0, 0.725].map((x) => x / 0.9)];
    expectClose(flat(rollout(one, { discardRatio: 1 / 3 })), flat(expected), 1e-12);
    expect(() => rollout(one, { discardRatio: 1.5 })).toThrow(/discard ratio/);
    expect(() => rollout(one, { headFusion: 'median' as never })).toThrow(/head fusion/);
  });
});

describe('gradient-weighted relevance (Chefer et al. 2021)', () => {
  const G: AttentionMaps = [
    [
      [
        [1, 5, -3],
        [2, -2, 7],
        [4, -4, 2],
      ],
      [
        [9, -1, 2],
        [2, 3, 2],
        [-4, 4, 1],
      ],
    ],
    [
      [
        [1, 1, -2],
        [3, 1, 1],
        [1, 2, 1],
      ],
      [
        [2, -2, 5],
        [1, 4, -2],
        [-2, 1, 6],
      ],
    ],
  ];
  it('R = I; per layer R ← R + mean_h (∇A ⊙ A)⁺ · R', () => {
    // (G⊙A)⁺ layer 0: head 0 [[1,0,0],[1,0,0],[1,0,1]], head 1 [[0,0,0],[1,0,1],[0,3,0]] → Ā_0 = [[1/2,0,0],[1,0,1/2],[1/2,3/2,1/2]]
    // layer 1: head 0 [[0,0,0],[3,0,0],[0,2,0]], head 1 [[1,0,0],[0,2,0],[0,0,3]] → Ā_1 = [[1/2,0,0],[3/2,1,0],[0,1,3/2]]
    // R = (I + Ā_1)(I + Ā_0) = [[3/2,0,0],[3/2,2,0],[0,1,5/2]] · [[3/2,0,0],[1,1,1/2],[1/2,3/2,3/2]]
    const expected: Matrix = [
      [9 / 4, 0, 0],
      [17 / 4, 2, 1],
      [9 / 4, 19 / 4, 17 / 4],
    ];
    expectClose(flat(gradientWeightedRelevance(A, G)), flat(expected), 1e-12);
  });

  it('mismatched gradients are an error', () => {
    expect(() => gradientWeightedRelevance(A, [G[0]!])).toThrow(/gradients are \[1, 2, 3, 3\]/);
  });
});

// --- gradients on real models ---------------------------------------------------------------

describe('attention gradients of real models are total derivatives', () => {
  it.each(['distilbert-sst2-tiny', 'bert-nli-tiny', 'gpt2-tiny', 'vit-fashion-tiny'])(
    '%s: every layer equals the gradient w.r.t. that layer overridden by its own value',
    async (name) => {
      const model = await loadOnnxModel(name);
      const inp = refsOf(name).inputs[0];
      const feeds = feedsOf(model, inp);
      const scorer = logitScorer('logits', topLogit);
      const { attentions, gradients } = await captureAttentionGradients(model, feeds, {}, scorer);
      const names = findAttentionProbabilities(model.planFor(feeds));
      for (let l = 0; l < names.length; l++) {
        const value = (await model.run({ feeds, fetch: [names[l]!] }))[names[l]!]!;
        expectClose(attentions[l]!.flat(2), value.data, 0, 0, `${name} layer ${l} values`);
        // Overriding layer l makes it a leaf of every later path, so this is the total derivative.
        const { grads } = await model.runWithGradient({
          feeds,
          overrides: { [names[l]!]: value },
          fetch: [],
          output: 'logits',
          wrt: [names[l]!],
          seed: (v) => scorer.score(v).seed,
        });
        expectClose(gradients[l]!.flat(2), grads[names[l]!]!.data, 1e-6, 1e-5, `${name} layer ${l} gradient`);
      }
    },
  );

  it('distilbert-sst2-tiny: relevance equals the rule applied to finite differences of the logit in every attention probability', async () => {
    const model = await loadOnnxModel('distilbert-sst2-tiny');
    const inp = refsOf('distilbert-sst2-tiny').inputs[0];
    const feeds = feedsOf(model, inp);
    const scorer = logitScorer('logits', topLogit);
    const names = findAttentionProbabilities(model.planFor(feeds));
    const base = await model.run({ feeds, fetch: ['logits', ...names] });
    const target = topLogit(base.logits!);
    const logit = async (name: string, value: HostTensor) =>
      (await model.run({ feeds, overrides: { [name]: value }, fetch: ['logits'] })).logits!.data[target]!;
    // ∂logit/∂A_l[h][q][k] by central differences: overriding A_l recomputes every later layer.
    const h = 1e-2;
    const fd: AttentionMaps = [];
    for (const name of names) {
      const a = base[name]!;
      const [, heads, t] = a.shape as number[];
      const g = new Float64Array(a.data.length);
      for (let i = 0; i < a.data.length; i++) g[i] = ((await logit(name, plus(a, i, h))) - (await logit(name, plus(a, i, -h)))) / (2 * h);
      fd.push(
        Array.from({ length: heads! }, (_, hh) =>
          Array.from({ length: t! }, (_, q) => Array.from(g.subarray((hh * t! + q) * t!, (hh * t! + q + 1) * t!))),
        ),
      );
    }
    const { attentions, gradients } = await captureAttentionGradients(model, feeds, {}, scorer);
    expectClose(gradients.flat(3), fd.flat(3), 2e-4, 0, 'gradients vs finite differences');
    // The rule, written out again on the finite-difference gradients.
    const t = attentions[0]![0]!.length;
    let r: Matrix = Array.from({ length: t }, (_, i) => Array.from({ length: t }, (_, j) => (i === j ? 1 : 0)));
    attentions.forEach((layer, l) => {
      const cam = Array.from({ length: t }, (_, q) =>
        Array.from({ length: t }, (_, k) => layer.reduce((s, m, hh) => s + Math.max(0, m[q]![k]! * fd[l]![hh]![q]![k]!), 0) / layer.length),
      );
      r = r.map((row, i) => row.map((x, j) => x + cam[i]!.reduce((s, c, k) => s + c * r[k]![j]!, 0)));
    });
    const relevance = (await attentionFor({ onnx: model, feeds, scorer }, 'gradient-weighted')) as Matrix;
    expectClose(flat(relevance), flat(r), 2e-4, 0, 'relevance vs finite differences');
  });
});

describe('attentionFor', () => {
  it('raw, rollout and gradient-weighted of an explained forward pass', async () => {
    const model = await loadOnnxModel('bert-nli-tiny');
    const inp = refsOf('bert-nli-tiny').inputs[0];
    const forward = { onnx: model, feeds: feedsOf(model, inp), scorer: logitScorer('logits', topLogit) };
    const raw = (await attentionFor(forward, 'raw')) as AttentionMaps;
    expectClose(raw[0]!.flat(2), inp.attentions.layer_0.flat(2), 1e-5, 0, 'raw layer 0');
    expectClose(flat((await attentionFor(forward, 'rollout')) as Matrix), flat(rollout(raw)), 0, 0, 'rollout');
    const { attentions, gradients } = await captureAttentionGradients(model, forward.feeds, {}, forward.scorer);
    expectClose(
      flat((await attentionFor(forward, 'gradient-weighted')) as Matrix),
      flat(gradientWeightedRelevance(attentions, gradients)),
      0,
      0,
      'gradient-weighted',
    );
    await expect(attentionFor(forward, 'flow' as never)).rejects.toThrow(/attention "flow"/);
  });
});
