import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HostTensor,
  type LoadOptions,
  SequenceClassificationExplainer,
  TextGenerationExplainer,
  TokenClassificationExplainer,
  tensor,
} from '@glassbox/core';
import { OnnxModel } from '@glassbox/core/runtime';
import { type DimClass, type GradientModelRequest, compileSymbolic } from '../packages/core/src/compile/gradientModel.ts';
import type { Plan } from '../packages/core/src/graph/plan.ts';
import { OrtGradients } from '../packages/core/src/model/ortGradients.ts';
import { loadOrt } from '../packages/core/src/model/ortRuntime.ts';
import { type EncodedNode, encodeModel } from '../packages/core/src/onnx/encode.ts';
import { expectClose, useLocalFixtures } from './helpers.ts';
import { VARIANTS } from './variant-checks.ts';

/**
 * Compiled gradient models with symbolic batch and sequence sizes (compileSymbolic,
 * OrtGradients.session): one onnxruntime session serves every input length and batch size
 * of a size pattern (which symbolic input axes share a size; sizes 0/1 stay static), and
 * its numbers are our runtime's. Graphs whose reverse pass needs a size that is not a
 * product of the symbolic sizes (T − 1), and float16 files, compile one model per shape.
 */

const ORT: LoadOptions = { engine: 'onnxruntime', onnxruntime: 'node' };
const GLASSBOX: LoadOptions = { engine: 'glassbox' };
/** Compiled vs our runtime: |Δ| ≤ 1e-6 + 1e-5·max|ref|. */
const close = (actual: readonly (number | null)[], expected: readonly (number | null)[], what: string) =>
  expectClose(actual, expected, 1e-6, 1e-5, what);
/**
 * Convergence deltas (Σ attributions − (f(x) − f(baseline))) cancel terms of the scores'
 * size: within 1e-6 + 1e-5 × the largest score or attribution they come from.
 */
const closeDeltas = (
  actual: readonly (number | null)[],
  expected: readonly (number | null)[],
  terms: readonly (number | null)[],
  what: string,
) => expectClose(actual, expected, 1e-6 + 1e-5 * Math.max(...terms.map((v) => Math.abs(v ?? 0))), 0, what);

/** The private state a test reads. */
interface Internals {
  sessions: Map<string, unknown>;
  staticOnly: Set<string>;
  symbolicSizes(feeds: Record<string, HostTensor>): { pattern: string; dims: [DimClass[], DimClass[]] } | undefined;
  feedsAt(feeds: Record<string, HostTensor>, dims: readonly DimClass[]): Record<string, HostTensor>;
  plan(feeds: Record<string, HostTensor>, overrides: Record<string, unknown>): Plan;
}
const internals = (g: unknown) => g as Internals;
const keys = (g: unknown) => [...internals(g).sessions.keys()];
/** The size pattern of a symbolic session key ('symbolic|<pattern>|…'). */
const patternOf = (key: string) => key.split('|')[1];

function ortGradients(model: { gradients: unknown }): OrtGradients {
  expect(model.gradients).toBeInstanceOf(OrtGradients);
  return model.gradients as OrtGradients;
}

beforeAll(useLocalFixtures);

