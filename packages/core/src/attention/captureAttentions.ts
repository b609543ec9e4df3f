import { GlassboxError } from '../errors.ts';
import type { Scorer } from '../model/scorer.ts';
import type { Override } from '../graph/plan.ts';
import type { OnnxModel } from '../model/onnxModel.ts';
import type { ForwardEngine, GradientEngine } from '../model/pretrained.ts';
import type { HostTensor } from '../tensor.ts';
import { findAttentionProbabilities } from './findAttentionProbabilities.ts';
import { type AttentionMaps, headMaps } from './maps.ts';

/** The attention-probability tensors of this model for these feeds; an error if it has none. */
function attentionTensors(onnx: OnnxModel, feeds: Record<string, HostTensor>, overrides: Record<string, Override>): string[] {
  const names = findAttentionProbabilities(onnx.planFor(feeds, overrides));
  if (!names.length) {
    throw new GlassboxError(
      'no_attention',
      'the graph has no attention probabilities (no Softmax over the last axis of a [batch, heads, queries, keys] tensor)',
    );
  }
  return names;
}

/**
 * Every layer's attention probabilities, [layers][heads][queries][keys] for batch item 0,
 * from one forward pass that taps the Softmax outputs (no re-export with output_attentions).
 */
export async function captureAttentions(
  onnx: OnnxModel,
  feeds: Record<string, HostTensor>,
  overrides: Record<string, Override> = {},
  /** What runs the pass (default: our runtime). */
  engine: ForwardEngine = onnx,
): Promise<AttentionMaps> {
  const names = attentionTensors(onnx, feeds, overrides);
  const out = await engine.run({ feeds, overrides, fetch: names });
  return names.map((n) => headMaps(out[n]!));
}

/**
 * Every layer's attention probabilities and the total gradient of the scorer's score (its seed
 * cotangent) with respect to each of them, flowing through later layers' attention too, as
 * PyTorch hooks give; one forward and one backward pass, batch item 0. An attention tensor the
 * caller overrides is a leaf instead (its gradient is that of its supplied value).
 */
export async function captureAttentionGradients(
  onnx: OnnxModel,
  feeds: Record<string, HostTensor>,
  overrides: Record<string, Override>,
  scorer: Scorer,
  /** What runs the passes (default: our runtime). */
  engine: GradientEngine = onnx,
): Promise<{ attentions: AttentionMaps; gradients: AttentionMaps }> {
  const names = attentionTensors(onnx, feeds, overrides);
  const { values, grads } = await engine.runWithGradient({
    feeds,
    overrides,
    fetch: names,
    output: scorer.output,
    wrt: names,
    seed: (value) => scorer.score(value).seed,
    scores: scorer.spec && [scorer.spec],
  });
  return { attentions: names.map((n) => headMaps(values[n]!)), gradients: names.map((n) => headMaps(grads[n]!)) };
}
