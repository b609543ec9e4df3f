import { saliency as run } from '../../methods/saliency.ts';
import { GRADIENT_OPTIONS, L2_DEFAULTS } from './optionGroups.ts';
import { gradientMethod } from './textMethod.ts';

export const saliency = gradientMethod({
  name: 'saliency',
  label: 'Saliency (gradient)',
  options: GRADIENT_OPTIONS,
  defaults: L2_DEFAULTS,
  sharesPass: true,
  integrates: false,
  attribute: async (fn, x, _baseline, options) => {
    const attribution = await run(fn, x);
    options.onProgress?.(1, 'saliency');
    return attribution;
  },
});
