import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TextGenerationExplainer, evaluateGeneration } from '@glassbox/core';
import { glassbox } from './cliRunner.ts';
import { type Json, MODELS, useLocalFixtures } from './helpers.ts';

const GPT2 = join(MODELS, 'gpt2-tiny');
const PROMPT = 'Hello, my dog is cute';
const lines = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json);

describe('glassbox explain --task text-generation --metrics (CLI)', () => {
  let explainer: TextGenerationExplainer;
  beforeAll(async () => {
    useLocalFixtures();
    explainer = await TextGenerationExplainer.fromPretrained(GPT2);
  });

  it("adds {deletion, insertion} equal to the library's evaluateGeneration; other metrics are error lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassbox-gen-metrics-'));
    const file = join(dir, 'cases.jsonl');
    const cases = [
      { text: PROMPT, method: 'occlusion', maxNewTokens: 2, metrics: 'deletion,insertion' },
      { text: [15496, 11, 616, 3290], continuation: ' dog house', method: 'saliency', metrics: ['insertion'] },
      { text: PROMPT, method: 'occlusion', maxNewTokens: 1, metrics: 'deletion,comprehensiveness' },
    ];
    writeFileSync(file, `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);
    const { code, stdout } = await glassbox(['--model', GPT2, '--task', 'text-generation', '--inputs', file]);
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(out).toHaveLength(3);
    const first = await explainer.explain(PROMPT, { method: 'occlusion', maxNewTokens: 2 });
    const want = await evaluateGeneration(explainer, first);
    expect(Object.keys(out[0].metrics)).toEqual(['deletion', 'insertion']);
    expect(out[0].metrics.deletion).toBeCloseTo(want.deletion!, 9);
    expect(out[0].metrics.insertion).toBeCloseTo(want.insertion!, 9);
    const second = await explainer.explain([15496, 11, 616, 3290], { method: 'saliency', continuation: ' dog house' });
    expect(out[1].metrics).toEqual({
      insertion: expect.closeTo((await evaluateGeneration(explainer, second, ['insertion'])).insertion!, 9),
    });
    expect(out[2]).toMatchObject({
      error: 'text-generation results are scored on deletion and insertion only, not "comprehensiveness"',
      code: 'unsupported_metric',
    });
  });
});
