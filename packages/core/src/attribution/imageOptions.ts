import type { AttentionMode } from '../attention/attentionFor.ts';
import type { ProgressOptions } from '../methods/batch.ts';
import type { IntegrationMethod } from '../methods/integration.ts';
import type { NestedPixels } from '../model/imageModel.ts';
import type { HostTensor } from '../tensor.ts';
import type { OutputSpace } from './classification.ts';

/** Every option of an image explanation but `method` (ImageExplainOptions): what the methods read (imageMethods/) and what the task reads. */
export interface ImageExplainSettings extends ProgressOptions {
  /** Class to explain: index or label. Default: the predicted class. */
  target?: number | string;
  /** Explain the target's raw logit (default, as transformers-interpret's image explainer) or its softmax probability. */
  output?: OutputSpace;
  /** Default 'gausslegendre'. */
  integration?: IntegrationMethod;
  /** Integration points: default 50 for integrated gradients, 5 per noisy sample for the noise tunnel (transformers-interpret's). */
  steps?: number;
  /** Points (or occluded copies) per forward/backward pass. Default: what the backend's memory allows. */
  internalBatchSize?: number;
  /**
   * Reference image, for integrated gradients, the noise tunnel and the occlusion fill:
   * 'zero' (default, all-zero pixel_values) or pixel values [C, H, W] / [1, C, H, W].
   */
  baseline?: 'zero' | HostTensor | NestedPixels;
  /** Noise tunnel: noisy samples (default 10), noise standard deviation in pixel_values units (default 1, Captum's), seed (default 42). */
  noise?: { samples?: number; stdev?: number; seed?: number };
  /** The noise tunnel's noisy samples and seed (`noise.samples`, `noise.seed`; giving both with different values is an error). */
  samples?: number;
  seed?: number;
  /** Occlusion window side and stride in pixels. Default: the model's patch size (config.patch_size, else 16) for both. */
  occlusion?: { window?: number; stride?: number };
  /** Also return the attention maps of the explained forward pass (result field `attentions`). */
  attention?: AttentionMode;
}
