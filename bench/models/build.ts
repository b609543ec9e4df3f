/**
 * The benchmark models, built on first use into a git-ignored cache (bench/.models/): the
 * compute shape of distilbert-base and vit-base, seeded random weights, one set of layer
 * weights shared by every layer (files of 45 and 32 MB). Each folder holds onnx/model.onnx,
 * config.json (the geometry) and sample.json (the input the benchmark explains; for
 * distilbert also as `text`, which its tokenizer files, tokenizer.json and
 * tokenizer_config.json, turn back into the same ids, so the CLI can explain it); spec.json,
 * written last, records what it was built from, and a folder whose spec.json differs from
 * BENCH_MODELS is built again.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor } from '@glassbox/core';
import { OnnxModel } from '@glassbox/core/runtime';
import { type DistilBertGeometry, distilbertOnnx } from './distilbert.ts';
import { type VitGeometry, vitOnnx } from './vit.ts';
import { FIRST_WORD, textOf, tokenizerFiles } from './tokenizer.ts';
import { Weights } from './weights.ts';

export type BenchModelSpec =
  | { kind: 'distilbert'; geometry: DistilBertGeometry; seed: number }
  | { kind: 'vit'; geometry: VitGeometry; seed: number };

/** Bumped when the graphs the builders write change, so cached models are rebuilt. */
const FORMAT = 2;
/** Tokens of the distilbert sample: [CLS] (101), 26 seeded ids from the upper three quarters of the vocabulary (words all), [SEP] (102). */
const SAMPLE_TOKENS = 28;
/** The seed of the ViT sample's random image (bench/main.ts draws it). */
const PIXEL_VALUES_SEED = 11;

export const BENCH_MODELS: Record<string, BenchModelSpec> = {
  'distilbert-base-geometry': {
    kind: 'distilbert',
    geometry: { vocab: 4096, dim: 768, layers: 6, heads: 12, hidden: 3072, positions: 512, labels: 2 },
    seed: 1,
  },
  'vit-base-geometry': {
    kind: 'vit',
    geometry: { image: 224, patch: 16, channels: 3, dim: 768, layers: 12, heads: 12, hidden: 3072, labels: 10 },
    seed: 2,
  },
};

export const BENCH_MODEL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../.models');

export function modelBytes(spec: BenchModelSpec): Uint8Array {
  return spec.kind === 'distilbert' ? distilbertOnnx(spec.geometry, spec.seed) : vitOnnx(spec.geometry, spec.seed);
}

/** The HF config fields that describe the geometry. */
function config(spec: BenchModelSpec): object {
  const labels = Object.fromEntries(Array.from({ length: spec.geometry.labels }, (_, i) => [String(i), `LABEL_${i}`]));
  if (spec.kind === 'distilbert') {
    const g = spec.geometry;
    return {
      model_type: 'distilbert',
      architectures: ['DistilBertForSequenceClassification'],
      vocab_size: g.vocab,
      dim: g.dim,
      n_layers: g.layers,
      n_heads: g.heads,
      hidden_dim: g.hidden,
      max_position_embeddings: g.positions,
      activation: 'gelu',
      pad_token_id: 0,
      id2label: labels,
    };
  }
  const g = spec.geometry;
  return {
    model_type: 'vit',
    architectures: ['ViTForImageClassification'],
    image_size: g.image,
    patch_size: g.patch,
    num_channels: g.channels,
    hidden_size: g.dim,
    num_hidden_layers: g.layers,
    num_attention_heads: g.heads,
    intermediate_size: g.hidden,
    hidden_act: 'gelu',
    layer_norm_eps: 1e-12,
    id2label: labels,
  };
}

/** The benchmark's input: token ids (and the logits our cpu runtime gives for them), or the seed of a random image. */
async function sample(spec: BenchModelSpec, bytes: Uint8Array): Promise<object> {
  if (spec.kind === 'vit') return { pixel_values_seed: PIXEL_VALUES_SEED };
  const draw = new Weights(spec.seed + 1000);
  const ids = [
    101,
    ...Array.from({ length: SAMPLE_TOKENS - 2 }, () => draw.int(Math.max(FIRST_WORD, spec.geometry.vocab >> 2), spec.geometry.vocab)),
    102,
  ];
  const model = await OnnxModel.fromBytes(bytes);
  const feed = (row: number[]) => tensor('int64', [1, row.length], Int32Array.from(row));
  const out = await model.run({ feeds: { input_ids: feed(ids), attention_mask: feed(ids.map(() => 1)) }, fetch: ['logits'] });
  return {
    text: textOf(ids, spec.geometry.vocab),
    input_ids: [ids],
    attention_mask: [ids.map(() => 1)],
    logits_float32: [Array.from(out.logits!.data)],
  };
}

/** Write one model's folder (onnx/model.onnx, config.json, sample.json, then spec.json). */
export async function buildBenchModel(spec: BenchModelSpec, folder: string): Promise<void> {
  const bytes = modelBytes(spec);
  mkdirSync(join(folder, 'onnx'), { recursive: true });
  writeFileSync(join(folder, 'onnx/model.onnx'), bytes);
  writeFileSync(join(folder, 'config.json'), `${JSON.stringify(config(spec), null, 2)}\n`);
  writeFileSync(join(folder, 'sample.json'), `${JSON.stringify(await sample(spec, bytes))}\n`);
  if (spec.kind === 'distilbert') {
    const { tokenizer, config } = tokenizerFiles(spec.geometry.vocab, spec.geometry.positions);
    writeFileSync(join(folder, 'tokenizer.json'), `${JSON.stringify(tokenizer)}\n`);
    writeFileSync(join(folder, 'tokenizer_config.json'), `${JSON.stringify(config, null, 2)}\n`);
  }
  writeFileSync(join(folder, 'spec.json'), stamp(spec));
}

const stamp = (spec: BenchModelSpec) => `${JSON.stringify({ format: FORMAT, ...spec })}\n`;

/** Build the models (folder name → spec) that are missing or stale under `dir`; returns `dir`. */
export async function ensureBenchModels(
  specs: Record<string, BenchModelSpec>,
  dir = BENCH_MODEL_DIR,
  log: (line: string) => void = () => {},
): Promise<string> {
  for (const [name, spec] of Object.entries(specs)) {
    const folder = join(dir, name);
    const specFile = join(folder, 'spec.json');
    if (existsSync(specFile) && readFileSync(specFile, 'utf8') === stamp(spec)) continue;
    log(`building ${name} into ${folder}…`);
    await buildBenchModel(spec, folder);
  }
  return dir;
}
