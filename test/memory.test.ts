import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { GlassboxError, SequenceClassificationExplainer } from '@glassbox/core';
import { OrtForward } from '../packages/core/src/model/ortForward.ts';
import { OrtGradients } from '../packages/core/src/model/ortGradients.ts';
import { loadOrt } from '../packages/core/src/model/ortRuntime.ts';
import { useLocalFixtures } from './helpers.ts';
import { HEAP_GROWTH_BOUND, RUNS, WARM_UP, explainLoop, mib } from './memory-checks.ts';

/**
 * 1,000 explanations in a row on the cpu device (engine 'auto' picks onnxruntime there,
 * onnxruntime-node in Node: gradient passes as compiled forward + reverse models, one session
 * per input shape, least recently used released beyond the model's cap; occlusion's forward
 * passes on the model as it is): the JS heap and onnxruntime's sessions stay bounded, and
 * dispose() releases the sessions.
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
    const { forward, gradients } = explainer.model;
    expect(forward).toBeInstanceOf(OrtForward);
    expect(gradients).toBeInstanceOf(OrtGradients);
    const compiled = gradients as OrtGradients;
    expect(explainer.model.onnx.memoryStats(), 'the cpu backend holds no device memory').toBeUndefined();

    await explainLoop(explainer, 0, WARM_UP);
    const sessions = (forward as OrtForward).sessionCount;
    expect(sessions, 'occlusion ran through onnxruntime').toBeGreaterThan(0);
    expect(compiled.sessionsCreated, 'gradient passes ran through onnxruntime').toBeGreaterThan(0);
    expect(compiled.fallbackOp).toBeUndefined();
    const warm = await memoryAfterGc();

    await explainLoop(explainer, WARM_UP, RUNS);
    const end = await memoryAfterGc();
    console.log(
      `cpu, ${RUNS} explanations: JS heap ${mib(warm.heap)} after the warm-up of ${WARM_UP} → ${mib(end.heap)} (${mib(end.heap - warm.heap)}); ` +
        `array buffers ${mib(warm.arrayBuffers)} → ${mib(end.arrayBuffers)}; ${sessions} forward session(s); ` +
        `gradient sessions: ${compiled.sessionCount} held (cap ${compiled.maxSessions}), ${compiled.sessionsCreated} created`,
    );
    expect((forward as OrtForward).sessionCount, 'one session per set of taps, none per call').toBe(sessions);
    expect(compiled.sessionCount, 'compiled gradient sessions stay within the cap').toBeLessThanOrEqual(compiled.maxSessions);
    // The loop's shapes fit in the cap: only the rotating texts' shapes make sessions again, not every explanation.
    expect(compiled.sessionsCreated, 'compiled sessions are reused').toBeLessThan(RUNS / 10);
    const held = sessions + compiled.sessionCount;
    expect(end.heap - warm.heap).toBeLessThan(HEAP_GROWTH_BOUND);
    // Typed arrays live outside the JS heap (feeds, outputs): none may pile up either.
    expect(end.arrayBuffers - warm.arrayBuffers).toBeLessThan(HEAP_GROWTH_BOUND);

    // Typed as a factory, onnxruntime's InferenceSession is a class: every session's release() is its prototype's.
    // The build the engine uses (onnxruntime-node here), whose onnxruntime-common is not onnxruntime-web's.
    const sessionClass = (await loadOrt()).ort.InferenceSession as unknown as { prototype: { release(): Promise<void> } };
    const release = vi.spyOn(sessionClass.prototype, 'release');
    try {
      await explainer.dispose();
      expect(release, 'every onnxruntime session is released').toHaveBeenCalledTimes(held);
      expect(compiled.sessionCount).toBe(0);
      await explainer.dispose(); // idempotent
      expect(release).toHaveBeenCalledTimes(held);
    } finally {
      release.mockRestore();
    }
    for (const method of ['saliency', 'occlusion'] as const) {
      const err = await explainer.explain('I love this movie.', { method }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, method).toBeInstanceOf(GlassboxError);
      expect((err as GlassboxError).code, method).toBe('disposed');
    }

    const again = await SequenceClassificationExplainer.fromPretrained('distilbert-sst2-tiny', { device: 'cpu' });
    const r = await again.explain('I love this movie.', { method: 'occlusion' });
    expect(r.tokens.some((t) => t.attribution !== 0)).toBe(true);
    await again.dispose();
  });
});
