import { integratedGradients as run } from '../../methods/integratedGradients.ts';
import { IMAGE_IG_OPTIONS, channelSum } from './pixels.ts';
import { imageMethod } from './imageMethod.ts';

/** transformers-interpret's attribution_type "IG": Captum integrated gradients on pixel_values, 50 points by default. */
export const integratedGradients = imageMethod({
  name: 'integrated-gradients',
  label: 'Integrated gradients',
  options: IMAGE_IG_OPTIONS,
  attribute: async (fn, x, { baseline, options }) =>
    channelSum(
      await run(fn, x, baseline, {
        steps: options.steps ?? 50,
        method: options.integration,
        internalBatchSize: options.internalBatchSize,
        onProgress: options.onProgress,
        signal: options.signal,
      }),
    ),
});
