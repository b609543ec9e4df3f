import { beforeAll, describe, expect, it, vi } from 'vitest';
import { TextModel, env } from '@glassbox/core';
import { OrtForward } from '../packages/core/src/model/ortForward.ts';
import { type Json, expectClose } from './expectClose.ts';

/**
 * onnxruntime-web as the forward engine in Chromium: its wasm provider (cpu device) and its
 * webgpu provider (webgpu device, on SwiftShader here) give our runtime's logits, and every
 * file it loads comes from this origin (no CDN).
 */
const MODEL = '/test/fixtures/models/distilbert-sst2-tiny';

describe('onnxruntime-web forward engine in the browser', () => {
  let refs: Json;
  beforeAll(async () => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    refs = await (await fetch(`${MODEL}/refs.json`)).json();
  });

  it.each(['cpu', 'webgpu'] as const)("device %s: logits of masked rows equal our runtime's and torch's", async (device) => {
    const warn = vi.spyOn(console, 'warn');
    const model = await TextModel.load(MODEL, { device, engine: 'onnxruntime' });
    expect(model.forward).toBeInstanceOf(OrtForward);
    for (const inp of refs.inputs as Json[]) {
      const one = await model.forward.run({ feeds: model.feeds([inp.input_ids]), fetch: ['logits'] });
      expectClose(one.logits!.data, inp.logits_float32, 1e-4, 0, `${inp.id} vs torch`);
      const rows = (inp.input_ids as number[]).map((_, k) => (inp.input_ids as number[]).map((id, i) => (i === k ? 0 : id)));
      const request = { feeds: model.feeds(rows), fetch: ['logits'] };
      const [ort, ours] = [await model.forward.run(request), await model.onnx.run(request)];
      expectClose(ort.logits!.data, ours.logits!.data, 1e-5, 0, `${inp.id} masked rows`);
    }
    // onnxruntime-web's webgpu provider runs on SwiftShader: no fallback to wasm.
    expect(warn.mock.calls.filter(([m]) => String(m).includes('onnxruntime'))).toEqual([]);
    const foreign = performance
      .getEntriesByType('resource')
      .map((e) => e.name)
      .filter((url) => new URL(url).origin !== location.origin);
    expect(foreign).toEqual([]);
  });

  it('"auto" on webgpu is our runtime (measured faster on SwiftShader)', async () => {
    const model = await TextModel.load(MODEL, { device: 'webgpu' });
    expect(model.forward).toBe(model.onnx);
  });
});
