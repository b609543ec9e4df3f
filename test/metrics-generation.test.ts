import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type GlassboxError,
  InvalidInputError,
  TextGenerationExplainer,
  type TextGenerationResult,
  evaluate,
  evaluateGeneration,
  generationCurves,
} from '@glassbox/core';
import { generatedTokenScorer } from '../packages/core/src/metrics/generation.ts';
import { FIXTURES, type Json, expectClose, refsOf, useLocalFixtures } from './helpers.ts';

const MODEL = 'gpt2-tiny';
const short = (refsOf(MODEL).inputs as Json[]).find((i) => i.id === 'short')!;
const fox = (refsOf(MODEL).inputs as Json[]).find((i) => i.id === 'fox')!;
const EOS = 50256; // GPT-2 has no pad token: removed tokens become <|endoftext|>, as the explainer's baseline

beforeAll(() => useLocalFixtures());

/**
 * interpreto's generation Insertion / Deletion written out plainly, for one result: for each
 * generated token j, the features are the tokens up to j included (j itself first: its NaN
 * attribution sorts first in torch.argsort(descending=True); then by decreasing attribution,
 * ties by position), p = min(steps, N) + 1 points perturbing ⌊i·N/(p−1)⌋ features, each point
 * scored as the softmax probability of token j after the (perturbed) tokens before it, read
 * from the explainer's greedy step (a separate forward path: the whole logits output, past
 * key/values); AUC by the trapezoid rule over [0, 1]; the value is the mean over tokens.
 */
async function direct(
  explainer: TextGenerationExplainer,
  r: TextGenerationResult,
  kind: 'deletion' | 'insertion',
  steps = 100,
): Promise<{ auc: number; curves: number[][] }> {
  const prompt = r.promptTokens.map((t) => t.id);
  const all = [...prompt, ...r.generated.map((t) => t.id)];
  const curves: number[][] = [];
  const aucs: number[] = [];
  for (let j = 0; j < r.generated.length; j++) {
    const end = prompt.length + j;
    const before = [...Array(end).keys()].filter((p) => r.matrix[j]![p] !== null);
    const ranked = [...before].sort((a, b) => r.matrix[j]![b]! - r.matrix[j]![a]! || a - b);
    const order = [end, ...ranked];
    const n = order.length;
    const p = Math.min(steps, n) + 1;
    const curve: number[] = [];
    for (let i = 0; i < p; i++) {
      const c = Math.floor((i * n) / (p - 1));
      const perturbed = new Set(order.slice(0, c));
      const ids = all.slice(0, end).map((id, q) => {
        const removed = kind === 'deletion' ? perturbed.has(q) : !perturbed.has(q) && before.includes(q);
        return removed ? EOS : id;
      });
      const logits = (await explainer.generate(ids, { maxNewTokens: 1 })).logits[0]!;
      const max = Math.max(...logits);
      let sum = 0;
      for (const z of logits) sum += Math.exp(z - max);
      curve.push(Math.exp(logits[all[end]!]! - max) / sum);
    }
    let area = 0;
    for (let i = 1; i < p; i++) area += (curve[i]! + curve[i - 1]!) / 2;
    curves.push(curve);
    aucs.push(area / (p - 1));
  }
  return { auc: aucs.reduce((a, b) => a + b, 0) / aucs.length, curves };
}

