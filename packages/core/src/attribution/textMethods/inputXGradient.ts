import { inputXGradient as run } from '../../methods/inputXGradient.ts';
import { GRADIENT_OPTIONS, SUM_DEFAULTS } from './optionGroups.ts';
import { gradientMethod } from './textMethod.ts';

export const inputXGradient = gradientMethod({
  name: 'input-x-gradient',
  label: 'Input × gradient',
  options: GRADIENT_OPTIONS,
  defaults: SUM_DEFAULTS,
  sharesPass: true,
  integrates: false,
  attribute: async (fn, x, _baseline, options) => {
    const attribution = await run(fn, x);
    options.onProgress?.(1, 'input-x-gradient');
    return attribution;
  },
});
