import { NOISE_TUNNEL_METHODS, noiseTunnel } from '../../methods/noiseTunnel.ts';
import { noiseOptions } from '../noiseOptions.ts';
import { type ImageMethod, imageMethod } from './imageMethod.ts';
import { IMAGE_IG_OPTIONS, channelSum, integratedGradientsAsGradient } from './pixels.ts';

/**
 * A noise tunnel over integrated gradients (transformers-interpret's "IGNT"): 5 points per
 * noisy image, 10 images, noise of standard deviation 1 by default. smoothgrad.ts,
 * smoothgradSq.ts and vargrad.ts are its three statistics.
 */
export const noiseTunnelMethod = <N extends keyof typeof NOISE_TUNNEL_METHODS>(name: N, label: string): ImageMethod<N> =>
  imageMethod({
    name,
    label,
    options: [...IMAGE_IG_OPTIONS, 'noise', 'samples', 'seed'],
    attribute: async (fn, x, { baseline, options }) => {
      const { integration, internalBatchSize, onProgress, signal } = options;
      const ig = integratedGradientsAsGradient(fn, baseline, { steps: options.steps ?? 5, method: integration, internalBatchSize, signal });
      const { samples = 10, stdev = 1, seed } = noiseOptions(options);
      return channelSum(await noiseTunnel(ig, x, { type: NOISE_TUNNEL_METHODS[name], samples, stdev, seed, onProgress, signal }));
    },
  });
