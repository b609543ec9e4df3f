import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glassbox } from './cliRunner.ts';
import { type Json, MODELS, expectClose, refsOf } from './helpers.ts';
import { startHub } from './hubServer.ts';

const SST2 = join(MODELS, 'distilbert-sst2-tiny');

const lines = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json);
const refs = refsOf('distilbert-sst2-tiny');
const short = refs.inputs[0];

describe('glassbox explain (CLI contract)', () => {
  it('--text prints one JSON object with the contract fields; defaults reproduce transformers-interpret', async () => {
    const { code, stdout } = await glassbox(['--model', SST2, '--text', short.text]);
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(out).toHaveLength(1);
    const r = out[0];
    expect(Object.keys(r).sort()).toEqual(['convergenceDelta', 'logits', 'predicted', 'target', 'tokens']);
    expect(Object.keys(r.tokens[0]).sort()).toEqual(['attribution', 'id', 'token']);
    expect(r.tokens.map((t: Json) => t.token)).toEqual(short.tokens);
    expect(r.predicted).toMatchObject({ index: short.predicted_index, label: short.predicted_label });
    expect(r.target).toEqual({ index: short.predicted_index, label: short.predicted_label });
    const ti = short.transformers_interpret.find((t: Json) => t.index === short.predicted_index);
    expectClose(
      r.tokens.map((t: Json) => t.attribution),
      ti.word_attributions.map((w: Json) => w[1]),
      1e-4,
      0,
      'TI',
    );
    expectClose(r.logits, short.logits_float32, 1e-4, 0, 'logits');
    expect(typeof r.convergenceDelta).toBe('number');
  });

  it('options as flags: occlusion with the mask token on a label target explains logit drops', async () => {
    const entry = short.attributions.find((a: Json) => a.target.class_index === 0);
    const { code, stdout } = await glassbox([
      '--model',
      SST2,
      '--text',
      short.text,
      '--method',
      'occlusion',
      '--baseline',
      'mask',
      '--output',
      'logits',
      '--normalize',
      'none',
      '--target',
      'NEGATIVE',
    ]);
    expect(code).toBe(0);
    const r = lines(stdout)[0];
    expect(r.target).toEqual({ index: 0, label: 'NEGATIVE' });
    expect(r.convergenceDelta).toBeNull();
    expectClose(
      r.tokens.map((t: Json) => t.attribution),
      entry.occlusion_mask.logit_drop,
      1e-4,
      0,
      'occlusion',
    );
  });

  it('--inputs JSONL: one object per line in order, error lines for bad lines, the batch goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassbox-'));
    const file = join(dir, 'cases.jsonl');
    const entry = short.attributions[0];
    const cases = [
      JSON.stringify({
        id: 'case-1',
        text: short.text,
        method: 'saliency',
        aggregate: 'l2',
        output: 'logits',
        normalize: 'none',
        target: entry.target.class_index,
      }),
      '{not json',
      JSON.stringify({ text: short.text, target: 'AMBIVALENT' }),
      JSON.stringify({ text: '   ' }),
      JSON.stringify({
        text: short.text,
        method: 'integrated-gradients',
        baseline: 'zero',
        integration: 'riemann_trapezoid',
        steps: 50,
        output: 'logits',
        normalize: 'none',
        target: entry.target.class_index,
      }),
      JSON.stringify({ text: short.text, steps: 0 }),
      JSON.stringify({ text: short.text, method: 'lrp' }),
    ];
    writeFileSync(file, `${cases.join('\n')}\n`);
    const { code, stdout } = await glassbox(['--model', SST2, '--inputs', file]);
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(out).toHaveLength(cases.length);
    expectClose(
      out[0].tokens.map((t: Json) => t.attribution),
      entry.saliency.l2,
      1e-4,
      1e-3,
      'saliency l2',
    );
    expect(out[1].error).toMatch(/not valid JSON/);
    expect(out[2].error).toMatch(/AMBIVALENT/);
    expect(out[2].error).toMatch(/NEGATIVE/);
    expect(out[2].error).toMatch(/POSITIVE/);
    expect(out[3].error).toMatch(/empty/);
    expectClose(
      out[4].tokens.map((t: Json) => t.attribution),
      entry.ig_zero_riemann_trapezoid.per_token_sum,
      1e-4,
      1e-3,
      'IG',
    );
    expect(out[5].error).toMatch(/steps/);
    expect(out[6].error).toMatch(/unknown method "lrp"/);
  });

  it('errors: text longer than the model positions names both numbers; bad flags fail cleanly', async () => {
    const long = await glassbox(['--model', SST2, '--text', 'word '.repeat(600)]);
    expect(long.code).toBe(1);
    expect(lines(long.stdout)[0].error).toMatch(/602 tokens.*at most 512/);
    const noModel = await glassbox(['--text', 'hi']);
    expect(noModel.code).toBe(2);
    expect(noModel.stdout).toBe('');
  });

  describe('a hub id, fetched from a local server in the hub URL layout ($HF_ENDPOINT)', () => {
    let hub: Awaited<ReturnType<typeof startHub>>;
    beforeAll(async () => {
      hub = await startHub();
    });
    afterAll(() => hub.close());

    it('explains with a model fetched over HTTP', async () => {
      const { code, stdout, stderr } = await glassbox(['--model', 'glassbox-test/distilbert-sst2-tiny', '--text', short.text], {
        HF_ENDPOINT: hub.url,
      });
      expect(code, stdout + stderr).toBe(0);
      const ti = short.transformers_interpret.find((t: Json) => t.index === short.predicted_index);
      expectClose(
        lines(stdout)[0].tokens.map((t: Json) => t.attribution),
        ti.word_attributions.map((w: Json) => w[1]),
        1e-4,
        0,
        'TI over HTTP',
      );
    });

    it('a hub id that does not exist is a clear error', async () => {
      const { code, stdout } = await glassbox(['--model', 'nobody/no-such-model', '--text', 'hi'], { HF_ENDPOINT: hub.url });
      expect(code).toBe(1);
      expect(lines(stdout)[0].error).toMatch(/nobody\/no-such-model/);
    });
  });
});
