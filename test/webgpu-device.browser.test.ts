import { beforeAll, describe, expect, it } from 'vitest';
import { GlassboxError, SequenceClassificationExplainer, env } from '@glassbox/core';
import type { WebGpuBackend } from '@glassbox/core/runtime';

/** Device loss mid-call: that call fails with a named error; the next call makes a new device and succeeds. */
const MODEL = '/test/fixtures/models/distilbert-sst2-tiny';
const TEXT = 'I love this movie.';

beforeAll(() => {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
});

describe('WebGPU device loss', () => {
  it('rejects the call in flight with device_lost, and the explainer keeps working', async () => {
    const explainer = await SequenceClassificationExplainer.fromPretrained(MODEL, { device: 'webgpu' });
    const before = await explainer.explain(TEXT, { steps: 8 });
    const backend = explainer.model.onnx.backend as unknown as WebGpuBackend;
    const run = backend.run.bind(backend);
    let kernels = 0;
    backend.run = (op, inputs, attrs) => {
      if (++kernels === 40) backend.gpu.device.destroy();
      return run(op, inputs, attrs);
    };
    const err = await explainer.explain(TEXT, { steps: 8 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    backend.run = run;
    expect(err).toBeInstanceOf(GlassboxError);
    expect((err as GlassboxError).code).toBe('device_lost');
    const generation = backend.generation;
    const after = await explainer.explain(TEXT, { steps: 8 });
    expect(backend.generation).toBe(generation + 1);
    expect(after.tokens.map((t) => t.attribution)).toEqual(before.tokens.map((t) => t.attribution));
  });

  it('an oversized tensor is a clear limit error, and the device stays usable', async () => {
    const explainer = await SequenceClassificationExplainer.fromPretrained(MODEL, { device: 'webgpu' });
    const backend = explainer.model.onnx.backend as unknown as WebGpuBackend;
    const huge = backend.gpu.limits.maxStorageBufferBindingSize / 4 + 16;
    expect(() => backend.gpu.alloc('float32', [huge])).toThrow(/bytes; this device binds at most/);
    const r = await explainer.explain(TEXT, { method: 'saliency' });
    expect(r.tokens.length).toBe(7);
  });
});