describe('distilbert-sst2-tiny: every length and batch size on a few symbolic sessions', () => {
  const SST2 = 'distilbert-sst2-tiny';
  // 5, 7, 12, 16, 17 and 19 tokens with [CLS] and [SEP] (asserted below). With 50 steps in
  // batches of 7 the 7-token text runs B = T = 7 and the last batch of each text is B = 1.
  const TEXTS = [
    'a good movie',
    'a wonderful and moving film',
    'the acting was poor and the plot made no sense',
    'the plot was dull and the acting was even worse than i had feared',
    'i loved every minute of it , from the opening scene to the very last',
    'a warm , funny and clever film that never talks down to its audience and always surprises',
  ];
  const LENGTHS = [5, 7, 12, 16, 17, 19];
  const IG_BATCHES = [3, 7];
  let ort: SequenceClassificationExplainer;
  let ref: SequenceClassificationExplainer;
  beforeAll(async () => {
    [ort, ref] = await Promise.all([
      SequenceClassificationExplainer.fromPretrained(SST2, ORT),
      SequenceClassificationExplainer.fromPretrained(SST2, GLASSBOX),
    ]);
  });
  afterAll(async () => {
    await Promise.all([ort?.dispose(), ref?.dispose()]);
  });

  it("LIG defaults and IG (internalBatchSize 3, 7) on 6 lengths: ≤ 4 sessions, all symbolic, our runtime's numbers", async () => {
    const g = ortGradients(ort.model);
    const cases = [{}, ...IG_BATCHES.map((internalBatchSize) => ({ method: 'integrated-gradients', internalBatchSize }) as const)];
    for (const options of cases) {
      for (const [i, text] of TEXTS.entries()) {
        const [a, e] = [await ort.explain(text, options), await ref.explain(text, options)];
        const what = `${JSON.stringify(options)} "${text}"`;
        expect(e.tokens.length, what).toBe(LENGTHS[i]);
        expect(
          a.tokens.map((t) => t.id),
          what,
        ).toEqual(e.tokens.map((t) => t.id));
        expect(a.predicted.index, what).toBe(e.predicted.index);
        close(
          a.tokens.map((t) => t.attribution!),
          e.tokens.map((t) => t.attribution!),
          `${what} attributions`,
        );
        close(a.logits, e.logits, `${what} logits`);
        closeDeltas(
          [a.convergenceDelta],
          [e.convergenceDelta],
          [...e.probabilities, ...e.tokens.map((t) => t.attribution)],
          `${what} delta`,
        );
      }
    }
    expect(g.fallbackOp).toBeUndefined();
    const created = keys(g);
    // One gradient model per size pattern (B ≠ T, B = T, B = 1), shared by LIG and IG (both score the softmax of the predicted class), and the forward run.
    expect(g.sessionsCreated, created.join('\n')).toBeLessThanOrEqual(4);
    expect(g.sessionsCreated).toBe(created.length);
    for (const key of created) expect(key, 'every session is symbolic').toMatch(/^symbolic\|/);
    expect(new Set(created.map(patternOf))).toEqual(new Set(['d0,d1,d0,d1', 'd0,d0,d0,d0', '=1,d0,=1,d0']));
    expect(internals(g).staticOnly.size).toBe(0);
  });
});

describe('other tasks on symbolic sessions', () => {
  it("gpt2-tiny generation, prompts of 3, 6 and 11 tokens: LIG (8 steps) and IG (internalBatchSize 4, so B = T = 4 occurs), our runtime's numbers", async () => {
    const [ort, ref] = await Promise.all([
      TextGenerationExplainer.fromPretrained('gpt2-tiny', ORT),
      TextGenerationExplainer.fromPretrained('gpt2-tiny', GLASSBOX),
    ]);
    const g = ortGradients(ort.model);
    const prompts = ['The cat sat', 'Once upon a time there was', 'The weather today is cold and the wind blows hard from'];
    const lengths = [];
    for (const options of [
      { maxNewTokens: 2, steps: 8 },
      { maxNewTokens: 2, method: 'integrated-gradients', steps: 10, internalBatchSize: 4 } as const,
    ]) {
      for (const prompt of prompts) {
        const [a, e] = [await ort.explain(prompt, options), await ref.explain(prompt, options)];
        const what = `${JSON.stringify(options)} "${prompt}"`;
        lengths.push(e.promptTokens.length);
        expect(
          a.generated.map((t) => t.id),
          what,
        ).toEqual(e.generated.map((t) => t.id));
        close(a.matrix.flat(), e.matrix.flat(), `${what} matrix`);
        close(
          a.generated.map((t) => t.score),
          e.generated.map((t) => t.score),
          `${what} scores`,
        );
        closeDeltas(
          a.generated.map((t) => t.convergenceDelta),
          e.generated.map((t) => t.convergenceDelta),
          [...e.generated.map((t) => t.score), ...e.matrix.flat()],
          `${what} deltas`,
        );
      }
    }
    expect(new Set(lengths).size).toBe(3);
    expect(g.fallbackOp).toBeUndefined();
    const created = keys(g);
    expect(g.sessionsCreated, created.join('\n')).toBeLessThanOrEqual(4);
    expect(g.sessionsCreated).toBe(created.length);
    for (const key of created) expect(key).toMatch(/^symbolic\|/);
    // The batch axis of input_ids shared with T (B = T = 4) and not.
    expect(new Set(created.map((k) => patternOf(k)!.split(',').slice(0, 2).join(',')))).toEqual(new Set(['d0,d0', 'd0,d1']));
    await Promise.all([ort.dispose(), ref.dispose()]);
  });

  it("bert-ner-tiny, texts of 2 lengths: LIG defaults, our runtime's numbers", async () => {
    const [ort, ref] = await Promise.all([
      TokenClassificationExplainer.fromPretrained('bert-ner-tiny', ORT),
      TokenClassificationExplainer.fromPretrained('bert-ner-tiny', GLASSBOX),
    ]);
    const g = ortGradients(ort.model);
    for (const text of ['John lives in Paris', 'Angela Merkel met Barack Obama in Berlin last week']) {
      const [a, e] = [await ort.explain(text), await ref.explain(text)];
      expect(
        a.explained.map((x) => [x.index, x.target.index]),
        text,
      ).toEqual(e.explained.map((x) => [x.index, x.target.index]));
      expect(e.explained.length, text).toBeGreaterThan(2);
      a.explained.forEach((x, j) => {
        close(
          x.tokens.map((t) => t.attribution!),
          e.explained[j]!.tokens.map((t) => t.attribution!),
          `${text} token ${x.index}`,
        );
        closeDeltas(
          [x.convergenceDelta],
          [e.explained[j]!.convergenceDelta],
          [1, ...e.explained[j]!.tokens.map((t) => t.attribution)],
          `${text} token ${x.index} delta`,
        );
      });
      close(a.logits.flat(), e.logits.flat(), `${text} logits`);
    }
    expect(g.fallbackOp).toBeUndefined();
    const created = keys(g);
    expect(g.sessionsCreated, created.join('\n')).toBeLessThanOrEqual(4);
    expect(g.sessionsCreated).toBe(created.length);
    for (const key of created) expect(key).toMatch(/^symbolic\|/);
    await Promise.all([ort.dispose(), ref.dispose()]);
  });
});

