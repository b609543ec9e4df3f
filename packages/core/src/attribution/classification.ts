import { InvalidInputError } from '../errors.ts';
import { type HostTensor, tensor } from '../tensor.ts';
import type { ScoreSpec } from '../compile/gradientModel.ts';

export type OutputSpace = 'logits' | 'softmax' | 'log-softmax';
export const OUTPUT_SPACES: readonly OutputSpace[] = ['logits', 'softmax', 'log-softmax'];
/** What a class score is: its raw logit, its softmax probability, or its own sigmoid (multi-label, single-output heads). */
export type ScoreSpace = 'logits' | 'softmax' | 'sigmoid';
/** Every score classScores computes: ScoreSpace, the log-probability (log-softmax) and the log-sigmoid (single-output heads). */
export type ClassScoreSpace = ScoreSpace | 'log-softmax' | 'log-sigmoid';

export function softmax(z: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) max = Math.max(max, z[i]!);
  const e = Array.from(z, (v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Probabilities of a classification head: softmax over its classes, or the sigmoid of a single logit. */
export function headProbabilities(logits: ArrayLike<number>): number[] {
  return logits.length === 1 ? [sigmoid(logits[0]!)] : softmax(logits);
}

/**
 * Per-row score of class `c` from logits [B, C] (the raw logit, its softmax probability or
 * its sigmoid) and the cotangent of the logits that differentiates it. `sign` −1 explains
 * the score's opposite (towards 0 rather than 1; constants cancel in every method).
 */
export function classScores(
  logits: HostTensor,
  c: number,
  space: ClassScoreSpace,
  sign: 1 | -1 = 1,
): { scores: Float64Array; seed: HostTensor } {
  const [b, n] = [logits.shape[0]!, logits.shape[logits.shape.length - 1]!];
  const scores = new Float64Array(b);
  const seed = new Float32Array(b * n);
  for (let r = 0; r < b; r++) {
    const row = logits.data.subarray(r * n, (r + 1) * n);
    if (space === 'logits') {
      scores[r] = row[c]!;
      seed[r * n + c] = 1;
    } else if (space === 'sigmoid') {
      const p = sigmoid(row[c]!);
      scores[r] = p;
      seed[r * n + c] = p * (1 - p);
    } else if (space === 'log-sigmoid') {
      // log σ(z) = −softplus(−z); its derivative is 1 − σ(z)
      const z = row[c]!;
      scores[r] = z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
      seed[r * n + c] = 1 - sigmoid(z);
    } else if (space === 'log-softmax') {
      const p = softmax(row);
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, row[j]!);
      let sum = 0;
      for (let j = 0; j < n; j++) sum += Math.exp(row[j]! - max);
      scores[r] = row[c]! - max - Math.log(sum);
      // ∂ log p_c/∂z_j = δ_cj − p_j
      for (let j = 0; j < n; j++) seed[r * n + j] = (j === c ? 1 : 0) - p[j]!;
    } else {
      const p = softmax(row);
      scores[r] = p[c]!;
      // ∂p_c/∂z_j = p_c (δ_cj − p_j)
      for (let j = 0; j < n; j++) seed[r * n + j] = p[c]! * ((j === c ? 1 : 0) - p[j]!);
    }
    scores[r] *= sign;
  }
  if (sign === -1) seed.forEach((v, i) => (seed[i] = -v));
  return { scores, seed: tensor('float32', logits.shape, seed) };
}

/** classScores' score as a spec compiled into the graph (the whole row is the group of classes). */
export function classScoreSpec(c: number, space: ClassScoreSpace, sign: 1 | -1 = 1): ScoreSpec {
  return { offset: 0, entry: c, space, sign };
}

/** Resolve a target given as an index or a label; unknown targets list the valid ones. */
export function parseTarget(target: number | string | undefined, labels: readonly string[], fallback: number): number {
  if (target === undefined || target === null) return fallback;
  const valid = labels.map((l, i) => `${i} (${l})`).join(', ');
  if (typeof target === 'number' || /^\d+$/.test(String(target).trim())) {
    const i = Number(target);
    if (Number.isInteger(i) && i >= 0 && i < labels.length) return i;
    throw new InvalidInputError(`target ${target} is out of range; valid targets: ${valid}`, 'unknown_target');
  }
  const i = labels.indexOf(String(target));
  if (i >= 0) return i;
  throw new InvalidInputError(`unknown target label "${target}"; valid targets: ${valid}`, 'unknown_target');
}

/** The model's labels when they name its n classes, else LABEL_0 … LABEL_n−1 (as transformers does). */
export function classLabels(labels: readonly string[], n: number): string[] {
  return labels.length === n ? [...labels] : Array.from({ length: n }, (_, i) => `LABEL_${i}`);
}
