import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ExplainOptions,
  type GlassboxError,
  type HostTensor,
  InvalidInputError,
  MultiLabelClassificationExplainer,
  PairwiseSequenceClassificationExplainer,
  SequenceClassificationExplainer,
  ZeroShotClassificationExplainer,
  tensor,
} from '@glassbox/core';
import { attentionFor } from '../packages/core/src/attention/attentionFor.ts';
import { layerIntegratedGradients } from '@glassbox/core/methods';
import { onnxSchema } from '@glassbox/core/runtime';
import { softmax } from '../packages/core/src/attribution/classification.ts';
import { TextRunner } from '../packages/core/src/attribution/textRunner.ts';
import type { Segments } from '../packages/core/src/model/textModel.ts';
import type { Scorer } from '../packages/core/src/model/scorer.ts';
import { multiLabel } from '../packages/cli/src/tasks/multiLabel.ts';
import { pairClassification } from '../packages/cli/src/tasks/pairClassification.ts';
import { zeroShot } from '../packages/cli/src/tasks/zeroShot.ts';
import { type Json, MODELS, expectClose, refsOf, useLocalFixtures } from './helpers.ts';

const NLI = 'bert-nli-tiny';
const SST2 = 'distilbert-sst2-tiny';
const nli = refsOf(NLI);
const zs = nli.transformers_interpret_zero_shot;
const sst2Text = refsOf(SST2).inputs[1].text as string;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const values = (xs: { attribution: number | null }[]) => xs.map((t) => t.attribution);
const sum = (xs: (number | null)[]) => xs.reduce<number>((a, v) => a + (v ?? 0), 0);
const norm = (xs: number[]) => Math.sqrt(xs.reduce((a, v) => a + v * v, 0));

/** A scorer built here, independently of the explainers: σ(logit c) and its cotangent. */
const sigmoidScorer = (c: number): Scorer => ({
  output: 'logits',
  score: (z: HostTensor) => {
    const n = z.shape[1]!;
    const rows = z.shape[0]!;
    const scores = new Float64Array(rows);
    const seed = new Float32Array(rows * n);
    for (let r = 0; r < rows; r++) {
      const p = sigmoid(z.data[r * n + c]!);
      scores[r] = p;
      seed[r * n + c] = p * (1 - p);
    }
    return { scores, seed: tensor('float32', z.shape, seed) };
  },
});

async function expectError(call: () => Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const err = await call().then(
    () => undefined,
    (e) => e,
  );
  expect(err).toBeInstanceOf(InvalidInputError);
  expect((err as GlassboxError).code).toBe(code);
  expect((err as Error).message).toMatch(message);
}

/**
 * A cross-encoder (one output logit) made from bert-nli-tiny by keeping the entailment row
 * of its classifier: its logit is the NLI model's entailment logit.
 */
function crossEncoderFolder(): string {
  const ModelProto = protobuf.Root.fromJSON(onnxSchema as unknown as protobuf.INamespace).lookupType('onnx.ModelProto');
  const model = ModelProto.toObject(ModelProto.decode(readFileSync(join(MODELS, NLI, 'onnx/model.onnx'))), { longs: Number }) as Json;
  const row = 2;
  for (const init of model.graph.initializer as Json[]) {
    if (init.name !== 'classifier.weight' && init.name !== 'classifier.bias') continue;
    const floats = new Float32Array(new Uint8Array(init.rawData).slice().buffer);
    const width = init.dims.length === 2 ? init.dims[1] : 1;
    init.rawData = new Uint8Array(floats.slice(row * width, (row + 1) * width).buffer);
    init.dims = init.dims.length === 2 ? [1, width] : [1];
  }
  model.graph.output[0].type.tensorType.shape.dim[1] = { dimValue: 1 };
  const dir = mkdtempSync(join(tmpdir(), 'glassbox-cross-encoder-'));
  mkdirSync(join(dir, 'onnx'));
  writeFileSync(join(dir, 'onnx/model.onnx'), ModelProto.encode(ModelProto.fromObject(model)).finish());
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(MODELS, NLI, f), join(dir, f));
  const config = JSON.parse(readFileSync(join(MODELS, NLI, 'config.json'), 'utf8'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, id2label: { 0: 'LABEL_0' }, label2id: { LABEL_0: 0 } }));
  return dir;
}

