import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type ExplainOptions,
  ImageClassificationExplainer,
  InvalidInputError,
  type LoadOptions,
  QuestionAnsweringExplainer,
  SequenceClassificationExplainer,
  TextGenerationExplainer,
  TextModel,
  TokenClassificationExplainer,
} from '@glassbox/core';
import type { ForwardEngine, GradientEngine, OnnxModel } from '@glassbox/core/runtime';
import { OrtForward } from '../packages/core/src/model/ortForward.ts';
import { OrtGradients } from '../packages/core/src/model/ortGradients.ts';
import type { OrtRuntime } from '../packages/core/src/model/ortRuntime.ts';
import { glassbox } from './cliRunner.ts';
import { expectAllMethods, expectGreedy } from './explainers-generation-checks.ts';
import { expectDefaults, expectImagePeerNumbers } from './explainers-image-checks.ts';
import {
  expectNerCaptum,
  expectNerTransformersInterpret,
  expectQaCaptum,
  expectQaTransformersInterpret,
} from './explainers-qa-ner-checks.ts';
import { type Json, MODELS, expectClose, readJson, refsOf, useLocalFixtures } from './helpers.ts';
import { expectCaptumMethods, expectTransformersInterpret } from './peerChecks.ts';
import { VARIANTS, expectVariantLogits, expectVariantTracksFloat } from './variant-checks.ts';

/**
 * The peer numbers (Captum, transformers-interpret) of every fixture family on each engine
 * besides the default ('auto', which on the cpu device is onnxruntime-node in Node and is
 * what the other Node peer tests run on): our own runtime ('glassbox', the reference
 * runtime), and onnxruntime running the compiled forward + reverse pass
 * (compile/gradientModel.ts) on onnxruntime-web's wasm and on onnxruntime-node. Each
 * family runs a representative subset of the full checks (one input, every method family;
 * the full sets run on the default engine in attributions.test.ts and explainers-*.test.ts):
 *
 * - distilbert-sst2-tiny 'short': every Captum method (IG with the 4 baseline × scheme
 *   pairs, saliency l2 and sum, input × gradient, occlusion pad/mask), both targets, and
 *   transformers-interpret's LIG defaults; model_opset17.onnx: the LIG defaults;
 *   model_quantized.onnx / model_fp16.onnx: logits vs their refs files, IG tracks the float model;
 *   SmoothGrad (noise-free = Captum's saliency; noisy = our runtime's) and the
 *   gradient-weighted attention option (raw maps = the peer's; gradient-weighted = our runtime's).
 * - bert-nli-tiny 'entail' and roberta-sst-tiny 'short': every Captum method and the LIG defaults.
 * - distilbert-squad-tiny 'short' (QA): Captum start/end targets and transformers-interpret (embedding types 0, 2).
 * - bert-ner-tiny 'short' (NER): Captum per-token targets and transformers-interpret.
 * - vit-fashion-tiny 'chelsea': image IG (both schemes), saliency, input × gradient, patch
 *   occlusion, both targets, transformers-interpret's defaults; image SmoothGrad (IGNT) = our runtime's.
 * - gpt2-tiny 'short': greedy continuation and every method of its top-1 next token.
 *
 * On onnxruntime no fixture may fall back to our runtime: `fallbackOp` stays undefined, the
 * model created compiled sessions, and its OnnxModel ran no gradient pass (the
 * gradient-weighted attention maps excepted: attentionFor takes its gradients on our runtime).
 */

const CONFIGS = [
  ['glassbox', { engine: 'glassbox' }],
  ['onnxruntime web', { engine: 'onnxruntime', onnxruntime: 'web' }],
  ['onnxruntime node', { engine: 'onnxruntime', onnxruntime: 'node' }],
] as const satisfies readonly (readonly [string, LoadOptions])[];

const SST2 = 'distilbert-sst2-tiny';
const first = (name: string, id?: string): Json => {
  const inputs = refsOf(name).inputs as Json[];
  return id === undefined ? inputs[0] : inputs.find((i) => i.id === id);
};
const captum = { output: 'logits', normalize: 'none' } as const;
const NOISE = { samples: 4, stdev: 0.05, seed: 11 };

interface Engines {
  onnx: OnnxModel;
  forward: ForwardEngine;
  gradients: GradientEngine;
  dispose(): Promise<void>;
}

