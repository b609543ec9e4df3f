import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BENCHMARK_METHODS, METRICS, SequenceClassificationExplainer, benchmark, evaluate } from '@glassbox/core';
import { glassbox, glassboxBenchmark, glassboxCommand } from './cliRunner.ts';
import { type Json, MODELS, useLocalFixtures } from './helpers.ts';

const SST2 = join(MODELS, 'distilbert-sst2-tiny');
const TEXT = 'A gripping, beautifully acted film.';
const lines = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json);

describe('glassbox explain --metrics and glassbox benchmark (CLI)', () => {
  let explainer: SequenceClassificationExplainer;
  beforeAll(async () => {
    useLocalFixtures();
    explainer = await SequenceClassificationExplainer.fromPretrained(SST2);
  });

  it("--metrics adds a metrics object with the metrics asked, equal to the library's evaluate", async () => {
    const { code, stdout, stderr } = await glassbox(['--model', SST2, '--text', TEXT, '--metrics', 'deletion,comprehensiveness']);
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(out).toHaveLength(1);
    expect(Object.keys(out[0]).sort()).toEqual(['convergenceDelta', 'logits', 'metrics', 'predicted', 'target', 'tokens']);
    expect(Object.keys(out[0].metrics)).toEqual(['deletion', 'comprehensiveness']);
    const direct = await evaluate(explainer, await explainer.explain(TEXT), ['deletion', 'comprehensiveness']);
    expect(out[0].metrics.deletion).toBeCloseTo(direct.deletion!, 9);
    expect(out[0].metrics.comprehensiveness).toBeCloseTo(direct.comprehensiveness!, 9);
    expect(stderr).not.toMatch(/ignoring field "metrics"/);
  });

  it('--inputs: a metrics field (list or string) per line; unknown metrics and other tasks are error lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassbox-metrics-'));
    const file = join(dir, 'cases.jsonl');
    const cases = [
      { text: TEXT, method: 'saliency', metrics: ['insertion', 'sufficiency'] },
      { text: TEXT, metrics: 'deletion,auc' },
      { task: 'question-answering', question: 'What?', context: 'A film.', metrics: 'deletion' },
      { text: TEXT, method: 'occlusion', target: 'NEGATIVE', output: 'logits', metrics: METRICS.join(',') },
      { text: TEXT },
      { text: TEXT, method: 'lime', granularity: 'word', masking: 'mask', metrics: 'deletion' },
    ];
    writeFileSync(file, `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);
    const { code, stdout } = await glassbox(['--model', SST2, '--inputs', file]);
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(out).toHaveLength(cases.length);
    expect(Object.keys(out[0].metrics)).toEqual(['insertion', 'sufficiency']);
    const saliency = await evaluate(explainer, await explainer.explain(TEXT, { method: 'saliency' }), ['insertion', 'sufficiency']);
    expect(out[0].metrics.insertion).toBeCloseTo(saliency.insertion!, 9);
    expect(out[1].error).toMatch(/unknown metric "auc"; use deletion, insertion, comprehensiveness, sufficiency/);
    expect(out[2].error).toMatch(
      /metrics apply to text-classification, pair-classification and text-generation results, not question-answering/,
    );
    // the metrics score the target's probability, whatever space the attribution explained
    expect(Object.keys(out[3].metrics)).toEqual([...METRICS]);
    const occ = await explainer.explain(TEXT, { method: 'occlusion', target: 'NEGATIVE', output: 'logits' });
    const direct = await evaluate(explainer, occ);
    for (const m of METRICS) expect(out[3].metrics[m]).toBeCloseTo(direct[m]!, 9);
    expect(out[4].metrics).toBeUndefined();
    // the metrics remove the explanation's units, as its masking does
    const lime = await explainer.explain(TEXT, { method: 'lime', granularity: 'word', masking: 'mask' });
    expect(out[5].metrics.deletion).toBeCloseTo(
      (await evaluate(explainer, lime, ['deletion'], { granularity: 'word', masking: 'mask' })).deletion!,
      9,
    );
    expect(out[5].metrics.deletion).not.toBeCloseTo((await evaluate(explainer, lime, ['deletion'])).deletion!, 9);
  });

  it('benchmark prints one JSON object: methods × tokens attributions and the metric scores, as the library computes them', async () => {
    const args = [
      '--model',
      SST2,
      '--text',
      TEXT,
      '--methods',
      'saliency,occlusion',
      '--metrics',
      'deletion,sufficiency',
      '--target',
      'NEGATIVE',
    ];
    const { code, stdout } = await glassboxBenchmark(args);
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(out).toHaveLength(1);
    const b = out[0];
    expect(b.target).toEqual({ index: 0, label: 'NEGATIVE' });
    expect(b.metrics).toEqual(['deletion', 'sufficiency']);
    const lib = await benchmark(explainer, TEXT, {
      methods: ['saliency', 'occlusion'],
      metrics: ['deletion', 'sufficiency'],
      target: 'NEGATIVE',
    });
    expect(b.methods.map((r: Json) => r.method)).toEqual(['saliency', 'occlusion']);
    b.methods.forEach((row: Json, i: number) => {
      expect(row.tokens.map((t: Json) => t.token)).toEqual(lib.methods[i]!.tokens.map((t) => t.token));
      row.tokens.forEach((t: Json, j: number) =>
        t.attribution === null
          ? expect(lib.methods[i]!.tokens[j]!.attribution).toBeNull()
          : expect(t.attribution).toBeCloseTo(lib.methods[i]!.tokens[j]!.attribution!, 9),
      );
      expect(row.metrics.deletion).toBeCloseTo(lib.methods[i]!.metrics.deletion!, 9);
      expect(row.metrics.sufficiency).toBeCloseTo(lib.methods[i]!.metrics.sufficiency!, 9);
    });
  });

  it('benchmark defaults: every text method but smoothgrad, every metric', async () => {
    const { code, stdout } = await glassboxBenchmark(['--model', SST2, '--text', TEXT]);
    expect(code).toBe(0);
    const b = lines(stdout)[0];
    expect(b.methods.map((r: Json) => r.method)).toEqual([...BENCHMARK_METHODS]);
    expect(b.metrics).toEqual([...METRICS]);
    for (const row of b.methods) for (const m of METRICS) expect(Number.isFinite(row.metrics[m])).toBe(true);
  });

  it('benchmark errors: unknown methods and metrics are listed; --text is required; --help documents both', async () => {
    const bad = await glassboxBenchmark(['--model', SST2, '--text', TEXT, '--methods', 'saliency,lrp']);
    expect(bad.code).toBe(1);
    expect(lines(bad.stdout)[0].error).toMatch(/unknown method "lrp"/);
    const badMetric = await glassboxBenchmark(['--model', SST2, '--text', TEXT, '--metrics', 'roar']);
    expect(lines(badMetric.stdout)[0].error).toMatch(/unknown metric "roar"/);
    const noText = await glassboxBenchmark(['--model', SST2]);
    expect(noText.code).toBe(2);
    expect(noText.stdout).toBe('');
    const help = await glassboxCommand('--help', []);
    expect(help.stderr).toMatch(/glassbox benchmark --model/);
    expect(help.stderr).toMatch(/--metrics deletion,insertion,comprehensiveness,sufficiency/);
  });
});
