import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HostTensor, SequenceClassificationExplainer, tensor } from '@glassbox/core';
import { OnnxModel, findWordEmbedding } from '@glassbox/core/runtime';
import { loadOrtWeb } from '../packages/core/src/model/ortRuntime.ts';
import { describe, expect, it } from 'vitest';
import { type BenchModelSpec, BENCH_MODELS, ensureBenchModels, modelBytes } from '../bench/models/build.ts';
import { OrtForward } from '../packages/core/src/model/ortForward.ts';
import { expectClose } from './helpers.ts';

/**
 * bench/models/: the models `pnpm bench` builds. Reduced geometries here (the real ones are
 * 45 and 32 MB); the builders are the same code with other numbers.
 */
const DISTILBERT: BenchModelSpec = {
  kind: 'distilbert',
  geometry: { vocab: 256, dim: 48, layers: 2, heads: 4, hidden: 96, positions: 40, labels: 3 },
  seed: 7,
};
const VIT: BenchModelSpec = {
  kind: 'vit',
  geometry: { image: 32, patch: 8, channels: 3, dim: 48, layers: 3, heads: 4, hidden: 96, labels: 5 },
  seed: 8,
};

const ints = (rows: number[][]) => tensor('int64', [rows.length, rows[0]!.length], Int32Array.from(rows.flat()));
const shapes = (model: OnnxModel) => Object.fromEntries([...model.graph.initializers].map(([name, t]) => [name, t.shape]));
const count = (model: OnnxModel, op: string) => model.graph.nodes.filter((n) => n.opType === op).length;

/** Our runtime's logits and onnxruntime-web's (wasm) on the same feeds, which must agree. */
async function bothLogits(bytes: Uint8Array, feeds: Record<string, HostTensor>): Promise<HostTensor> {
  const model = await OnnxModel.fromBytes(bytes);
  const ours = (await model.run({ feeds, fetch: ['logits'] })).logits!;
  const ort = (await new OrtForward(bytes, undefined, 'cpu', loadOrtWeb(), model).run({ feeds, fetch: ['logits'] })).logits!;
  expect(ort.shape).toEqual(ours.shape);
  expectClose(ours.data, ort.data, 1e-5, 1e-4, 'ours vs onnxruntime-web');
  return ours;
}