it("model_fp16.onnx compiles one model per shape (no symbolic session) with our runtime's numbers", async () => {
  const [, tol] = VARIANTS.find(([dtype]) => dtype === 'fp16')!;
  const [ort, ref] = await Promise.all([
    SequenceClassificationExplainer.fromPretrained('distilbert-sst2-tiny', { ...ORT, dtype: 'fp16' }),
    SequenceClassificationExplainer.fromPretrained('distilbert-sst2-tiny', { ...GLASSBOX, dtype: 'fp16' }),
  ]);
  const g = ortGradients(ort.model);
  expect(ort.model.onnx.graph.otherFloats).toBe(true);
  for (const text of ['a good movie', 'the plot was dull and the acting was worse']) {
    const [a, e] = [await ort.explain(text), await ref.explain(text)];
    expectClose(
      a.tokens.map((t) => t.attribution!),
      e.tokens.map((t) => t.attribution!),
      tol,
      tol,
      `fp16 "${text}" attributions`,
    );
    expectClose(a.logits, e.logits, tol, 0, `fp16 "${text}" logits`);
  }
  expect(g.fallbackOp).toBeUndefined();
  const created = keys(g);
  expect(created.length).toBeGreaterThan(0);
  for (const key of created) expect(key).not.toMatch(/^symbolic\|/);
  await Promise.all([ort.dispose(), ref.dispose()]);
});