/** Explainers loaded on our runtime, once each, for the numbers that have no peer reference (noisy SmoothGrad, gradient-weighted attention). */
const reference = new Map<string, Promise<unknown>>();
const onGlassbox = <T>(key: string, load: () => Promise<T>): Promise<T> => {
  if (!reference.has(key)) reference.set(key, load());
  return reference.get(key) as Promise<T>;
};

beforeAll(useLocalFixtures);
afterAll(async () => {
  for (const e of reference.values()) await ((await e) as { model: Engines }).model.dispose();
});

describe.each(CONFIGS)('engine %s', (config, options) => {
  const onOrt = options.engine === 'onnxruntime';
  /** Per fixture, the op that made it fall back (undefined: none) and the sessions it created. */
  const summary: Record<string, { fallbackOp: string | undefined; sessions: number; glassboxGradientPasses: number }> = {};
  let warn: ReturnType<typeof vi.spyOn>;
  const ourPasses = new Map<Engines, ReturnType<typeof vi.spyOn>>();

  beforeEach(() => {
    warn = vi.spyOn(console, 'warn');
  });
  afterEach(() => {
    vi.restoreAllMocks();
    ourPasses.clear();
  });

  /** Load through `load` with this configuration, counting the gradient passes our runtime runs. */
  async function loaded<T extends { model: Engines }>(load: (o: LoadOptions) => Promise<T>, extra: LoadOptions = {}): Promise<T> {
    const explainer = await load({ ...options, ...extra });
    ourPasses.set(explainer.model, vi.spyOn(explainer.model.onnx, 'runWithGradients'));
    return explainer;
  }

  /** The engines the configuration asked for ran: on onnxruntime, every gradient pass compiled (no fallback); on glassbox, ours. */
  async function expectEngine(fixture: string, model: Engines): Promise<void> {
    const ours = ourPasses.get(model)!.mock.calls.length;
    if (!onOrt) {
      expect(model.gradients, fixture).toBe(model.onnx);
      expect(model.forward, fixture).toBe(model.onnx);
      expect(ours, `${fixture}: gradient passes on our runtime`).toBeGreaterThan(0);
      summary[fixture] = { fallbackOp: undefined, sessions: 0, glassboxGradientPasses: ours };
      return;
    }
    expect(model.gradients, fixture).toBeInstanceOf(OrtGradients);
    expect(model.forward, fixture).toBeInstanceOf(OrtForward);
    const g = model.gradients as OrtGradients;
    const { flavour } = await (g as unknown as { runtime: Promise<OrtRuntime> }).runtime;
    expect(flavour, `${fixture}: onnxruntime build`).toBe(options.onnxruntime);
    summary[fixture] = { fallbackOp: g.fallbackOp, sessions: g.sessionsCreated, glassboxGradientPasses: ours };
    expect(g.fallbackOp, `${fixture} fell back to our runtime`).toBeUndefined();
    expect(g.sessionsCreated, `${fixture}: compiled gradient sessions`).toBeGreaterThan(0);
    // Neither an op fallback nor a non-finite rerun: no gradient pass reached our runtime.
    expect(ours, `${fixture}: gradient passes on our runtime`).toBe(0);
    expect(
      (warn.mock.calls as unknown[][]).map((c) => String(c[0])).filter((m) => m.startsWith('Glassbox:')),
      fixture,
    ).toEqual([]);
  }

  describe(SST2, () => {
    it("model.onnx 'short': every Captum method, both targets; transformers-interpret's LIG defaults", async () => {
      const explainer = await loaded((o) => SequenceClassificationExplainer.fromPretrained(SST2, o));
      await expectCaptumMethods(explainer, SST2, first(SST2));
      await expectTransformersInterpret(explainer, SST2, first(SST2));
      await expectEngine(SST2, explainer.model);
      await explainer.model.dispose();
    });

    it("model_opset17.onnx 'wordpieces': transformers-interpret's LIG defaults", async () => {
      const explainer = await loaded((o) => SequenceClassificationExplainer.fromPretrained(SST2, o), { modelFileName: 'model_opset17' });
      await expectTransformersInterpret(explainer, SST2, first(SST2, 'wordpieces'));
      await expectEngine(`${SST2} opset17`, explainer.model);
      await explainer.model.dispose();
    });

    it.each(VARIANTS)(
      '%s: logits as its refs give them; IG-pad attributions track the float model',
      async (dtype, tol, refsFile, logitsTol) => {
        const explainer = await loaded((o) => SequenceClassificationExplainer.fromPretrained(SST2, o), { dtype });
        await expectVariantLogits(explainer, readJson(join(MODELS, SST2, 'onnx', refsFile)), logitsTol);
        await expectVariantTracksFloat(explainer, dtype, tol, (refsOf(SST2).inputs as Json[]).slice(0, 2));
        await expectEngine(`${SST2} ${dtype}`, explainer.model);
        await explainer.model.dispose();
      },
    );

    it("SmoothGrad: noise-free it is Captum's saliency; with noise, our runtime's numbers", async () => {
      const explainer = await loaded((o) => SequenceClassificationExplainer.fromPretrained(SST2, o));
      const inp = first(SST2, 'wordpieces');
      for (const entry of inp.attributions as Json[]) {
        const target = entry.target.class_index as number;
        const noiseFree = await explainer.explain(inp.text, {
          ...captum,
          target,
          method: 'smoothgrad',
          aggregate: 'sum',
          noise: { samples: 2, stdev: 0, seed: 1 },
        });
        expectClose(
          noiseFree.tokens.map((t) => t.attribution),
          entry.saliency.sum,
          1e-5,
          0,
          `smoothgrad stdev 0 target ${target}`,
        );
      }
      const noisy: ExplainOptions = { ...captum, target: 0, aggregate: 'l2', noise: NOISE, transformersInterpretQuirks: false };
      const ref = await onGlassbox('sst2', () => SequenceClassificationExplainer.fromPretrained(SST2, { engine: 'glassbox' }));
      for (const method of ['smoothgrad', 'smoothgrad-sq', 'vargrad'] as const) {
        const [ours, theirs] = [await explainer.explain(inp.text, { ...noisy, method }), await ref.explain(inp.text, { ...noisy, method })];
        const expected = theirs.tokens.map((t) => t.attribution);
        expectClose(
          ours.tokens.map((t) => t.attribution),
          expected,
          1e-4,
          1e-3,
          method,
        );
      }
      await expectEngine(`${SST2} smoothgrad`, explainer.model);
      await explainer.model.dispose();
    });

    it("attention option: raw maps are the peer's; gradient-weighted are our runtime's; attributions unchanged", async () => {
      const explainer = await loaded((o) => SequenceClassificationExplainer.fromPretrained(SST2, o));
      const inp = first(SST2);
      const entry = inp.attributions[0];
      const options = { ...captum, aggregate: 'sum', target: entry.target.class_index, method: 'saliency' } as const;
      const raw = await explainer.explain(inp.text, { ...options, attention: 'raw' });
      expectClose((raw.attentions as number[][][][])[0]!.flat(2), inp.attentions.layer_0.flat(2), 1e-5, 0, 'raw layer 0');
      await expectEngine(`${SST2} attention`, explainer.model);
      const weighted = await explainer.explain(inp.text, { ...options, attention: 'gradient-weighted' });
      expectClose(
        weighted.tokens.map((t) => t.attribution),
        entry.saliency.sum,
        1e-5,
        0,
        'saliency with attention',
      );
      const ref = await onGlassbox('sst2', () => SequenceClassificationExplainer.fromPretrained(SST2, { engine: 'glassbox' }));
      const expected = (await ref.explain(inp.text, { ...options, attention: 'gradient-weighted' })).attentions as number[][];
      expect(expected.length).toBe(inp.input_ids.length);
      expectClose((weighted.attentions as number[][]).flat(), expected.flat(), 1e-5, 1e-4, 'gradient-weighted');
      await explainer.model.dispose();
    });
  });

  it.each([
    ['bert-nli-tiny', 'entail'],
    ['roberta-sst-tiny', 'short'],
  ])("%s '%s': every Captum method, both targets; transformers-interpret's LIG defaults", async (name, id) => {
    const explainer = await loaded((o) => SequenceClassificationExplainer.fromPretrained(name, o));
    await expectCaptumMethods(explainer, name, first(name, id));
    await expectTransformersInterpret(explainer, name, first(name, id));
    await expectEngine(name, explainer.model);
    await explainer.model.dispose();
  });

  it("distilbert-squad-tiny 'short' (QA): Captum start and end targets; transformers-interpret, embedding types 0 and 2", async () => {
    const qa = await loaded((o) => QuestionAnsweringExplainer.fromPretrained('distilbert-squad-tiny', o));
    await expectQaCaptum(qa, first('distilbert-squad-tiny'));
    await expectQaTransformersInterpret(qa, first('distilbert-squad-tiny'));
    await expectEngine('distilbert-squad-tiny', qa.model);
    await qa.model.dispose();
  });

  it("bert-ner-tiny 'short' (NER): Captum per-token targets; transformers-interpret", async () => {
    const ner = await loaded((o) => TokenClassificationExplainer.fromPretrained('bert-ner-tiny', o));
    await expectNerCaptum(ner, first('bert-ner-tiny'));
    await expectNerTransformersInterpret(ner, first('bert-ner-tiny'));
    await expectEngine('bert-ner-tiny', ner.model);
    await ner.model.dispose();
  });

  it("vit-fashion-tiny 'chelsea': image IG, saliency, input × gradient, occlusion, both targets; defaults; SmoothGrad = our runtime's", async () => {
    const explainer = await loaded((o) => ImageClassificationExplainer.fromPretrained('vit-fashion-tiny', o));
    const inp = first('vit-fashion-tiny', 'chelsea');
    await expectImagePeerNumbers(explainer, inp);
    await expectDefaults(explainer, inp);
    const tunnel = { method: 'smoothgrad', target: 9, steps: 5, noise: { samples: 2, stdev: 0.05, seed: 11 } } as const;
    const ref = await onGlassbox('vit', () => ImageClassificationExplainer.fromPretrained('vit-fashion-tiny', { engine: 'glassbox' }));
    const [ours, theirs] = [
      await explainer.explain({ pixelValues: inp.pixel_values }, tunnel),
      await ref.explain({ pixelValues: inp.pixel_values }, tunnel),
    ];
    expectClose(ours.attribution.values, theirs.attribution.values, 1e-6, 1e-3, 'image smoothgrad');
    await expectEngine('vit-fashion-tiny', explainer.model);
    await explainer.model.dispose();
  });

  it("gpt2-tiny 'short': greedy continuation; every method for its top-1 next token", async () => {
    const explainer = await loaded((o) => TextGenerationExplainer.fromPretrained('gpt2-tiny', o));
    const inp = first('gpt2-tiny');
    await expectGreedy(explainer, inp);
    await expectAllMethods(explainer, inp, inp.attributions[0]);
    await expectEngine('gpt2-tiny', explainer.model);
    await explainer.model.dispose();
  });

  it('every fixture ran on the engine asked for: on onnxruntime none fell back to our runtime', () => {
    console.log(`engine ${config}: ${JSON.stringify(summary)}`);
    const fixtures = [
      SST2,
      `${SST2} opset17`,
      `${SST2} q8`,
      `${SST2} fp16`,
      `${SST2} smoothgrad`,
      `${SST2} attention`,
      'bert-nli-tiny',
      'roberta-sst-tiny',
      'distilbert-squad-tiny',
      'bert-ner-tiny',
      'vit-fashion-tiny',
      'gpt2-tiny',
    ];
    expect(Object.keys(summary).sort()).toEqual(fixtures.sort());
    for (const [fixture, s] of Object.entries(summary)) {
      expect(s.fallbackOp, fixture).toBeUndefined();
      if (onOrt) expect([s.sessions > 0, s.glassboxGradientPasses], fixture).toEqual([true, 0]);
    }
  });
});

