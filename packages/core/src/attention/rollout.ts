import { InvalidInputError } from '../errors.ts';
import { aggregate } from './aggregate.ts';
import { type AttentionMaps, type Matrix, mapsShape } from './maps.ts';
import { identity, matmul, normalizeRows } from './matrix.ts';

export const HEAD_FUSIONS = ['mean', 'max', 'min'] as const;
export type HeadFusion = (typeof HEAD_FUSIONS)[number];

export interface RolloutOptions {
  /** How a layer's heads become one map: `mean` (Abnar & Zuidema, the default), or `max`/`min` as in jacobgil's vit-explain. */
  headFusion?: HeadFusion;
  /**
   * vit-explain's `discard_ratio` (default 0): in each layer's fused map, the
   * ⌊ratio·T²⌋ smallest entries (ties: lower row-major index first) are set to 0 before
   * the identity is added, except entry [0][0] ([CLS] attending to itself), which is kept.
   */
  discardRatio?: number;
}

/** The fused map with its smallest entries zeroed (see RolloutOptions.discardRatio). */
function discardSmallest(m: Matrix, ratio: number): Matrix {
  const t = m.length;
  const count = Math.floor(t * t * ratio);
  const order = Array.from({ length: t * t }, (_, i) => i).sort(
    (a, b) => m[Math.floor(a / t)]![a % t]! - m[Math.floor(b / t)]![b % t]! || a - b,
  );
  const out = m.map((row) => [...row]);
  for (const i of order.slice(0, count)) if (i !== 0) out[Math.floor(i / t)]![i % t] = 0;
  return out;
}

/**
 * Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers").
 * Per layer l, Â_l = rownorm(0.5·fuse_heads(A_l) + 0.5·I) (the residual connection; with mean
 * fusion the rows already sum to 1). The result is Â_{L−1}·…·Â_1·Â_0: each new layer multiplies
 * from the left, so row i is how much position i at the last layer draws on each input token
 * (column). [T][T]; the [CLS] row (0) is what is usually shown. Needs square maps (no past keys).
 */
export function rollout(maps: AttentionMaps, { headFusion = 'mean', discardRatio = 0 }: RolloutOptions = {}): Matrix {
  if (!HEAD_FUSIONS.includes(headFusion))
    throw new InvalidInputError(`rollout head fusion "${headFusion}": expected one of ${HEAD_FUSIONS.join(', ')}`, 'invalid_option');
  if (!(discardRatio >= 0 && discardRatio <= 1))
    throw new InvalidInputError(`rollout discard ratio must be in [0, 1], got ${discardRatio}`, 'invalid_option');
  const [, , t] = mapsShape(maps, 'rollout', true);
  let joint = identity(t);
  for (const fused of aggregate(maps, { over: 'heads', reduce: headFusion })) {
    const kept = discardRatio > 0 ? discardSmallest(fused, discardRatio) : fused;
    const a = normalizeRows(kept.map((row, i) => row.map((x, j) => 0.5 * x + (i === j ? 0.5 : 0))));
    joint = matmul(a, joint);
  }
  return joint;
}
