import { featureAblation as run } from '../../methods/featureAblation.ts';
import { MASKING_OPTIONS, SUM_DEFAULTS } from './optionGroups.ts';
import { perturbationMethod } from './textMethod.ts';

export const featureAblation = perturbationMethod({
  name: 'feature-ablation',
  label: 'Feature ablation',
  options: MASKING_OPTIONS,
  defaults: SUM_DEFAULTS,
  sharesPass: false,
  shapley: false,
  attribute: (masked, _options, { common }) => run(masked, common),
});