/**
 * transformers-interpret's pair explainer on one NLI input, both targets: word attributions
 * (abs 1e-4), the unnormalised sums (abs 1e-4 + 1e-3·max) and the convergence delta (1e-4).
 * (The same checks run on webgpu in explainers-classification.browser.test.ts.)
 */
async function expectPairwiseTransformersInterpret(explainer: PairwiseSequenceClassificationExplainer, inp: Json): Promise<void> {
  for (const ti of inp.transformers_interpret as Json[]) {
    const where = `${inp.id} class ${ti.index}`;
    const r = await explainer.explain(inp.premise, inp.hypothesis, { target: ti.index });
    expect(r.tokens.map((t) => t.id)).toEqual(ti.input_ids);
    expect(r.target.index).toBe(ti.index);
    expectClose(
      values(r.tokens),
      ti.word_attributions.map((w: [string, number]) => w[1]),
      1e-4,
      0,
      `${where} word attributions`,
    );
    expect(Math.abs(r.convergenceDelta! - ti.convergence_delta), `${where} delta`).toBeLessThan(1e-4);
    const raw = await explainer.explain(inp.premise, inp.hypothesis, { target: ti.index, normalize: 'none' });
    expectClose(values(raw.tokens), ti.attributions_sum_unnormalized, 1e-4, 1e-3, `${where} sums`);
  }
}

/** transformers-interpret's zero-shot explainer: predicted label, and per label the same three checks. */
async function expectZeroShotTransformersInterpret(explainer: ZeroShotClassificationExplainer, ref: Json): Promise<void> {
  const r = await explainer.explain(ref.text, ref.labels);
  const raw = await explainer.explain(ref.text, ref.labels, { normalize: 'none' });
  expect(r.predictedLabel).toBe(ref.predicted_label);
  expect(Object.keys(r.labels)).toEqual(ref.labels);
  for (const perLabel of ref.per_label as Json[]) {
    const { label } = perLabel;
    const words = ref.word_attributions[label] as [string, number][];
    expect(r.labels[label]!.hypothesis).toBe(ref.hypothesis_template.replace('{}', label));
    expect(r.labels[label]!.tokens.map((t) => t.token)).toEqual(words.map((w) => w[0]));
    expect(r.labels[label]!.tokens.map((t) => t.id)).toEqual(perLabel.input_ids.slice(0, words.length));
    expectClose(
      values(r.labels[label]!.tokens),
      words.map((w) => w[1]),
      1e-4,
      0,
      `zero-shot ${label} word attributions`,
    );
    expect(Math.abs(r.labels[label]!.convergenceDelta! - perLabel.convergence_delta), `zero-shot ${label} delta`).toBeLessThan(1e-4);
    expectClose(
      values(raw.labels[label]!.tokens),
      perLabel.attributions_sum_unnormalized.slice(0, words.length),
      1e-4,
      1e-3,
      `zero-shot ${label} sums`,
    );
  }
}

/** softmax(logits)[c] of a batch of one, built here like sigmoidScorer. */
const softmaxScorer = (c: number): Scorer => ({
  output: 'logits',
  score: (z: HostTensor) => {
    const n = z.shape[1]!;
    const p = softmax(z.data.subarray(0, n));
    return {
      scores: Float64Array.of(p[c]!),
      seed: tensor(
        'float32',
        z.shape,
        p.map((pj, j) => p[c]! * ((j === c ? 1 : 0) - pj)),
      ),
    };
  },
});

beforeAll(useLocalFixtures);