describe('load options', () => {
  it('an unknown engine or onnxruntime build is an error naming the valid values', async () => {
    await expect(TextModel.load(SST2, { engine: 'x' as never })).rejects.toThrow(
      new InvalidInputError('unknown engine "x"; use auto, glassbox, onnxruntime', 'bad_engine'),
    );
    await expect(TextModel.load(SST2, { engine: 'onnxruntime', onnxruntime: 'x' as never })).rejects.toThrow(
      'unknown onnxruntime build "x"; use auto, node, web',
    );
  });

  it('the old option forward is an error saying it is now engine', async () => {
    const err = await TextModel.load(SST2, { forward: 'glassbox' } as never).then(
      () => expect.unreachable('loaded'),
      (e) => e,
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(/"forward" is now "engine"/);
  });

  it('auto on the cpu device is onnxruntime, onnxruntime-node in Node', async () => {
    const model = await TextModel.load(SST2);
    expect(model.gradients).toBeInstanceOf(OrtGradients);
    expect((await (model.gradients as unknown as { runtime: Promise<OrtRuntime> }).runtime).flavour).toBe('node');
    await model.dispose();
  });
});

describe('CLI --engine and --onnxruntime', () => {
  const SST2_DIR = join(MODELS, SST2);
  const inp = first(SST2);
  const entry = inp.attributions[0];
  const target = entry.target.class_index as number;
  const lines = (s: string) =>
    s
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
  /** transformers-interpret's defaults, then Captum IG (zero baseline, trapezoid), saliency l2 and input × gradient. */
  const cases = [
    { text: inp.text },
    {
      text: inp.text,
      target,
      ...captum,
      aggregate: 'sum',
      method: 'integrated-gradients',
      baseline: 'zero',
      integration: 'riemann_trapezoid',
    },
    { text: inp.text, target, ...captum, aggregate: 'l2', method: 'saliency' },
    { text: inp.text, target, ...captum, aggregate: 'sum', method: 'input-x-gradient' },
  ];
  let file: string;
  let byDefault: Json[];
  beforeAll(async () => {
    file = join(mkdtempSync(join(tmpdir(), 'glassbox-engines-')), 'cases.jsonl');
    writeFileSync(file, `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);
    const { code, stdout, stderr } = await glassbox(['--model', SST2_DIR, '--inputs', file]);
    expect(code, stderr).toBe(0);
    byDefault = lines(stdout);
  });

  it('the default reproduces the peers', () => {
    expect(byDefault).toHaveLength(cases.length);
    const ti = inp.transformers_interpret.find((t: Json) => t.index === inp.predicted_index);
    expectClose(
      byDefault[0].tokens.map((t: Json) => t.attribution),
      ti.word_attributions.map((w: Json) => w[1]),
      1e-4,
      0,
      'TI',
    );
    expectClose(
      byDefault[1].tokens.map((t: Json) => t.attribution),
      entry.ig_zero_riemann_trapezoid.per_token_sum,
      1e-4,
      1e-3,
      'IG',
    );
    expectClose(
      byDefault[2].tokens.map((t: Json) => t.attribution),
      entry.saliency.l2,
      1e-4,
      1e-3,
      'saliency l2',
    );
    expectClose(
      byDefault[3].tokens.map((t: Json) => t.attribution),
      entry.input_x_gradient.per_token_sum,
      1e-4,
      1e-3,
      'input x gradient',
    );
  });

  it.each([
    ['--engine glassbox', ['--engine', 'glassbox']],
    ['--engine onnxruntime --onnxruntime web', ['--engine', 'onnxruntime', '--onnxruntime', 'web']],
  ])("%s gives the default's numbers", async (_, flags) => {
    const { code, stdout, stderr } = await glassbox(['--model', SST2_DIR, '--inputs', file, ...flags]);
    expect(code, stderr).toBe(0);
    expect(stderr).not.toMatch(/Glassbox: op/);
    const out = lines(stdout);
    expect(out).toHaveLength(cases.length);
    out.forEach((r, i) => {
      const d = byDefault[i];
      expect(
        r.tokens.map((t: Json) => t.id),
        `line ${i + 1}`,
      ).toEqual(d.tokens.map((t: Json) => t.id));
      expect([r.predicted.index, r.target.index], `line ${i + 1}`).toEqual([d.predicted.index, d.target.index]);
      expectClose(
        r.tokens.map((t: Json) => t.attribution),
        d.tokens.map((t: Json) => t.attribution),
        1e-4,
        1e-3,
        `line ${i + 1} attributions`,
      );
      expectClose(r.logits, d.logits, 1e-4, 0, `line ${i + 1} logits`);
      if (d.convergenceDelta !== null) expect(Math.abs(r.convergenceDelta - d.convergenceDelta), `line ${i + 1} delta`).toBeLessThan(1e-4);
    });
  });

  it('--engine x is an error naming the valid values', async () => {
    const { code, stdout } = await glassbox(['--model', SST2_DIR, '--text', inp.text, '--engine', 'x']);
    expect(code).toBe(1);
    expect(lines(stdout)[0].error).toMatch(/unknown engine "x"; use auto, glassbox, onnxruntime/);
  });
});
