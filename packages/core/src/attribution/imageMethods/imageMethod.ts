import type { IntegrationMethod } from '../../methods/integration.ts';
import type { Attribution, DifferentiableFunction } from '../../methods/types.ts';
import type { HostTensor } from '../../tensor.ts';
import type { ImageExplainSettings } from '../imageOptions.ts';

/** What an image method gets besides the function and the image: the reference image, the resolved integration rule, the model's patch side. */
export interface ImageMethodContext {
  baseline: HostTensor;
  options: ImageExplainSettings & { integration: IntegrationMethod };
  /** The model's patch size (config.patch_size, else 16): occlusion's default window. */
  patch: number;
}

/**
 * One image method: what validation (optionRules.ts), dispatch (imageClassification.ts), the
 * CLI's help and the demo's image page know of it. A new method is one file in this folder
 * and one line in index.ts's IMAGE_METHOD_TABLE.
 */
export interface ImageMethod<N extends string = string> {
  /** The `method` option's value. */
  name: N;
  /** What the demo's method picker shows. */
  label: string;
  /** The options it reads besides every image method's (IMAGE_OPTIONS). */
  options: readonly string[];
  /** Its attribution of fn's score to the image x [C, H, W], and the [H][W] map drawn from it. */
  attribute(fn: DifferentiableFunction, x: HostTensor, context: ImageMethodContext): Promise<{ attribution: Attribution; map: number[][] }>;
}

/** An entry, its name kept as a literal type (ImageMethodName is the union of the table's names). */
export const imageMethod = <N extends string>(method: ImageMethod<N>): ImageMethod<N> => method;