describe('PairwiseSequenceClassificationExplainer', () => {
  let pair: PairwiseSequenceClassificationExplainer;
  beforeAll(async () => {
    pair = await PairwiseSequenceClassificationExplainer.fromPretrained(NLI);
  });

  it.each(nli.inputs as Json[])('input $id: defaults reproduce transformers-interpret (word attributions, sums, delta)', (inp: Json) =>
    expectPairwiseTransformersInterpret(pair, inp),
  );

  it('tokens of the hypothesis are segment 1 and index into textPair; words are grouped per text', async () => {
    const inp = nli.inputs[0];
    const r = await pair.explain(inp.premise, inp.hypothesis, { method: 'saliency' });
    expect(r.tokens.map((t) => t.segment)).toEqual(inp.token_type_ids);
    for (const t of r.tokens.filter((t) => !t.special)) {
      expect((t.segment === 1 ? inp.hypothesis : inp.premise).slice(t.start!, t.end!).toLowerCase()).toBe(t.token);
    }
    expect(r.words.filter((w) => w.segment === 0).map((w) => w.word)).toEqual([
      'A',
      'man',
      'is',
      'playing',
      'a',
      'guitar',
      'on',
      'stage',
      '.',
    ]);
    expect(r.words.filter((w) => w.segment === 1).map((w) => w.word)).toEqual(['A', 'person', 'is', 'performing', 'music', '.']);
    expect(r.textPair).toBe(inp.hypothesis);
  });

  it('every other method runs on the pair with Captum conventions (same numbers as the single-text explainer given textPair)', async () => {
    const inp = nli.inputs[1];
    const seq = await SequenceClassificationExplainer.fromPretrained(NLI);
    for (const method of ['saliency', 'input-x-gradient', 'occlusion', 'smoothgrad'] as const) {
      const options: ExplainOptions = {
        method,
        output: 'logits',
        normalize: 'none',
        target: 1,
        ...(method === 'smoothgrad' && { noise: { seed: 4, samples: 3 } }),
      };
      const a = await pair.explain(inp.premise, inp.hypothesis, options);
      const b = await seq.explain(inp.premise, { ...options, textPair: inp.hypothesis });
      expectClose(values(a.tokens), values(b.tokens), 1e-9, 0, method);
    }
    const entry = inp.attributions.find((a: Json) => a.target.class_index === 1);
    const occ = await pair.explain(inp.premise, inp.hypothesis, { method: 'occlusion', output: 'logits', normalize: 'none', target: 1 });
    expectClose(values(occ.tokens), entry.occlusion_pad.logit_drop, 1e-4, 0, 'occlusion vs Captum');
  });

  describe('single-output model (cross-encoder)', () => {
    let cross: PairwiseSequenceClassificationExplainer;
    const inp = nli.inputs[0];
    const folder = crossEncoderFolder();
    beforeAll(async () => {
      cross = await PairwiseSequenceClassificationExplainer.fromPretrained(folder);
    });
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    it('its one logit is the entailment logit; the probability is its sigmoid', async () => {
      const r = await cross.explain(inp.premise, inp.hypothesis, { method: 'saliency' });
      expect(r.logits).toHaveLength(1);
      expect(Math.abs(r.logits[0]! - inp.logits_float32[2])).toBeLessThan(1e-5);
      expect(r.probabilities[0]).toBeCloseTo(sigmoid(r.logits[0]!), 12);
      expect(r.predicted).toEqual({ index: 0, label: 'LABEL_0', score: r.probabilities[0] });
    });

    it("its logit attributions equal the NLI model's entailment-logit attributions", async () => {
      const options = { output: 'logits', normalize: 'none', target: 0 } as const;
      const one = await cross.explain(inp.premise, inp.hypothesis, options);
      const three = await pair.explain(inp.premise, inp.hypothesis, { ...options, target: 2 });
      expectClose(values(one.tokens), values(three.tokens), 1e-6, 0, 'cross-encoder vs NLI entailment');
    });

    it('by default explains σ(logit) towards 1: Σ attributions − (σ(x) − σ(baseline)) is the delta; flipSign negates both', async () => {
      const up = await cross.explain(inp.premise, inp.hypothesis, { normalize: 'none' });
      const down = await cross.explain(inp.premise, inp.hypothesis, { normalize: 'none', flipSign: true });
      // transformers-interpret's baseline run: [CLS] [PAD]… [SEP] [PAD]… [SEP], zero token types and position ids.
      const baseline = inp.input_ids.map((id: number) => (id === 101 || id === 102 ? id : 0));
      const reference: Segments = { types: baseline.map(() => 0), position: () => 0 };
      const runner = new TextRunner(cross.model, inp.input_ids, { types: inp.token_type_ids, position: (i) => i });
      const [fx] = await runner.scoreIds([inp.input_ids], sigmoidScorer(0));
      const [fb] = await runner.scoreIds([baseline], sigmoidScorer(0), reference);
      expect(fx).toBeCloseTo(up.probabilities[0]!, 6);
      expect(Math.abs(sum(values(up.tokens)) - (fx! - fb!) - up.convergenceDelta!)).toBeLessThan(1e-6);
      // Captum's conventions (baseline run under the input's own segments) make the delta a pure integration error.
      const exact = await cross.explain(inp.premise, inp.hypothesis, { transformersInterpretQuirks: false, normalize: 'none', steps: 200 });
      expect(Math.abs(exact.convergenceDelta!)).toBeLessThan(1e-4);
      expectClose(
        values(down.tokens),
        values(up.tokens).map((v) => -v!),
        1e-9,
        0,
        'flipped',
      );
      expect(down.convergenceDelta).toBeCloseTo(-up.convergenceDelta!, 9);
      expect(down.flipSign).toBe(true);
      const normalised = await cross.explain(inp.premise, inp.hypothesis, { flipSign: true });
      const raw = values(down.tokens) as number[];
      expectClose(
        values(normalised.tokens),
        raw.map((v) => v / norm(raw)),
        1e-9,
        0,
        'normalised',
      );
    });

    it('flipSign on a model with several classes is an error', () =>
      expectError(
        () => pair.explain(inp.premise, inp.hypothesis, { flipSign: true }),
        'bad_flip_sign',
        /flipSign applies to single-output models; model "bert-nli-tiny" has 3 classes/,
      ));
  });

  it('bad input names what is wrong', async () => {
    const inp = nli.inputs[0];
    await expectError(() => pair.explain(inp.premise, '  '), 'empty_text', /textPair is empty/);
    await expectError(() => pair.explain('', inp.hypothesis), 'empty_text', /text is empty/);
    await expectError(
      () => pair.explain(inp.premise, 'good '.repeat(600)),
      'text_too_long',
      /text \+ textPair is 612 tokens long; model "bert-nli-tiny" accepts at most 512/,
    );
    await expectError(
      () => pair.explain(inp.premise, inp.hypothesis, { target: 'maybe' }),
      'unknown_target',
      /unknown target label "maybe".*2 \(entailment\)/,
    );
  });
});