describe('hand-built graphs', () => {
  const int64 = (values: number[]) => tensor('int64', [values.length], values);
  const W = tensor('float32', [4, 2], [0.5, -1, 2, 0.25, -0.75, 1.5, 1, -2]);
  const X = { name: 'x', dtype: 'float32', shape: ['batch', 'seq', 4] } as const;
  const Y = { name: 'y', dtype: 'float32', shape: [null, 2] } as const;
  /** A model of `nodes` from x [batch, seq, 4] to y [?, 2] (opset 14). */
  const build = (nodes: EncodedNode[], initializers: Record<string, ReturnType<typeof tensor>>) =>
    OnnxModel.fromBytes(
      encodeModel({ nodes, initializers: new Map(Object.entries({ ...initializers, W })), inputs: [X], outputs: [Y], opset: 14 }),
    );
  /** x[:, 0:-1, :] → [-1, 4] → @ W: its reverse pass reshapes to [B, T − 1, 4], a size no product of B and T gives. */
  const sliced = () =>
    build(
      [
        { opType: 'Slice', inputs: ['x', 'starts', 'ends', 'axes'], outputs: ['s'] },
        { opType: 'Reshape', inputs: ['s', 'shape'], outputs: ['r'] },
        { opType: 'MatMul', inputs: ['r', 'W'], outputs: ['y'] },
      ],
      { starts: int64([0]), ends: int64([-1]), axes: int64([1]), shape: int64([-1, 4]) },
    );
  /** (x · x) → [-1, 4] → @ W: its reverse pass reshapes to [B, T, 4]. */
  const squared = () =>
    build(
      [
        { opType: 'Mul', inputs: ['x', 'x'], outputs: ['q'] },
        { opType: 'Reshape', inputs: ['q', 'shape'], outputs: ['r'] },
        { opType: 'MatMul', inputs: ['r', 'W'], outputs: ['y'] },
      ],
      { shape: int64([-1, 4]) },
    );
  const input = (b: number, t: number) =>
    tensor(
      'float32',
      [b, t, 4],
      Array.from({ length: b * t * 4 }, (_, i) => Math.sin(1 + 0.7 * i)),
    );
  /** Distinct weights per row, so that a gradient laid out at the wrong shape shows. */
  const request = (x: HostTensor) => ({
    feeds: { x },
    fetch: [],
    output: 'y',
    wrt: ['x'],
    seeds: (v: HostTensor) => [
      tensor(
        'float32',
        v.shape,
        Array.from({ length: v.data.length }, (_, i) => 1 + 0.1 * i),
      ),
    ],
  });
  const modelRequest: GradientModelRequest = { feeds: ['x'], overrides: [], fetch: [], output: 'y', wrt: ['x'], seeds: 1 };

  async function expectReference(g: OrtGradients, onnx: OnnxModel, x: HostTensor, what: string): Promise<void> {
    const [a, e] = [await g.runWithGradients(request(x)), await onnx.runWithGradients(request(x))];
    expect(a.grads[0]!.x!.shape, what).toEqual(x.shape);
    close(Array.from(a.values.y!.data), Array.from(e.values.y!.data), `${what} y`);
    close(Array.from(a.grads[0]!.x!.data), Array.from(e.grads[0]!.x!.data), `${what} dy/dx`);
  }

  /** compileSymbolic on the two recordings OrtGradients makes for these feeds. */
  function compileAsOrtGradients(g: OrtGradients, feeds: Record<string, HostTensor>) {
    const sizes = internals(g).symbolicSizes(feeds)!;
    expect(sizes.pattern).toBe('d0,d1');
    const plans = sizes.dims.map((dims) => internals(g).plan(internals(g).feedsAt(feeds, dims), {})) as [Plan, Plan];
    return compileSymbolic(g.graph, plans, sizes.dims, modelRequest);
  }

  it('a reverse pass that needs T − 1 falls back to one model per shape, with the right gradients', async () => {
    const onnx = await sliced();
    const g = new OrtGradients(onnx, loadOrt('node'), 'cpu');
    expect(compileAsOrtGradients(g, { x: input(2, 5) }), 'compileSymbolic: the recordings differ').toBeUndefined();
    for (const [b, t] of [
      [2, 5],
      [3, 6],
      [2, 5],
    ] as const) {
      await expectReference(g, onnx, input(b, t), `B=${b} T=${t}`);
    }
    expect(g.fallbackOp).toBeUndefined();
    // The gradient models (one seed: keys end '|1') are per shape, one per shape, the repeated shape reusing its
    // session; the forward-only model (no reverse pass, so both recordings agree) stays symbolic.
    const created = keys(g);
    const gradientModels = created.filter((k) => k.endsWith('|1'));
    expect(gradientModels, created.join('\n')).toHaveLength(2);
    for (const key of gradientModels) expect(key).not.toMatch(/^symbolic\|/);
    expect(created.filter((k) => k.startsWith('symbolic|'))).toEqual(['symbolic|d0,d1|x|||y|x|forward']);
    expect([...internals(g).staticOnly]).toEqual(['d0,d1|x|||y|x|1']);
    expect(g.sessionsCreated).toBe(3);
    await g.dispose();
  });

  it('B = T and B ≠ T take different symbolic models (the size pattern keeps them apart), each with the right gradients', async () => {
    const onnx = await squared();
    const g = new OrtGradients(onnx, loadOrt('node'), 'cpu');
    expect(compileAsOrtGradients(g, { x: input(3, 5) }), 'compileSymbolic writes one model').toBeDefined();
    for (const [b, t] of [
      [4, 4],
      [3, 5],
      [5, 5],
      [6, 2],
      [4, 4],
    ] as const) {
      await expectReference(g, onnx, input(b, t), `B=${b} T=${t}`);
    }
    expect(g.fallbackOp).toBeUndefined();
    const created = keys(g);
    for (const key of created) expect(key).toMatch(/^symbolic\|/);
    expect(new Set(created.map(patternOf))).toEqual(new Set(['d0,d0', 'd0,d1']));
    // Per pattern, a forward model and a seeded one.
    expect(g.sessionsCreated).toBe(4);
    expect(internals(g).staticOnly.size).toBe(0);
    await g.dispose();
  });
});
