import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { glassbox } from './cliRunner.ts';
import { type Json, MODELS, expectClose, refsOf } from './helpers.ts';

const SST2 = join(MODELS, 'distilbert-sst2-tiny');
const refs = refsOf('distilbert-sst2-tiny');
const lines = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json);
const attributions = (r: Json) => r.tokens.map((t: Json) => t.attribution);

describe('glassbox explain: perturbation methods and their options', () => {
  it('JSONL with samples, seed, granularity, hierarchy, masking, window/stride and log-softmax; bad numbers are error lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassbox-'));
    const file = join(dir, 'cases.jsonl');
    const [a, b] = [refs.inputs[0], refs.inputs[1]];
    const drop = a.attributions.find((x: Json) => x.target.class_index === 1).occlusion_pad.logit_drop;
    const common = { output: 'logits', normalize: 'none', target: 1 };
    writeFileSync(
      file,
      [
        { text: a.text, method: 'feature-ablation', ...common },
        { text: b.text, method: 'kernel-shap', samples: 64, seed: 3, granularity: 'word', ...common },
        { text: b.text, method: 'partition-shap', hierarchy: 'flat', samples: '64', ...common },
        { text: b.text, method: 'lime', samples: 100, seed: 5, masking: 'attention', ...common },
        { text: b.text, method: 'lime', samples: 100, seed: 5, masking: 'attention', ...common },
        { text: b.text, method: 'occlusion', window: 2, stride: 2, ...common },
        { text: b.text, method: 'sobol', samples: 64, output: 'log-softmax', granularity: 'sentence', normalize: 'none' },
        { text: b.text, method: 'lime', samples: 'many' },
        { text: b.text, method: 'lime', seed: 1.5 },
        { text: b.text, method: 'occlusion', window: 0 },
        { text: b.text, method: 'lime', granularity: 'paragraph' },
      ]
        .map((c) => JSON.stringify(c))
        .join('\n'),
    );
    try {
      const { code, stdout } = await glassbox(['--model', SST2, '--inputs', file]);
      expect(code).toBe(0);
      const out = lines(stdout);
      expect(out).toHaveLength(11);
      expectClose(attributions(out[0]), drop, 1e-4, 0, 'feature ablation');
      const word = attributions(out[1]); // [CLS] bench ##mark ##ing is hard . [SEP]
      expect(word[0]).toBeNull();
      expect(word[1]).toBe(word[3]);
      expect(out[1].tokens[1].token).toBe('bench');
      const flat = attributions(out[2]);
      expect(flat.slice(1, -1).every((x: number | null) => typeof x === 'number')).toBe(true);
      expect(attributions(out[3])).toEqual(attributions(out[4]));
      const occ = attributions(out[5]);
      expect(occ[1]).toBe(occ[2]);
      expect(occ[3]).toBe(occ[4]);
      expect(occ[1]).not.toBe(occ[3]);
      const sentence = attributions(out[6]);
      expect(new Set(sentence.slice(1, -1)).size).toBe(1);
      expect(out[7].error).toMatch(/samples/);
      expect(out[8].error).toMatch(/seed/);
      expect(out[9].error).toMatch(/window/);
      expect(out[10].error).toMatch(/granularity/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