describe('MultiLabelClassificationExplainer', () => {
  /** transformers-interpret's run of a single text: last [SEP] segment 1, positions 0..T−1 where the model takes them. */
  async function independentLabel(explainer: MultiLabelClassificationExplainer, ids: number[], label: number) {
    const model = explainer.model;
    const takes = model.config.model_type !== 'distilbert';
    const runner = new TextRunner(model, ids, {
      types: ids.map((_, i) => (i < ids.length - 1 ? 0 : 1)),
      position: takes ? (i) => i : undefined,
    });
    const specials = model.specialIds();
    const baseline = ids.map((id) => (specials.has(id) ? id : model.tokenId('pad')!));
    const words = { activation: (rowIds: readonly number[]) => runner.embed(rowIds) };
    const attribution = await layerIntegratedGradients(words, runner.overEmbeddings(sigmoidScorer(label)), ids, baseline, { steps: 50 });
    const hidden = attribution.shape[1]!;
    const perToken = ids.map((_, t) => attribution.values.slice(t * hidden, (t + 1) * hidden).reduce((a, v) => a + v, 0));
    const [fb] = await runner.scoreIds([baseline], sigmoidScorer(label), {
      types: ids.map(() => 0),
      position: takes ? () => 0 : undefined,
    });
    return { perToken, fx: attribution.inputScore!, fb: fb! };
  }

  describe.each([
    [SST2, sst2Text],
    [NLI, nli.inputs[2].premise as string],
  ])('%s', (name, text) => {
    let explainer: MultiLabelClassificationExplainer;
    beforeAll(async () => {
      explainer = await MultiLabelClassificationExplainer.fromPretrained(name);
    });

    it('every label: σ(logit) attributions equal an independent layer IG; Σ − (σ(x) − σ(b)) is the delta; normalised by default', async () => {
      const raw = await explainer.explain(text, { normalize: 'none' });
      const normalised = await explainer.explain(text);
      const labels = explainer.labels;
      expect(Object.keys(raw.labels)).toEqual(labels);
      expectClose(raw.probabilities, raw.logits.map(sigmoid), 1e-15, 0, 'σ(logits)');
      const top = raw.probabilities.indexOf(Math.max(...raw.probabilities));
      expect(raw.predicted).toEqual({ index: top, label: labels[top], score: raw.probabilities[top] });
      for (const [index, label] of labels.entries()) {
        const got = raw.labels[label]!;
        expect(got.index).toBe(index);
        expect(got.probability).toBe(raw.probabilities[index]);
        const ref = await independentLabel(
          explainer,
          got.tokens.map((t) => t.id),
          index,
        );
        // BERT reads transformers-interpret's final-[SEP]-as-segment-1 input differently from its own; DistilBERT has no segments.
        if (name === SST2) expect(ref.fx).toBeCloseTo(got.probability, 6);
        expectClose(values(got.tokens), ref.perToken, 1e-7, 1e-6, `${label} attributions`);
        expect(Math.abs(sum(values(got.tokens)) - (ref.fx - ref.fb) - got.convergenceDelta!), `${label} delta`).toBeLessThan(1e-6);
        const n = norm(values(got.tokens) as number[]);
        expectClose(
          values(normalised.labels[label]!.tokens),
          (values(got.tokens) as number[]).map((v) => v / n),
          1e-9,
          0,
          `${label} normalised`,
        );
        expect(normalised.labels[label]!.words.map((w) => w.word)).toEqual(got.words.map((w) => w.word));
      }
    });
  });

  describe('on distilbert-sst2-tiny', () => {
    let explainer: MultiLabelClassificationExplainer;
    beforeAll(async () => {
      explainer = await MultiLabelClassificationExplainer.fromPretrained(SST2);
    });

    it("output 'softmax' is transformers-interpret 0.10.0's per-label target: the sequence explainer's, class by class", async () => {
      const seq = await SequenceClassificationExplainer.fromPretrained(SST2);
      const r = await explainer.explain(sst2Text, { output: 'softmax' });
      for (const [index, label] of explainer.labels.entries()) {
        const s = await seq.explain(sst2Text, { target: index });
        expectClose(values(r.labels[label]!.tokens), values(s.tokens), 1e-9, 0, label);
        expect(r.labels[label]!.convergenceDelta).toBeCloseTo(s.convergenceDelta!, 9);
      }
      expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    });

    it('labels picks the labels explained (by name or index); logits output and other methods run per label', async () => {
      const r = await explainer.explain(sst2Text, { labels: ['POSITIVE'], method: 'occlusion', output: 'logits', normalize: 'none' });
      expect(Object.keys(r.labels)).toEqual(['POSITIVE']);
      expect(r.targets).toEqual([{ index: 1, label: 'POSITIVE' }]);
      const seq = await SequenceClassificationExplainer.fromPretrained(SST2);
      const s = await seq.explain(sst2Text, { target: 1, method: 'occlusion', output: 'logits', normalize: 'none' });
      expectClose(values(r.labels.POSITIVE!.tokens), values(s.tokens), 1e-9, 0, 'occlusion logits');
      const byIndex = await explainer.explain(sst2Text, { labels: [0], method: 'saliency' });
      expect(Object.keys(byIndex.labels)).toEqual(['NEGATIVE']);
    });

    it('unknown labels and outputs are errors naming the valid ones', async () => {
      await expectError(
        () => explainer.explain(sst2Text, { labels: ['POSITIVE', 'NEUTRAL'] }),
        'unknown_target',
        /unknown target label "NEUTRAL".*0 \(NEGATIVE\), 1 \(POSITIVE\)/,
      );
      await expectError(() => explainer.explain(sst2Text, { labels: [7] }), 'unknown_target', /target 7 is out of range/);
      await expectError(() => explainer.explain(sst2Text, { labels: [] }), 'unknown_target', /labels is empty/);
      await expectError(
        () => explainer.explain(sst2Text, { output: 'probit' as never }),
        'bad_output',
        /unknown output "probit"; use one of sigmoid, softmax, logits/,
      );
      await expectError(() => explainer.explain(' '), 'empty_text', /text is empty/);
    });
  });
});

