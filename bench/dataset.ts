/**
 * A data set of texts of many lengths against texts of one length: `count` texts of 5–60
 * tokens, each explained with LIG-50 on the logit (engine 'auto': onnxruntime on the cpu
 * device), against `count` texts of one length (the mean of the first set's), on a fresh
 * explainer each, session creation included. With gradient models of symbolic sizes the
 * lengths share sessions, so the ratio stays near 1 (issue 14: at most 1.3).
 *
 * Run alone: `pnpm tsx bench/dataset.ts [model folder] [count]` (default: the repo's
 * distilbert-sst2-tiny fixture and 200 texts); `pnpm bench` runs it as its `dataset` part.
 */
import { resolve } from 'node:path';
import { SequenceClassificationExplainer, env } from '@glassbox/core';
import type { OrtGradients } from '../packages/core/src/model/ortGradients.ts';

const WORDS = (
  'the film was a quiet and gripping story of two brothers who never speak about the war ' +
  'their mother keeps the farm while the city grows around it and every summer brings rain ' +
  'acting is strong though the middle drags and the music swells too often for my taste'
).split(' ');

export interface DatasetResult {
  model: string;
  count: number;
  steps: number;
  varied: { seconds: number; sessions: number; minTokens: number; maxTokens: number; meanTokens: number };
  fixed: { seconds: number; sessions: number; tokens: number };
  /** varied.seconds / fixed.seconds */
  ratio: number;
}

/** A seeded text of exactly `tokens` tokens (special tokens included), or the nearest the words allow. */
function textOf(explainer: SequenceClassificationExplainer, tokens: number, seed: number): string {
  let state = seed * 2654435761 + 1;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31), state / 2 ** 31);
  const words: string[] = [];
  const count = (t: string) => explainer.model.encode(t).ids.length;
  while (count(words.join(' ')) < tokens) words.push(WORDS[Math.floor(next() * WORDS.length)]!);
  while (words.length > 1 && count(words.join(' ')) > tokens) words.pop();
  return words.join(' ');
}

async function timeAll(model: string, texts: readonly string[], steps: number): Promise<{ seconds: number; sessions: number }> {
  const explainer = await SequenceClassificationExplainer.fromPretrained(model, { device: 'cpu' });
  const start = performance.now();
  for (const text of texts) await explainer.explain(text, { method: 'integrated-gradients', output: 'logits', steps });
  const seconds = (performance.now() - start) / 1000;
  const sessions = (explainer.model.gradients as Partial<OrtGradients>).sessionsCreated ?? 0;
  await explainer.dispose();
  return { seconds, sessions };
}

export async function datasetBench(model: string, count = 200, steps = 50): Promise<DatasetResult> {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  const probe = await SequenceClassificationExplainer.fromPretrained(model, { device: 'cpu' });
  const varied = Array.from({ length: count }, (_, i) => textOf(probe, 5 + Math.floor(((i * 7919) % count) * (56 / count)), i));
  const lengths = varied.map((t) => probe.model.encode(t).ids.length);
  const mean = Math.round(lengths.reduce((a, b) => a + b, 0) / count);
  const fixed = Array.from({ length: count }, (_, i) => textOf(probe, mean, count + i));
  await probe.dispose();
  const v = await timeAll(model, varied, steps);
  const f = await timeAll(model, fixed, steps);
  return {
    model,
    count,
    steps,
    varied: { ...v, minTokens: Math.min(...lengths), maxTokens: Math.max(...lengths), meanTokens: mean },
    fixed: { ...f, tokens: mean },
    ratio: v.seconds / f.seconds,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const model = resolve(process.argv[2] ?? 'test/fixtures/models/distilbert-sst2-tiny');
  const result = await datasetBench(model, Number(process.argv[3] ?? 200));
  console.log(JSON.stringify(result));
}
