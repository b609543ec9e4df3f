import { partitionShap as run } from '../../methods/partitionShap.ts';
import { SAMPLED_OPTIONS, SUM_DEFAULTS } from './optionGroups.ts';
import { perturbationMethod } from './textMethod.ts';

/** Owen values over the `hierarchy` option's tree of the units (default shap's text clustering). */
export const partitionShap = perturbationMethod({
  name: 'partition-shap',
  label: 'Partition SHAP',
  options: [...SAMPLED_OPTIONS, 'hierarchy'],
  defaults: SUM_DEFAULTS,
  sharesPass: false,
  shapley: true,
  attribute: (masked, _options, { common, hierarchy }) => run(masked, hierarchy(), common),
});
