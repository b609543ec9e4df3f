import { lime as run } from '../../methods/lime.ts';
import { SAMPLED_OPTIONS, SUM_DEFAULTS } from './optionGroups.ts';
import { perturbationMethod } from './textMethod.ts';

export const lime = perturbationMethod({
  name: 'lime',
  label: 'LIME',
  options: [...SAMPLED_OPTIONS, 'distance', 'kernelWidth', 'ridge'],
  defaults: SUM_DEFAULTS,
  sharesPass: false,
  shapley: false,
  attribute: (masked, options, { common }) =>
    run(masked, { ...common, distance: options.distance, kernelWidth: options.kernelWidth, ridge: options.ridge }),
});
