import { kernelShap as run } from '../../methods/kernelShap.ts';
import { SAMPLED_OPTIONS, SUM_DEFAULTS } from './optionGroups.ts';
import { perturbationMethod } from './textMethod.ts';

export const kernelShap = perturbationMethod({
  name: 'kernel-shap',
  label: 'KernelSHAP',
  options: SAMPLED_OPTIONS,
  defaults: SUM_DEFAULTS,
  sharesPass: false,
  shapley: true,
  attribute: (masked, _options, { common }) => run(masked, common),
});