describe('ZeroShotClassificationExplainer', () => {
  let explainer: ZeroShotClassificationExplainer;
  beforeAll(async () => {
    explainer = await ZeroShotClassificationExplainer.fromPretrained(NLI);
  });

  it("defaults reproduce transformers-interpret's zero-shot explainer: predicted label, word attributions, sums, deltas", () =>
    expectZeroShotTransformersInterpret(explainer, zs));

  it('includeHypothesis attributes every token, normalised over all of them', async () => {
    const r = await explainer.explain(zs.text, zs.labels, { includeHypothesis: true });
    for (const ref of zs.per_label as Json[]) {
      const got = r.labels[ref.label]!;
      expect(got.tokens.map((t) => t.id)).toEqual(ref.input_ids);
      const n = norm(ref.attributions_sum_unnormalized);
      expectClose(
        values(got.tokens),
        ref.attributions_sum_unnormalized.map((v: number) => v / n),
        1e-4,
        0,
        ref.label,
      );
      expect(
        got.tokens
          .filter((t) => t.segment === 1 && !t.special)
          .map((t) => t.token)
          .join(' '),
      ).toBe(got.hypothesis);
    }
  });

  it("the explained run is transformers-interpret's: the first [SEP] is segment 1, positions 0..T−1", async () => {
    const r = await explainer.explain(zs.text, zs.labels, { steps: 4 });
    const ref = zs.per_label.find((p: Json) => p.label === r.predictedLabel);
    // The explained forward pass (what attention maps are taken on) carries those token types.
    const forward = explainer.hypothesisInput(r.text, r.labels[r.predictedLabel]!.hypothesis, true).forward(sigmoidScorer(2));
    expect(Array.from(forward.feeds.token_type_ids.data, Number)).toEqual(ref.token_type_ids);
    expect(Array.from(forward.feeds.input_ids.data, Number)).toEqual(ref.input_ids);
    const out = await forward.onnx.run({ feeds: forward.feeds, overrides: forward.overrides, fetch: ['logits'] });
    // The result's logits come from the model's engine (onnxruntime by default): the same up to float32 rounding.
    expectClose(Array.from(out.logits.data as Float32Array), r.labels[r.predictedLabel]!.logits, 1e-5, 0, 'forward logits');
  });

  it("scores: a softmax of entailment logits over labels, or per label with multiLabel; Captum conventions use the tokenizer's pair", async () => {
    const single = await explainer.explain(zs.text, zs.labels, { method: 'saliency' });
    const entail = zs.labels.map((l: string) => single.labels[l]!.logits[2]!);
    const e = entail.map(Math.exp);
    zs.labels.forEach((l: string, i: number) =>
      expect(single.labels[l]!.score).toBeCloseTo(e[i] / e.reduce((a: number, b: number) => a + b, 0), 12),
    );
    const multi = await explainer.explain(zs.text, zs.labels, { method: 'saliency', multiLabel: true });
    for (const l of zs.labels as string[]) {
      const [c, en] = [multi.labels[l]!.logits[0]!, multi.labels[l]!.logits[2]!];
      expect(multi.labels[l]!.score).toBeCloseTo(Math.exp(en) / (Math.exp(c) + Math.exp(en)), 12);
    }
    expect(multi.predictedLabel).toBe(
      zs.labels[
        zs.labels.map((l: string) => multi.labels[l]!.score).indexOf(Math.max(...zs.labels.map((l: string) => multi.labels[l]!.score)))
      ],
    );

    // Without transformers-interpret's quirks: the tokenizer's pair, and the text part is [CLS] and every text token, up to the first [SEP].
    const pair = await PairwiseSequenceClassificationExplainer.fromPretrained(NLI);
    for (const method of ['integrated-gradients', 'saliency', 'input-x-gradient', 'occlusion', 'smoothgrad'] as const) {
      const options = {
        method,
        output: 'logits',
        normalize: 'none',
        ...(method === 'smoothgrad' && { noise: { seed: 7, samples: 3 } }),
      } as const;
      const captum = await explainer.explain(zs.text, ['phone'], { ...options, hypothesisTemplate: 'It is about {}.' });
      const viaPair = await pair.explain(zs.text, 'It is about phone.', { ...options, target: 2 });
      const got = captum.labels.phone!;
      expect(got.logits).toEqual(viaPair.logits);
      const sep = viaPair.tokens.findIndex((t) => t.id === 102);
      expect(got.tokens.map((t) => t.id)).toEqual(viaPair.tokens.slice(0, sep).map((t) => t.id));
      expectClose(values(got.tokens), values(viaPair.tokens).slice(0, sep), 1e-9, 0, `${method} text part`);
      expect(got.convergenceDelta).toBe(viaPair.convergenceDelta);
    }
  });

  it('bad input names what is wrong; a model without an entailment label is refused', async () => {
    await expectError(() => explainer.explain(zs.text, []), 'bad_labels', /labels is empty/);
    await expectError(() => explainer.explain(zs.text, ['a', ' ']), 'bad_labels', /label 1 is empty/);
    await expectError(() => explainer.explain(zs.text, ['a', 'a']), 'bad_labels', /label "a" is given twice/);
    await expectError(
      () => explainer.explain(zs.text, ['a'], { hypothesisTemplate: 'about it' }),
      'bad_template',
      /hypothesisTemplate must contain \{\} once/,
    );
    await expectError(() => explainer.explain('', ['a']), 'empty_text', /text is empty/);
    await expectError(() => explainer.explain(zs.text, ['a'], { method: 'lrp' as never }), 'bad_method', /unknown method "lrp"/);
    await expectError(
      () => ZeroShotClassificationExplainer.fromPretrained(SST2),
      'not_nli_model',
      /no entailment label \(label2id: NEGATIVE, POSITIVE\)/,
    );
  });
});

