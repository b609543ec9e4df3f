import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { glassbox } from './cliRunner.ts';
import { type Json, MODELS, expectClose, refsOf } from './helpers.ts';

/**
 * `--device webgpu` in Node: Dawn (the `webgpu` package) on Mesa 25 lavapipe, which `pnpm test`
 * (scripts/testSetup.ts) installs and points VK_DRIVER_FILES at. Run alone, it needs the same.
 */
const VK = process.env.VK_DRIVER_FILES;
const hasDriver = !!VK && existsSync(VK);

describe.skipIf(!hasDriver && !process.env.CI)('glassbox explain --device webgpu (Node, Dawn)', () => {
  it.each(['distilbert-sst2-tiny', 'roberta-sst-tiny'])('%s: transformers-interpret defaults and Captum IG, as on cpu', async (name) => {
    const inp = refsOf(name).inputs[0];
    const ti = inp.transformers_interpret.find((t: Json) => t.index === inp.predicted_index) ?? inp.transformers_interpret[0];
    const entry = inp.attributions[0];
    const dir = join(MODELS, name);
    const single = await glassbox(['--model', dir, '--text', inp.text, '--device', 'webgpu', '--target', String(ti.index)]);
    expect(single.code, single.stderr).toBe(0);
    const r = JSON.parse(single.stdout);
    expectClose(
      r.tokens.map((t: Json) => t.attribution),
      ti.word_attributions.map((w: Json) => w[1]),
      1e-4,
      0,
      `${name} TI on webgpu`,
    );
    const ig = await glassbox([
      '--model',
      dir,
      '--text',
      inp.text,
      '--device',
      'webgpu',
      '--output',
      'logits',
      '--normalize',
      'none',
      '--target',
      String(entry.target.class_index),
    ]);
    expect(ig.code, ig.stderr).toBe(0);
    expectClose(
      JSON.parse(ig.stdout).tokens.map((t: Json) => t.attribution),
      entry.ig_pad_gausslegendre.per_token_sum,
      1e-4,
      1e-3,
      `${name} IG on webgpu`,
    );
  });

  it('says clearly when there is no adapter', async () => {
    const { code, stdout } = await glassbox(['--model', join(MODELS, 'distilbert-sst2-tiny'), '--text', 'hi', '--device', 'webgpu'], {
      VK_DRIVER_FILES: '/nonexistent/icd.json',
    });
    expect(code).toBe(1);
    expect(JSON.parse(stdout).error).toMatch(/no WebGPU adapter/);
  });
});
