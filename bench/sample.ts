import { type HostTensor, tensor } from '@glassbox/core';

/**
 * What the page (bench/main.ts) and the Node part (bench/node.ts) share about a bench
 * model's sample: its fields, and the seeded normals its image is drawn from
 * (torch_onnx_lig.py draws the same).
 */

export interface Sample {
  /** The text whose tokens are input_ids (distilbert only; its tokenizer files turn it back into them). */
  text?: string;
  input_ids?: number[][];
  attention_mask?: number[][];
  pixel_values_seed?: number;
  /** What our cpu runtime gives for input_ids (distilbert only). */
  logits_float32?: number[][];
}

/** A seeded stream of standard normal floats (mulberry32 + Box–Muller). */
export function normals(n: number, seed: number): Float32Array<ArrayBuffer> {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform() + 1e-12));
    const a = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

/** The logit every bench attribution explains. */
export const TARGET = 1;

/** Logit `TARGET` of each row, and its one-hot cotangent (what the score spec computes in the graph). */
export function targetLogit(value: HostTensor): { scores: Float64Array; seed: HostTensor } {
  const [b, c] = value.shape as [number, number];
  const scores = new Float64Array(b);
  const seed = new Float32Array(b * c);
  for (let i = 0; i < b; i++) {
    scores[i] = value.data[i * c + TARGET]!;
    seed[i * c + TARGET] = 1;
  }
  return { scores, seed: tensor('float32', [b, c], seed) };
}

/** max |a − b| / max |b|: how far an attribution `a` is from PyTorch's `b`. */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return NaN;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / (scale || 1);
}
