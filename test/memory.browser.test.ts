import { beforeAll, describe, expect, it } from 'vitest';
import { cdp } from 'vitest/browser';
import { GlassboxError, SequenceClassificationExplainer, env } from '@glassbox/core';
import type { MemoryStats, WebGpuBackend } from '@glassbox/core/runtime';
import { MIN_POOL_CAP } from '../packages/core/src/backend/webgpu/gpu.ts';
import { HEAP_GROWTH_BOUND, RUNS, WARM_UP, explainLoop, mib } from './memory-checks.ts';

/**
 * 1,000 explanations in a row on WebGPU (headless Chromium, SwiftShader in CI), over many input
 * lengths: the device's buffers stay within the pool's cap while more than the cap is created
 * (the pool evicts), the JS heap stays flat, and dispose() gives every buffer back.
 */
const MODEL = '/test/fixtures/models/distilbert-sst2-tiny';
const TEXT = 'I love this movie.';

beforeAll(() => {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
});

/** The page's JS heap after a full collection (DevTools protocol: no --expose-gc needed). */
async function heapAfterGc(): Promise<number> {
  const session = cdp();
  await session.send('HeapProfiler.collectGarbage');
  const usage = (await session.send('Runtime.getHeapUsage')) as { usedSize: number };
  return usage.usedSize;
}