describe('benchmark models (bench/models)', () => {
  it('the two models have the geometry of distilbert-base and vit-base', () => {
    expect(BENCH_MODELS['distilbert-base-geometry']!.geometry).toEqual({
      vocab: 4096,
      dim: 768,
      layers: 6,
      heads: 12,
      hidden: 3072,
      positions: 512,
      labels: 2,
    });
    expect(BENCH_MODELS['vit-base-geometry']!.geometry).toEqual({
      image: 224,
      patch: 16,
      channels: 3,
      dim: 768,
      layers: 12,
      heads: 12,
      hidden: 3072,
      labels: 10,
    });
  });

  it('distilbert: the geometry it is given, the word-embedding lookup LIG attributes to, and the same logits on onnxruntime-web', async () => {
    const g = DISTILBERT.geometry as Extract<BenchModelSpec, { kind: 'distilbert' }>['geometry'];
    const bytes = modelBytes(DISTILBERT);
    const model = await OnnxModel.fromBytes(bytes);
    const s = shapes(model);
    expect(s['distilbert.embeddings.word_embeddings.weight']).toEqual([g.vocab, g.dim]);
    expect(s['distilbert.embeddings.position_embeddings.weight']).toEqual([g.positions, g.dim]);
    expect(s['distilbert.transformer.layer.0.ffn.lin1.weight.T']).toEqual([g.dim, g.hidden]);
    expect(s['classifier.weight']).toEqual([g.labels, g.dim]);
    // Per layer: q, k, v, out, two FFN products and the two attention products.
    expect(count(model, 'MatMul')).toBe(8 * g.layers);
    expect(count(model, 'Softmax')).toBe(g.layers);
    expect(findWordEmbedding(model.graph)).toMatchObject({
      table: 'distilbert.embeddings.word_embeddings.weight',
      tensor: '/distilbert/embeddings/word_embeddings/Gather_output_0',
    });

    const row = [101, 140, 200, 33, 102];
    const logits = await bothLogits(bytes, { input_ids: ints([row, row]), attention_mask: ints([row.map(() => 1), row.map(() => 1)]) });
    expect(logits.shape).toEqual([2, g.labels]);
    expect([...logits.data].every(Number.isFinite)).toBe(true);
    // The attention mask is applied: padding with mask 0 leaves the real tokens' logits unchanged.
    const padded = await bothLogits(bytes, {
      input_ids: ints([[...row, 0, 0, 0]]),
      attention_mask: ints([[...row.map(() => 1), 0, 0, 0]]),
    });
    expectClose(padded.data, logits.data.subarray(0, g.labels), 1e-5, 1e-5, 'padded row');
    const unmasked = await bothLogits(bytes, {
      input_ids: ints([[...row, 0, 0, 0]]),
      attention_mask: ints([[...row, 0, 0, 0].map(() => 1)]),
    });
    expect(Math.max(...unmasked.data.map((v, i) => Math.abs(v - logits.data[i]!)))).toBeGreaterThan(1e-4);
  });

  it('vit: the geometry it is given (a [CLS] token plus one per patch) and the same logits on onnxruntime-web', async () => {
    const g = VIT.geometry as Extract<BenchModelSpec, { kind: 'vit' }>['geometry'];
    const bytes = modelBytes(VIT);
    const model = await OnnxModel.fromBytes(bytes);
    const s = shapes(model);
    expect(s['vit.embeddings.patch_embeddings.projection.weight']).toEqual([g.dim, g.channels, g.patch, g.patch]);
    expect(s['vit.embeddings.position_embeddings']).toEqual([1, (g.image / g.patch) ** 2 + 1, g.dim]);
    expect(s['vit.encoder.layer.0.output.dense.weight.T']).toEqual([g.hidden, g.dim]);
    expect(count(model, 'MatMul')).toBe(8 * g.layers);
    expect(model.graph.inputs[0]).toMatchObject({ name: 'pixel_values', shape: ['batch_size', g.channels, g.image, g.image] });
    const n = 2 * g.channels * g.image * g.image;
    const logits = await bothLogits(bytes, {
      pixel_values: tensor(
        'float32',
        [2, g.channels, g.image, g.image],
        Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37)),
      ),
    });
    expect(logits.shape).toEqual([2, g.labels]);
    expect([...logits.data].every(Number.isFinite)).toBe(true);
  });

  it('is seeded: the same spec gives the same bytes, another seed other weights', () => {
    expect(Buffer.from(modelBytes(DISTILBERT)).equals(Buffer.from(modelBytes(DISTILBERT)))).toBe(true);
    expect(Buffer.from(modelBytes({ ...DISTILBERT, seed: 9 })).equals(Buffer.from(modelBytes(DISTILBERT)))).toBe(false);
  });

  it('builds into the cache once, and again when the spec changes; sample.json holds the logits of its ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassbox-bench-models-'));
    try {
      const built: string[] = [];
      const log = (line: string) => built.push(line);
      await ensureBenchModels({ text: DISTILBERT, image: VIT }, dir, log);
      expect(built).toHaveLength(2);
      const file = join(dir, 'text/onnx/model.onnx');
      expect(Buffer.from(readFileSync(file)).equals(Buffer.from(modelBytes(DISTILBERT)))).toBe(true);
      const modified = statSync(file).mtimeMs;
      await ensureBenchModels({ text: DISTILBERT, image: VIT }, dir, log);
      expect(built).toHaveLength(2);
      expect(statSync(file).mtimeMs).toBe(modified);
      await ensureBenchModels({ text: { ...DISTILBERT, seed: 9 } }, dir, log);
      expect(built).toHaveLength(3);

      const sample = JSON.parse(readFileSync(join(dir, 'text/sample.json'), 'utf8'));
      expect(sample.input_ids[0]).toHaveLength(28);
      const model = await OnnxModel.fromBytes(readFileSync(file));
      const out = await model.run({
        feeds: { input_ids: ints(sample.input_ids), attention_mask: ints(sample.attention_mask) },
        fetch: ['logits'],
      });
      expectClose(out.logits!.data, sample.logits_float32[0], 0, 0, 'sample logits');
      expect(JSON.parse(readFileSync(join(dir, 'image/sample.json'), 'utf8'))).toEqual({ pixel_values_seed: 11 });

      // Its tokenizer turns the sample's text back into its ids: the CLI explains the same input as the benchmark.
      expect(sample.text.split(' ')).toHaveLength(26);
      const explainer = await SequenceClassificationExplainer.fromPretrained(join(dir, 'text'), { device: 'cpu', engine: 'glassbox' });
      try {
        const r = await explainer.explain(sample.text, { target: 1, output: 'logits', steps: 4 });
        expect(r.tokens.map((t) => t.id)).toEqual(sample.input_ids[0]);
        expect(
          r.tokens
            .slice(1, -1)
            .map((t) => t.token)
            .join(' '),
        ).toBe(sample.text);
      } finally {
        explainer.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
