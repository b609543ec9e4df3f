/**
 * Attention maps of any transformer ONNX graph, read through taps: no re-export with
 * `output_attentions`.
 *
 * - `findAttentionProbabilities(plan)`: the Softmax outputs that are attention probabilities
 *   ([batch, heads, queries, keys], keys = queries or past + queries), in layer order;
 *   `onnxModel.planFor(feeds, overrides)` gives the plan.
 * - `captureAttentions(onnx, feeds, overrides?)` → [layers][heads][queries][keys] (batch item 0),
 *   one forward pass. `captureAttentionGradients(onnx, feeds, overrides, scorer)` → the same
 *   plus the total gradient of the scorer's score with respect to each map, one backward pass.
 * - `aggregate(maps, { over: 'heads' | 'layers' | 'both', reduce: 'mean' | 'median' | 'max' | 'min' })`.
 * - `rollout(maps, { headFusion?: 'mean' | 'max' | 'min', discardRatio? })` → [T][T]:
 *   Abnar & Zuidema's rollout, Â_{L−1}·…·Â_0 with Â = rownorm(0.5·A + 0.5·I).
 * - `gradientWeightedRelevance(attentions, gradients)` → [T][T]: Chefer et al. 2021,
 *   R = I; per layer R ← R + E_h[(∇A ⊙ A)⁺]·R.
 * - `attentionFor(forward, 'raw' | 'rollout' | 'gradient-weighted')`: all of it for an
 *   explained forward pass.
 *
 * Maps are nested arrays, rows queries and columns keys.
 */
export { findAttentionProbabilities } from './findAttentionProbabilities.ts';
export { captureAttentions, captureAttentionGradients } from './captureAttentions.ts';
export { aggregate, AGGREGATE_OVER, REDUCTIONS, type AggregateOver, type Reduction } from './aggregate.ts';
export { rollout, HEAD_FUSIONS, type HeadFusion, type RolloutOptions } from './rollout.ts';
export { gradientWeightedRelevance } from './gradientWeighted.ts';
export { attentionFor, ATTENTION_MODES, type AttentionMode, type AttentionOutput } from './attentionFor.ts';
export type { AttentionMaps, Matrix } from './maps.ts';
