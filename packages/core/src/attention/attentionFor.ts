import { InvalidInputError } from '../errors.ts';
import type { ExplainedForward } from './explainedForward.ts';
import { captureAttentionGradients, captureAttentions } from './captureAttentions.ts';
import { gradientWeightedRelevance } from './gradientWeighted.ts';
import { rollout } from './rollout.ts';

export const ATTENTION_MODES = ['raw', 'rollout', 'gradient-weighted'] as const;
export type AttentionMode = (typeof ATTENTION_MODES)[number];

/** `raw`: [layers][heads][T][T]; `rollout` and `gradient-weighted`: [T][T]. Rows are queries, columns keys. */
export type AttentionOutput = number[][][][] | number[][];

/**
 * The attention maps of an explained forward pass, as the `attention` option asks:
 * `raw`, every layer's attention probabilities (batch item 0); `rollout`, attention rollout
 * with mean head fusion; `gradient-weighted`, Chefer et al.'s relevance for the score the
 * forward's scorer explains (its seed cotangent). See attention/index.ts.
 */
export async function attentionFor(forward: ExplainedForward, mode: AttentionMode): Promise<AttentionOutput> {
  const { onnx, feeds, overrides = {}, scorer, forwardEngine = onnx, gradientEngine = onnx } = forward;
  switch (mode) {
    case 'raw':
      return captureAttentions(onnx, feeds, overrides, forwardEngine);
    case 'rollout':
      return rollout(await captureAttentions(onnx, feeds, overrides, forwardEngine));
    case 'gradient-weighted': {
      const { attentions, gradients } = await captureAttentionGradients(onnx, feeds, overrides, scorer, gradientEngine);
      return gradientWeightedRelevance(attentions, gradients);
    }
    default:
      throw new InvalidInputError(`attention "${mode as string}": expected one of ${ATTENTION_MODES.join(', ')}`, 'invalid_option');
  }
}
