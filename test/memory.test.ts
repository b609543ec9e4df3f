import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { InferenceSession } from 'onnxruntime-web';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { GlassboxError, SequenceClassificationExplainer } from '@glassbox/core';
import { OrtForward } from '../packages/core/src/model/ortForward.ts';
import { useLocalFixtures } from './helpers.ts';
import { HEAP_GROWTH_BOUND, RUNS, WARM_UP, explainLoop, mib } from './memory-checks.ts';

/**
 * 1,000 explanations in a row on the cpu device (gradients on our cpu backend, occlusion's
 * forward passes through onnxruntime-web's wasm, as `forward: 'auto'` picks on cpu): the JS
 * heap and onnxruntime's sessions stay bounded, and dispose() releases the sessions.
 */
setFlagsFromString('--expose-gc');
/** A full collection: the flag above makes `gc` a global of contexts created from now on. */
const gc = runInNewContext('gc') as () => void;

/** The heap and typed-array memory after full collections (array buffers are freed on the second, once their wrappers are gone). */
async function memoryAfterGc(): Promise<{ heap: number; arrayBuffers: number }> {
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heap: heapUsed, arrayBuffers };
}

describe('memory over 1,000 explanations (cpu)', () => {
  beforeAll(useLocalFixtures);

  it('keeps the JS heap and onnxruntime sessions bounded, and dispose() releases the sessions', async () => {
    const explainer = await SequenceClassificationExplainer.fromPretrained('distilbert-sst2-tiny', { device: 'cpu' });
    const forward = explainer.model.forward;
    expect(forward).toBeInstanceOf(OrtForward);
    expect(explainer.model.onnx.memoryStats(), 'the cpu backend holds no device memory').toBeUndefined();

    await explainLoop(explainer, 0, WARM_UP);
    const sessions = (forward as OrtForward).sessionCount;
    expect(sessions, 'occlusion ran through onnxruntime').toBeGreaterThan(0);
    const warm = await memoryAfterGc();

    await explainLoop(explainer, WARM_UP, RUNS);
    const end = await memoryAfterGc();
    console.log(
      `cpu, ${RUNS} explanations: JS heap ${mib(warm.heap)} after the warm-up of ${WARM_UP} → ${mib(end.heap)} (${mib(end.heap - warm.heap)}); ` +
        `array buffers ${mib(warm.arrayBuffers)} → ${mib(end.arrayBuffers)}; ${sessions} onnxruntime session(s)`,
    );
    expect((forward as OrtForward).sessionCount, 'one session per set of taps, none per call').toBe(sessions);
    expect(end.heap - warm.heap).toBeLessThan(HEAP_GROWTH_BOUND);
    // Typed arrays live outside the JS heap (feeds, outputs): none may pile up either.
    expect(end.arrayBuffers - warm.arrayBuffers).toBeLessThan(HEAP_GROWTH_BOUND);

    // Typed as a factory, onnxruntime's InferenceSession is a class: every session's release() is its prototype's.
    const sessionClass = InferenceSession as unknown as { prototype: { release(): Promise<void> } };
    const release = vi.spyOn(sessionClass.prototype, 'release');
    try {
      await explainer.dispose();
      expect(release, 'every onnxruntime session is released').toHaveBeenCalledTimes(sessions);
      await explainer.dispose(); // idempotent
      expect(release).toHaveBeenCalledTimes(sessions);
    } finally {
      release.mockRestore();
    }
    for (const method of ['saliency', 'occlusion'] as const) {
      const err = await explainer.explain('I love this movie.', { method }).then(() => undefined, (e: unknown) => e);
      expect(err, method).toBeInstanceOf(GlassboxError);
      expect((err as GlassboxError).code, method).toBe('disposed');
    }

    const again = await SequenceClassificationExplainer.fromPretrained('distilbert-sst2-tiny', { device: 'cpu' });
    const r = await again.explain('I love this movie.', { method: 'occlusion' });
    expect(r.tokens.some((t) => t.attribution !== 0)).toBe(true);
    await again.dispose();
  });
});