describe('memory over 1,000 explanations (webgpu)', () => {
  // About 1.5 min on SwiftShader with 2 idle cores, 3 min with the machine busy: more than the default timeout allows for a loaded CI runner.
  it('keeps the buffer pool and the JS heap bounded, and dispose() releases everything', { timeout: 900_000 }, async () => {
    const explainer = await SequenceClassificationExplainer.fromPretrained(MODEL, { device: 'webgpu' });
    const stats = () => explainer.model.onnx.memoryStats()!;
    expect(stats(), 'a WebGPU model reports its device memory').toBeDefined();
    // Every storage buffer the device creates, evicted ones included: the pool's buffers are no other kind.
    const device = (explainer.model.onnx.backend as unknown as WebGpuBackend).gpu.device;
    const createBuffer = device.createBuffer.bind(device);
    let createdTotal = stats().createdBytes;
    device.createBuffer = (d) => {
      if (d.usage & GPUBufferUsage.STORAGE) createdTotal += d.size;
      return createBuffer(d);
    };
    const cap = (s: MemoryStats) => Math.max(2 * s.peakBytes, MIN_POOL_CAP);
    const first = await explainer.explain(TEXT, { method: 'saliency' });

    // Warm-up: every case at every length, so every shape's plan and pipelines exist and the peak is reached.
    await explainLoop(explainer, 0, WARM_UP, () =>
      expect(stats().createdBytes, 'live + pooled within max(2 × peak live, 64 MiB)').toBeLessThanOrEqual(cap(stats())),
    );
    const warm: MemoryStats = stats();
    const createdWarm = createdTotal;
    const heapWarm = await heapAfterGc();
    expect(warm.liveBytes, 'the weights are on the device').toBeGreaterThan(0);

    const liveBetween = new Set<number>();
    let createdMax = 0;
    await explainLoop(explainer, WARM_UP, RUNS, () => {
      const s = stats();
      liveBetween.add(s.liveBytes);
      createdMax = Math.max(createdMax, s.createdBytes);
      expect(s.createdBytes, 'live + pooled within max(2 × peak live, 64 MiB)').toBeLessThanOrEqual(cap(s));
    });
    const end = stats();
    const heapEnd = await heapAfterGc();
    console.log(
      `webgpu, ${RUNS} explanations: device buffers ${mib(warm.createdBytes)} after the warm-up of ${WARM_UP}, at most ${mib(createdMax)} after, ${mib(end.createdBytes)} at the end ` +
        `(live ${mib(end.liveBytes)}, pooled ${mib(end.pooledBytes)}, peak live ${mib(end.peakBytes)}, cap ${mib(cap(end))}, ${end.pipelines} pipelines); ` +
        `created ${mib(createdTotal)} in all, ${mib(createdTotal - createdWarm)} after the warm-up; JS heap ${mib(heapWarm)} → ${mib(heapEnd)} (${mib(heapEnd - heapWarm)})`,
    );

    // Between explanations only the model's weights and plan constants are live: every pass gave its buffers back.
    expect([...liveBetween], 'live bytes between explanations').toEqual([warm.liveBytes]);
    // The lengths need more than the cap: the pool evicted, during the loop too, and stayed within it.
    expect(createdTotal - createdWarm, 'buffers created after the warm-up (evicted ones created again)').toBeGreaterThan(0);
    expect(createdTotal - end.createdBytes, 'bytes evicted').toBeGreaterThan(cap(end));
    // The floor is the cap here. (The peak itself may move by a small input-sized tensor: a plan's first run and later ones free at different times.)
    expect(2 * end.peakBytes, 'peak live').toBeLessThan(MIN_POOL_CAP);
    expect(end.pipelines, 'no new kernels after the warm-up').toBe(warm.pipelines);
    expect(heapEnd - heapWarm).toBeLessThan(HEAP_GROWTH_BOUND);

    await explainer.dispose();
    expect(stats(), 'dispose destroys the weights and empties the pool').toMatchObject({ liveBytes: 0, pooledBytes: 0, createdBytes: 0 });
    await explainer.dispose(); // idempotent
    const err = await explainer.explain(TEXT, { method: 'saliency' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GlassboxError);
    expect((err as GlassboxError).code).toBe('disposed');

    const again = await SequenceClassificationExplainer.fromPretrained(MODEL, { device: 'webgpu' });
    const r = await again.explain(TEXT, { method: 'saliency' });
    expect(r.tokens.map((t) => t.attribution)).toEqual(first.tokens.map((t) => t.attribution));
    expect(again.model.onnx.memoryStats()!.liveBytes).toBeGreaterThan(0);

    // dispose() in the middle of a pass: the pass finishes on intact weights, the call then fails
    // with 'disposed' (not a WebGPU error about destroyed buffers), and the memory is given back.
    const backend = again.model.onnx.backend as unknown as WebGpuBackend;
    const run = backend.run.bind(backend);
    let kernels = 0;
    backend.run = (op, inputs, attrs) => {
      if (++kernels === 40) void again.dispose();
      return run(op, inputs, attrs);
    };
    const inFlight = await again.explain(TEXT, { method: 'integrated-gradients', steps: 8, internalBatchSize: 2 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    backend.run = run;
    expect(kernels).toBeGreaterThanOrEqual(40);
    expect((inFlight as GlassboxError).code).toBe('disposed');
    expect(again.model.onnx.memoryStats()).toMatchObject({ liveBytes: 0, pooledBytes: 0, createdBytes: 0 });
  });
});

describe('cancelling on webgpu', () => {
  it('aborting mid-IG stops within one batch and gives back every buffer of the call', async () => {
    const explainer = await SequenceClassificationExplainer.fromPretrained(MODEL, { device: 'webgpu' });
    const options = { method: 'integrated-gradients', steps: 16, internalBatchSize: 4 } as const;
    const whole = await explainer.explain(TEXT, options);
    const before = explainer.model.onnx.memoryStats()!.liveBytes;
    const controller = new AbortController();
    const passes: number[] = [];
    const err = await explainer
      .explain(TEXT, {
        ...options,
        signal: controller.signal,
        onProgress: (f) => (passes.push(f), passes.length === 2 && controller.abort()),
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((err as GlassboxError).code).toBe('aborted');
    expect(passes, 'no pass after the one that aborted').toEqual([0.25, 0.5]);
    expect(explainer.model.onnx.memoryStats()!.liveBytes, 'live bytes back to the weights alone').toBe(before);
    expect((await explainer.explain(TEXT, options)).tokens).toEqual(whole.tokens);
    await explainer.dispose();
  });
});