describe('attention option: attentionFor on the explained forward pass', () => {
  it('pair, zero-shot and multi-label explainers return the maps of their explained input', async () => {
    const pair = await PairwiseSequenceClassificationExplainer.fromPretrained(NLI);
    const inp = nli.inputs[0];
    const options = { method: 'saliency', attention: 'gradient-weighted' } as const;
    const p = await pair.explain(inp.premise, inp.hypothesis, options);
    // The same forward pass built here: the pair's ids, its token types, the predicted class's softmax.
    const runner = new TextRunner(pair.model, inp.input_ids, { types: inp.token_type_ids });
    const { feeds, overrides } = runner.inputs([inp.input_ids]);
    // The reference runs on our runtime; the explainer on its engine (onnxruntime by default): equal to float32 rounding.
    expectMapsClose(
      p.attentions,
      await attentionFor({ onnx: pair.model.onnx, feeds, overrides, scorer: softmaxScorer(p.predicted.index) }, 'gradient-weighted'),
    );

    const zero = await ZeroShotClassificationExplainer.fromPretrained(NLI);
    const z = await zero.explain(zs.text, zs.labels, options);
    const best = zero.hypothesisInput(z.text, z.labels[z.predictedLabel]!.hypothesis, false);
    expectMapsClose(
      z.attentions,
      await attentionFor({ ...best.forward(softmaxScorer(2)), forwardEngine: undefined, gradientEngine: undefined }, 'gradient-weighted'),
    );

    const multi = await MultiLabelClassificationExplainer.fromPretrained(SST2);
    const m = await multi.explain(sst2Text, options);
    const ids = m.labels[m.predicted.label]!.tokens.map((t) => t.id);
    const sst2Runner = new TextRunner(multi.model, ids);
    const sst2 = sst2Runner.inputs([ids]);
    expectMapsClose(
      m.attentions,
      await attentionFor({ onnx: multi.model.onnx, ...sst2, scorer: sigmoidScorer(m.predicted.index) }, 'gradient-weighted'),
    );
  });

  /** Attention maps equal to float32 rounding: 1e-5 of the largest value. */
  function expectMapsClose(actual: unknown, expected: unknown): void {
    const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
    const a = flat(actual);
    const e = flat(expected);
    expect(a.length).toBe(e.length);
    expect(a.length).toBeGreaterThan(0);
    expectClose(a, e, 1e-5 * Math.max(...e.map(Math.abs)), 0, 'gradient-weighted attention');
  }
});

