import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHTML } from '@glassbox/viz';
import { describe, expect, it } from 'vitest';
import { glassbox } from './cliRunner.ts';
import { type Json, MODELS, expectClose } from './helpers.ts';

const SST2 = join(MODELS, 'distilbert-sst2-tiny');
const NLI = join(MODELS, 'bert-nli-tiny');
const NER = join(MODELS, 'bert-ner-tiny');
const TEXT = 'A gripping, beautifully acted film.';
const PAIR = ['--text', 'A man is playing a guitar.', '--textPair', 'A person plays music.'];

const lines = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json);
const values = (r: Json) => r.tokens.map((t: Json) => t.attribution);

/** One JSON object from `glassbox explain`, which must exit 0. */
async function explain(args: string[]): Promise<Json> {
  const { code, stdout, stderr } = await glassbox(args);
  expect(code, stderr).toBe(0);
  return lines(stdout)[0];
}

describe('glassbox explain --target with several classes', () => {
  it('a list of indices and labels: {explanations, predicted, logits}, one entry per target in the order asked, each equal to its single-target run', async () => {
    const common = [
      '--model',
      SST2,
      '--text',
      TEXT,
      '--method',
      'integrated-gradients',
      '--steps',
      '8',
      '--output',
      'logits',
      '--normalize',
      'none',
    ];
    const [many, one, zero] = await Promise.all([
      explain([...common, '--target', '1,NEGATIVE']),
      explain([...common, '--target', '1']),
      explain([...common, '--target', 'NEGATIVE']),
    ]);
    // A single target keeps the single-target shape.
    expect(Object.keys(one).sort()).toEqual(['convergenceDelta', 'logits', 'predicted', 'target', 'tokens']);
    expect(Object.keys(many)).toEqual(['explanations', 'predicted', 'logits']);
    expect(many.explanations.map((e: Json) => e.target)).toEqual([
      { index: 1, label: 'POSITIVE' },
      { index: 0, label: 'NEGATIVE' },
    ]);
    expect(Object.keys(many.explanations[0])).toEqual(['target', 'tokens', 'convergenceDelta']);
    expect(many.predicted).toEqual(one.predicted);
    expect(many.logits).toEqual(one.logits);
    for (const [j, single] of [one, zero].entries()) {
      const entry = many.explanations[j];
      expect(entry.tokens.map((t: Json) => t.token)).toEqual(single.tokens.map((t: Json) => t.token));
      expectClose(values(entry), values(single), 1e-5, 1e-4, `target ${j}`);
      expect(entry.convergenceDelta).toBeCloseTo(single.convergenceDelta, 4);
    }
    // toHTML takes the printed object as is (in Node): one line per class, each token's number exactly as printed.
    const html = toHTML(many);
    const lines = [...html.matchAll(/<div class="gbv-class" data-row="([^"]*)">([\s\S]*?)<\/div>/g)];
    expect(lines.map((m) => m[1])).toEqual(['POSITIVE', 'NEGATIVE']);
    lines.forEach((m, j) =>
      expect([...m[2]!.matchAll(/data-attribution="([^"]*)"/g)].map((a) => a[1])).toEqual(values(many.explanations[j]).map(String)),
    );
  });

  it('pair-classification --target all: every class in label order, Shapley base values and metrics per entry', async () => {
    const common = [
      '--model',
      NLI,
      '--task',
      'pair-classification',
      ...PAIR,
      '--method',
      'kernel-shap',
      '--samples',
      '64',
      '--seed',
      '3',
      '--output',
      'logits',
      '--normalize',
      'none',
    ];
    const [all, neutral] = await Promise.all([
      explain([...common, '--target', 'all', '--metrics', 'comprehensiveness']),
      explain([...common, '--target', 'neutral']),
    ]);
    expect(all.explanations.map((e: Json) => e.target.label)).toEqual(['contradiction', 'neutral', 'entailment']);
    for (const e of all.explanations) {
      expect(typeof e.metrics.comprehensiveness).toBe('number');
      expect(e.baseValue + values(e).reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(e.fx, 4);
    }
    expect(all.explanations[1].fx).toBeCloseTo(all.logits[1], 4);
    expectClose(values(all.explanations[1]), values(neutral), 1e-5, 1e-4, 'neutral');
  });

  it('JSONL: a list or "all" per line; a list on a task without several targets, or an empty item, is an error line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassbox-targets-'));
    const file = join(dir, 'cases.jsonl');
    const cases = [
      { text: TEXT, target: [0, 'POSITIVE'], method: 'saliency' },
      { text: TEXT, target: 'all', method: 'saliency' },
      { text: TEXT, target: [], method: 'saliency' },
      { text: TEXT, target: '0,,1', method: 'saliency' },
    ];
    writeFileSync(file, `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);
    const [batch, ner] = await Promise.all([
      glassbox(['--model', SST2, '--inputs', file]),
      glassbox(['--model', NER, '--task', 'token-classification', '--text', 'John lives in Paris.', '--target', '0,1']),
    ]);
    const out = lines(batch.stdout);
    expect(out[0].explanations.map((e: Json) => e.target.index)).toEqual([0, 1]);
    expect(out[1].explanations.map((e: Json) => e.target.label)).toEqual(['NEGATIVE', 'POSITIVE']);
    expect(out[2]).toMatchObject({ code: 'unknown_target' });
    expect(out[3]).toMatchObject({ code: 'unknown_target' });
    expect(ner.code).toBe(1);
    expect(lines(ner.stdout)[0]).toMatchObject({ code: 'unknown_target' });
    expect(lines(ner.stdout)[0].error).toMatch(/apply to pair-classification and text-classification;/);
  });
});