describe('deletion and insertion for text generation (interpreto), gpt2-tiny', () => {
  let explainer: TextGenerationExplainer;
  let occlusion: TextGenerationResult;
  let saliency: TextGenerationResult;
  beforeAll(async () => {
    explainer = await TextGenerationExplainer.fromPretrained(MODEL);
    occlusion = await explainer.explain(short.text, { method: 'occlusion', maxNewTokens: 3 });
    saliency = await explainer.explain(fox.input_ids, { method: 'saliency', continuation: ' Micro dog house' });
  });

  it('equal a plain computation: mask in attribution order, score with the model, trapezoid, mean over the generated tokens', async () => {
    for (const r of [occlusion, saliency]) {
      for (const kind of ['deletion', 'insertion'] as const) {
        const want = await direct(explainer, r, kind);
        const got = await generationCurves(kind, explainer, r);
        expect(got.curves).toHaveLength(r.generated.length);
        got.curves.forEach((c, j) => {
          expect(c.token).toBe(j);
          expect(c.scores.length).toBe(want.curves[j]!.length);
          c.scores.forEach((s, i) => expect(s).toBeCloseTo(want.curves[j]![i]!, 6));
        });
        expect(got.auc).toBeCloseTo(want.auc, 6);
        expect((await evaluateGeneration(explainer, r, [kind]))[kind]).toBeCloseTo(want.auc, 12);
      }
    }
  });

  it('fewer steps than features: torch.linspace(0, N, p) truncated', async () => {
    const want = await direct(explainer, saliency, 'deletion', 3);
    const got = await generationCurves('deletion', explainer, saliency, { steps: 3 });
    expect(got.curves[0]!.counts).toEqual([0, 3, 6, 9]); // 8 prompt tokens + the token itself
    expect(got.auc).toBeCloseTo(want.auc, 6);
  });

  it("the curves: deletion starts at the token's probability, insertion ends there; the token itself is perturbed first", async () => {
    const { curves } = await generationCurves('deletion', explainer, occlusion);
    const ins = await generationCurves('insertion', explainer, occlusion);
    curves.forEach((c, j) => {
      const n = short.input_ids.length + j + 1;
      expect(c.positions).toHaveLength(n);
      expect(c.positions[n - 1]).toBe(n - 1);
      // Removing the token itself first leaves its own probability as it was.
      expect(c.scores[1]).toBeCloseTo(c.scores[0]!, 12);
      expect(ins.curves[j]!.scores[ins.curves[j]!.scores.length - 1]).toBeCloseTo(c.scores[0]!, 12);
      expect(ins.curves[j]!.scores[0]).toBeCloseTo(ins.curves[j]!.scores[1]!, 12);
    });
  });

  it('evaluate() scores a generation result on deletion and insertion (both by default); other metrics are refused', async () => {
    const both = await evaluate(explainer, occlusion);
    expect(Object.keys(both)).toEqual(['deletion', 'insertion']);
    expect(both).toEqual(await evaluateGeneration(explainer, occlusion));
    expect(await evaluate(explainer, occlusion, ['insertion'])).toEqual({ insertion: both.insertion });
    const e = await evaluate(explainer, occlusion, ['deletion', 'comprehensiveness']).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as GlassboxError).code).toBe('unsupported_metric');
    expect((e as Error).message).toBe('text-generation results are scored on deletion and insertion only, not "comprehensiveness"');
  });

  it("attention masking drops removed tokens from attention instead of replacing them; 'mask' needs a mask token", async () => {
    const pad = await evaluateGeneration(explainer, occlusion, ['deletion']);
    const attention = await evaluateGeneration(explainer, occlusion, ['deletion'], { masking: 'attention' });
    expect(attention.deletion).not.toBeCloseTo(pad.deletion!, 6);
    await expect(evaluateGeneration(explainer, occlusion, ['deletion'], { masking: 'mask' })).rejects.toThrow(/has no mask token/);
  });

  it("onProgress follows every token's masks together, up to 1; an aborted signal stops it", async () => {
    const seen: [number, string][] = [];
    await generationCurves('insertion', explainer, occlusion, { batchSize: 4, onProgress: (f, stage) => seen.push([f, stage]) });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.every(([, stage]) => stage === 'insertion')).toBe(true);
    expect(seen.every(([f], i) => i === 0 || f >= seen[i - 1]![0])).toBe(true);
    expect(seen[seen.length - 1]![0]).toBeCloseTo(1, 12);
    const controller = new AbortController();
    controller.abort();
    const e = await generationCurves('deletion', explainer, occlusion, { signal: controller.signal }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((e as GlassboxError).code).toBe('aborted');
  });

  it('rejects what it cannot score', async () => {
    await expect(evaluateGeneration(explainer, { generated: [] } as never)).rejects.toThrow(
      /the generation metrics take text-generation results/,
    );
    const cut = { ...occlusion, matrix: occlusion.matrix.map((row) => row.slice(1)) };
    await expect(evaluateGeneration(explainer, cut)).rejects.toThrow(/matrix row 0 has 8 values for 9 tokens/);
    expect(() => generatedTokenScorer(explainer, occlusion, 3)).toThrow(/generated token 3 is not in the result \(0..2\)/);
    await expect(generationCurves('comprehensiveness' as never, explainer, occlusion)).rejects.toThrow(
      /unknown generation metric "comprehensiveness"/,
    );
  });
});