describe('CLI tasks', () => {
  it('pair-classification: text + textPair → tokens, predicted, target, convergenceDelta, logits', async () => {
    const inp = nli.inputs[0];
    const ti = inp.transformers_interpret[0];
    const explainer = await pairClassification.load(join(MODELS, NLI), { device: 'cpu' });
    const r = (await pairClassification.explain(explainer, { text: inp.premise, textPair: inp.hypothesis }, { target: ti.index })) as Json;
    expect(Object.keys(r).sort()).toEqual(['convergenceDelta', 'logits', 'predicted', 'target', 'tokens']);
    expect(Object.keys(r.tokens[0]).sort()).toEqual(['attribution', 'id', 'token']);
    expectClose(
      r.tokens.map((t: Json) => t.attribution),
      ti.word_attributions.map((w: Json) => w[1]),
      1e-4,
      0,
      'TI',
    );
    await expectError(() => pairClassification.explain(explainer, { text: inp.premise }, {}), 'missing_input', /"textPair" is required/);
  });

  it('multi-label: text → per-label dict of tokens, probability and delta', async () => {
    const explainer = await multiLabel.load(join(MODELS, SST2), { device: 'cpu' });
    const r = (await multiLabel.explain(explainer, { text: sst2Text }, { method: 'saliency' })) as Json;
    expect(Object.keys(r).sort()).toEqual(['labels', 'logits', 'predicted', 'probabilities']);
    expect(Object.keys(r.labels)).toEqual(['NEGATIVE', 'POSITIVE']);
    expect(Object.keys(r.labels.POSITIVE).sort()).toEqual(['convergenceDelta', 'index', 'probability', 'tokens']);
    expect(r.labels.POSITIVE.probability).toBeCloseTo(sigmoid(r.logits[1]), 12);
    const one = (await multiLabel.explain(explainer, { text: sst2Text }, { method: 'saliency', target: 'NEGATIVE' })) as Json;
    expect(Object.keys(one.labels)).toEqual(['NEGATIVE']);
    expect(one.labels.NEGATIVE).toEqual(r.labels.NEGATIVE);
  });

  it('zero-shot: labels as a comma-separated string or an array; hypothesisTemplate and includeHypothesis fields', async () => {
    const explainer = await zeroShot.load(join(MODELS, NLI), { device: 'cpu' });
    const r = (await zeroShot.explain(explainer, { text: zs.text, labels: zs.labels.join(', ') }, {})) as Json;
    expect(Object.keys(r).sort()).toEqual(['labels', 'predicted', 'predictedLabel', 'target']);
    expect(r.predictedLabel).toBe(zs.predicted_label);
    for (const l of zs.labels as string[]) {
      expectClose(
        r.labels[l].tokens.map((t: Json) => t.attribution),
        zs.word_attributions[l].map((w: Json) => w[1]),
        1e-4,
        0,
        l,
      );
    }
    const withHypothesis = (await zeroShot.explain(
      explainer,
      { text: zs.text, labels: ['phone'], hypothesisTemplate: 'about {}', includeHypothesis: 'true' },
      { method: 'saliency' },
    )) as Json;
    expect(withHypothesis.labels.phone.hypothesis).toBe('about phone');
    expect(withHypothesis.labels.phone.tokens.at(-1).token).toBe('[SEP]');
    await expectError(() => zeroShot.explain(explainer, { text: zs.text }, {}), 'bad_labels', /"labels" is required/);
    await expectError(
      () => zeroShot.explain(explainer, { text: zs.text, labels: 'a' }, { target: 2 }),
      'unused_option',
      /option "target" is not read by task "zero-shot"/,
    );
    await expectError(
      () => zeroShot.explain(explainer, { text: zs.text, labels: 'a', includeHypothesis: 'maybe' }, {}),
      'bad_option',
      /"includeHypothesis" must be true or false/,
    );
  });
});
