import type { Override } from '../graph/plan.ts';
import type { OnnxModel } from '../model/onnxModel.ts';
import type { ForwardEngine, GradientEngine } from '../model/pretrained.ts';
import type { HostTensor } from '../tensor.ts';
import type { Scorer } from '../model/scorer.ts';

/**
 * The one forward pass an explanation is about: the model, its feeds (batch of 1), the
 * in-graph overrides the explainer applies (position ids, token types), and the scalar
 * being explained. Attention maps (raw, rollout, gradient-weighted) are taken on it.
 */
export interface ExplainedForward {
  onnx: OnnxModel;
  feeds: Record<string, HostTensor>;
  overrides?: Record<string, Override>;
  scorer: Scorer;
  /** What runs its passes (the model's engines; default: `onnx`, our runtime). */
  forwardEngine?: ForwardEngine;
  gradientEngine?: GradientEngine;
}