/** scripts/make_generation_metric_refs.py: interpreto's code paths in PyTorch on a plain GPT-2 rebuilt from the safetensors. */
const torchRefs = JSON.parse(readFileSync(join(FIXTURES, 'generation_metric_refs.json'), 'utf8')) as Json;

describe('deletion and insertion for text generation against PyTorch (interpreto v0.5.0 code paths, gpt2-tiny)', () => {
  let explainer: TextGenerationExplainer;
  beforeAll(async () => {
    explainer = await TextGenerationExplainer.fromPretrained(MODEL);
  });
  const resultOf = (c: Json): TextGenerationResult => ({
    kind: 'text-generation',
    model: explainer.model.id,
    method: 'occlusion',
    output: 'logits',
    prompt: '',
    promptTokens: (c.prompt_ids as number[]).map((id) => ({ token: '', id })),
    generated: (c.generated_ids as number[]).map((id) => ({ token: '', id, score: 0, convergenceDelta: null })),
    generatedText: '',
    matrix: c.matrix,
  });
  /** Probabilities near 1/vocab: compared relative to their size (float32 runs on both sides). */
  const close = (got: number, want: number, what: string) =>
    expect(Math.abs(got - want), what).toBeLessThanOrEqual(2e-5 * Math.abs(want) + 1e-12);

  it.each((torchRefs.cases as Json[]).map((c) => [c.id, c] as const))('%s: curves, counts, per-token AUCs and the mean', async (_, c) => {
    const r = resultOf(c);
    for (const m of c.metrics as Json[]) {
      const got = await generationCurves(m.kind, explainer, r, { steps: m.steps });
      got.curves.forEach((curve, j) => {
        expect(curve.counts, `${m.kind} ${m.steps} token ${j}`).toEqual(m.counts[j]);
        curve.scores.forEach((s, i) => close(s, m.curves[j][i], `${m.kind} ${m.steps} token ${j} point ${i}`));
        close(curve.auc, m.token_aucs[j], `${m.kind} ${m.steps} token ${j} auc`);
      });
      close(got.auc, m.auc, `${m.kind} ${m.steps} auc`);
    }
  });

  it('explain (occlusion) then evaluate, end to end: the same matrix and the same metrics as PyTorch', async () => {
    // The short prompt (the long one's stored matrix is checked above; explaining it again would only cost time).
    for (const c of (torchRefs.cases as Json[]).filter((x) => x.id === 'short-greedy-occlusion')) {
      const r = await explainer.explain(c.prompt_ids, { method: 'occlusion', maxNewTokens: c.generated_ids.length });
      expect(r.generated.map((t) => t.id)).toEqual(c.generated_ids);
      expectClose(r.matrix.flat(), (c.matrix as (number | null)[][]).flat(), 1e-4, 0, `${c.id} matrix`);
      const scores = await evaluate(explainer, r);
      for (const kind of ['deletion', 'insertion'] as const)
        close(scores[kind]!, (c.metrics as Json[]).find((m) => m.kind === kind && m.steps === 100)!.auc, `${c.id} ${kind}`);
    }
  });
});
