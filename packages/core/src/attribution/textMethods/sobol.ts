import { sobol as run } from '../../methods/sobol.ts';
import { SAMPLED_OPTIONS, SUM_DEFAULTS } from './optionGroups.ts';
import { perturbationMethod } from './textMethod.ts';

export const sobol = perturbationMethod({
  name: 'sobol',
  label: 'Sobol total order',
  options: SAMPLED_OPTIONS,
  defaults: SUM_DEFAULTS,
  sharesPass: false,
  shapley: false,
  attribute: (masked, _options, { common }) => run(masked, common),
});
