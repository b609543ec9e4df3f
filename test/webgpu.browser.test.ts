import { beforeAll, describe, it } from 'vitest';
import { SequenceClassificationExplainer, env } from '@glassbox/core';
import type { Json } from './expectClose.ts';
import { expectCaptumMethods, expectTransformersInterpret } from './peerChecks.ts';

/**
 * The foundation's peer-number suite again, on the WebGPU backend in headless Chromium
 * (SwiftShader here), with the same tolerances. Fixture folders are served by the test
 * server at /test/fixtures/models/.
 */
const BASE = '/test/fixtures/models';
const MODELS: [string, (string | undefined)[]][] = [
  ['distilbert-sst2-tiny', [undefined, 'model_opset17']],
  ['bert-nli-tiny', [undefined]],
  ['roberta-sst-tiny', [undefined]],
];

beforeAll(() => {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
});

describe.each(MODELS)('%s on webgpu', (name, files) => {
  describe.each(files)('file %s', (modelFileName) => {
    let explainer: SequenceClassificationExplainer;
    let refs: Json;
    beforeAll(async () => {
      refs = await (await fetch(`${BASE}/${name}/refs.json`)).json();
      explainer = await SequenceClassificationExplainer.fromPretrained(`${BASE}/${name}`, { modelFileName, device: 'webgpu' });
    });

    it("every Captum method and transformers-interpret's defaults, for every input", async () => {
      for (const inp of refs.inputs as Json[]) {
        await expectCaptumMethods(explainer, name, inp);
        await expectTransformersInterpret(explainer, name, inp);
      }
    });
  });
});
