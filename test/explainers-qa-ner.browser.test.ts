import { beforeAll, describe, it } from 'vitest';
import { QuestionAnsweringExplainer, TokenClassificationExplainer, env } from '@glassbox/core';
import type { Json } from './expectClose.ts';
import { expectNerTransformersInterpret, expectQaTransformersInterpret } from './explainers-qa-ner-checks.ts';

/**
 * The question-answering and token-classification explainers' transformers-interpret checks
 * again on the WebGPU backend in headless Chromium (SwiftShader here), at the same
 * tolerances: one input per model, both ONNX files. Fixture folders are served by the test
 * server at /test/fixtures/models/.
 */
const BASE = '/test/fixtures/models';
const refsOf = async (name: string): Promise<Json> => (await fetch(`${BASE}/${name}/refs.json`)).json();

beforeAll(() => {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
});

describe.each([undefined, 'model_opset17'])('on webgpu, file %s', (modelFileName) => {
  it('distilbert-squad-tiny: start and end attributions, embedding types 0 and 2', async () => {
    const qa = await QuestionAnsweringExplainer.fromPretrained(`${BASE}/distilbert-squad-tiny`, { modelFileName, device: 'webgpu' });
    await expectQaTransformersInterpret(qa, (await refsOf('distilbert-squad-tiny')).inputs[0]);
  });

  it('bert-ner-tiny: the explained token', async () => {
    const ner = await TokenClassificationExplainer.fromPretrained(`${BASE}/bert-ner-tiny`, { modelFileName, device: 'webgpu' });
    await expectNerTransformersInterpret(ner, (await refsOf('bert-ner-tiny')).inputs[0]);
  });
});
