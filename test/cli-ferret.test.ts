import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS, PLAUSIBILITY_METRICS, SequenceClassificationExplainer, benchmark, classificationScorer, evaluate } from '@glassbox/core';
import { glassbox, glassboxBenchmark, glassboxCommand } from './cliRunner.ts';
import { type Json, MODELS, useLocalFixtures } from './helpers.ts';

const SST2 = join(MODELS, 'distilbert-sst2-tiny');
const TEXT = 'An unwatchably tedious film.';
const lines = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json);

describe("ferret's taucorr_loo, plausibility and the HTML table from the CLI", () => {
  let explainer: SequenceClassificationExplainer;
  /** One 0/1 per word, "gripping" marked; the token and word counts. */
  let perWord: number[];
  let tokens: number;
  let inner: number;
  beforeAll(async () => {
    useLocalFixtures();
    explainer = await SequenceClassificationExplainer.fromPretrained(SST2);
    const result = await explainer.explain(TEXT, { method: 'saliency' });
    const words = classificationScorer(explainer, result, { granularity: 'word' }).units;
    perWord = words.map((_, k) => (k === 1 ? 1 : 0));
    tokens = result.tokens.length;
    inner = result.tokens.filter((t) => !t.special).length;
    expect(words.length).toBeLessThan(inner);
  });

  it("benchmark --rationale --html: the plausibility metrics by default, equal to the library; the page shows the JSON's numbers, coloured", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassbox-ferret-'));
    const file = join(dir, 'table.html');
    const args = [
      '--model',
      SST2,
      '--text',
      TEXT,
      '--methods',
      'saliency,feature-ablation',
      '--output',
      'softmax',
      '--rationale',
      perWord.join(','),
      '--topKRationale',
      '2',
      '--html',
      file,
    ];
    const { code, stdout } = await glassboxBenchmark(args);
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(out).toHaveLength(1);
    const b = out[0];
    expect(b.metrics).toEqual([...METRICS, ...PLAUSIBILITY_METRICS]);
    const lib = await benchmark(explainer, TEXT, {
      methods: ['saliency', 'feature-ablation'],
      rationale: perWord,
      topKRationale: 2,
      explain: { output: 'softmax' },
    });
    b.methods.forEach((row: Json, i: number) => {
      for (const m of b.metrics)
        expect(row.metrics[m]).toBeCloseTo(lib.methods[i]!.metrics[m as keyof (typeof lib.methods)[0]['metrics']]!, 9);
    });
    // feature ablation removes one token at a time as the leave-one-out drops do
    expect(b.methods[1].metrics.taucorr_loo).toBeCloseTo(1, 9);
    const html = readFileSync(file, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    for (const row of b.methods) {
      expect(html).toContain(`data-method="${row.method}"`);
      for (const m of b.metrics) expect(html).toContain(`data-metric="${m}" data-value="${row.metrics[m]}"`);
    }
    expect(html).toMatch(
      /data-metric="taucorr_loo" data-value="[^"]*"( data-best="")? style="background: #[0-9a-f]{6}; color: #(f1f1f1|000000)"/,
    );
  });

  it('explain --metrics with --rationale per token (with or without specials): equal to evaluate; JSONL lines carry their own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassbox-ferret-'));
    const file = join(dir, 'cases.jsonl');
    const perToken = Array.from({ length: inner }, (_, i) => (i === 1 ? 1 : 0));
    const perAll = [0, ...perToken, 0];
    const cases = [
      { text: TEXT, method: 'saliency', metrics: 'taucorr_loo,auprc_plau,token_f1_plau,token_iou_plau', rationale: perToken.join(',') },
      { text: TEXT, method: 'saliency', metrics: ['auprc_plau', 'token_iou_plau'], rationale: perAll, topKRationale: 1 },
      { text: TEXT, method: 'saliency', metrics: 'auprc_plau', rationale: [1, 0] },
      { text: TEXT, method: 'saliency', metrics: 'auprc_plau', rationale: 'yes,no' },
      { text: TEXT, method: 'saliency', metrics: 'deletion,token_f1_plau' },
      { text: TEXT, method: 'saliency', rationale: perToken },
    ];
    writeFileSync(file, `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);
    const { code, stdout } = await glassbox(['--model', SST2, '--inputs', file]);
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(out).toHaveLength(cases.length);
    const saliency = await explainer.explain(TEXT, { method: 'saliency' });
    const direct = await evaluate(explainer, saliency, ['taucorr_loo', ...PLAUSIBILITY_METRICS], { rationale: perToken });
    expect(Object.keys(out[0].metrics)).toEqual(['taucorr_loo', ...PLAUSIBILITY_METRICS]);
    for (const m of Object.keys(direct)) expect(out[0].metrics[m]).toBeCloseTo(direct[m as keyof typeof direct]!, 9);
    const top1 = await evaluate(explainer, saliency, ['token_iou_plau'], { rationale: perToken, topKRationale: 1 });
    expect(out[1].metrics.auprc_plau).toBeCloseTo(direct.auprc_plau!, 9);
    expect(out[1].metrics.token_iou_plau).toBeCloseTo(top1.token_iou_plau!, 9);
    expect(out[2].code).toBe('bad_rationale');
    expect(out[2].error).toBe(
      `"rationale" must hold one 0/1 per token (${inner}, or ${tokens} with the special tokens) or per word (${perWord.length}); got 2 values`,
    );
    expect(out[3].error).toMatch(/"rationale" must be 0\/1 values, one per token or per word/);
    expect(out[4].code).toBe('missing_rationale');
    expect(out[4].error).toMatch(/token_f1_plau needs a human rationale/);
    expect(out[5].code).toBe('unused_option');
    expect(out[5].error).toMatch(/"rationale" is read by the metrics; add --metrics/);
  });

  it('--help documents --rationale, --topKRationale, --html and every metric', async () => {
    const help = await glassboxCommand('--help', []);
    expect(help.stderr).toMatch(
      /--metrics deletion,insertion,comprehensiveness,sufficiency,taucorr_loo,auprc_plau,token_f1_plau,token_iou_plau/,
    );
    expect(help.stderr).toMatch(/--rationale <0\/1,...> a human rationale, one 0 or 1 per token/);
    expect(help.stderr).toMatch(/--topKRationale <n>/);
    expect(help.stderr).toMatch(/--html <file> also writes that table as a standalone/);
  });
});
