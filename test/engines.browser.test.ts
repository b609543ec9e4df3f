import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ImageClassificationExplainer,
  QuestionAnsweringExplainer,
  SequenceClassificationExplainer,
  TextGenerationExplainer,
  TokenClassificationExplainer,
  env,
} from '@glassbox/core';
import { OrtGradients } from '../packages/core/src/model/ortGradients.ts';
import type { Json } from './expectClose.ts';
import { expectGreedy, expectIg } from './explainers-generation-checks.ts';
import { expectImagePeerNumbers } from './explainers-image-checks.ts';
import { expectNerTransformersInterpret, expectQaTransformersInterpret } from './explainers-qa-ner-checks.ts';
import { expectCaptumMethods, expectTransformersInterpret } from './peerChecks.ts';

/**
 * The peer numbers again with engine 'onnxruntime' in Chromium: every gradient pass is the
 * compiled forward + reverse ONNX model (compile/gradientModel.ts) run by onnxruntime-web,
 * on its wasm provider (cpu device) and on its webgpu provider (webgpu device, SwiftShader
 * here), at the same tolerances as our runtime. No model may fall back to our runtime
 * (`fallbackOp`), and each must have created its sessions. Fixtures are served by the test
 * server at /test/fixtures/.
 */
const BASE = '/test/fixtures/models';
const CONFIGS = [
  { device: 'cpu', engine: 'onnxruntime' },
  { device: 'webgpu', engine: 'onnxruntime' },
] as const;

type Warn = { mock: { calls: unknown[][] } };

const refsOf = async (name: string): Promise<Json> => (await fetch(`${BASE}/${name}/refs.json`)).json();

/** The model ran its gradient passes on onnxruntime: compiled sessions, no fallback, no warning. */
function expectOnnxruntime(gradients: unknown, warn: Warn): void {
  expect(gradients).toBeInstanceOf(OrtGradients);
  const g = gradients as OrtGradients;
  expect(g.fallbackOp).toBeUndefined();
  expect(g.sessionsCreated).toBeGreaterThan(0);
  expect(warn.mock.calls.filter(([m]) => /onnxruntime|Glassbox/.test(String(m)))).toEqual([]);
}

beforeAll(() => {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
});

describe.each(CONFIGS)('device $device, engine $engine', (options) => {
  let warn: Warn & { mockRestore(): void };
  beforeEach(() => {
    warn = vi.spyOn(console, 'warn');
  });
  afterEach(() => {
    warn.mockRestore();
  });

  it.each(['distilbert-sst2-tiny', 'bert-nli-tiny'])("%s: every Captum method and transformers-interpret's defaults", async (name) => {
    const refs = await refsOf(name);
    const explainer = await SequenceClassificationExplainer.fromPretrained(`${BASE}/${name}`, options);
    const inp = (refs.inputs as Json[])[0]!;
    await expectCaptumMethods(explainer, name, inp);
    await expectTransformersInterpret(explainer, name, inp);
    expectOnnxruntime(explainer.model.gradients, warn);
    await explainer.model.dispose();
  });

  it('distilbert-squad-tiny: start and end attributions, embedding types 0 and 2', async () => {
    const qa = await QuestionAnsweringExplainer.fromPretrained(`${BASE}/distilbert-squad-tiny`, options);
    await expectQaTransformersInterpret(qa, (await refsOf('distilbert-squad-tiny')).inputs[0]);
    expectOnnxruntime(qa.model.gradients, warn);
    await qa.model.dispose();
  });

  it('bert-ner-tiny: the explained token', async () => {
    const ner = await TokenClassificationExplainer.fromPretrained(`${BASE}/bert-ner-tiny`, options);
    await expectNerTransformersInterpret(ner, (await refsOf('bert-ner-tiny')).inputs[0]);
    expectOnnxruntime(ner.model.gradients, warn);
    await ner.model.dispose();
  });

  // Three IG runs, not four: on SwiftShader onnxruntime-web's webgpu MatMul takes ~30 s per run on the LM head ([50·6, 8] × [8, 50257] and back).
  it('gpt2-tiny: greedy continuation; IG on zero and <|endoftext|> baselines for the top-1 token, zero for the top-2', async () => {
    const inp = ((await refsOf('gpt2-tiny')).inputs as Json[]).find((i) => i.id === 'short');
    const explainer = await TextGenerationExplainer.fromPretrained(`${BASE}/gpt2-tiny`, options);
    await expectGreedy(explainer, inp);
    const [top1, top2] = inp.attributions as Json[];
    await expectIg(explainer, inp, top1, 'ig_zero_gausslegendre');
    await expectIg(explainer, inp, top1, 'ig_pad_gausslegendre');
    await expectIg(explainer, inp, top2, 'ig_zero_gausslegendre');
    expectOnnxruntime(explainer.model.gradients, warn);
    await explainer.model.dispose();
  });

  it('vit-fashion-tiny chelsea: IG and saliency equal Captum for both targets', async () => {
    const inp = ((await refsOf('vit-fashion-tiny')).inputs as Json[]).find((i) => i.id === 'chelsea');
    const explainer = await ImageClassificationExplainer.fromPretrained(`${BASE}/vit-fashion-tiny`, options);
    const worst = await expectImagePeerNumbers(explainer, inp, ['ig_zero_gausslegendre', 'saliency']);
    console.log(`${options.device} onnxruntime chelsea max |Δ| vs refs: ${JSON.stringify(worst)}`);
    expectOnnxruntime(explainer.model.gradients, warn);
    await explainer.model.dispose();
  });
});
