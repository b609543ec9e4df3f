import { integratedGradients as run } from '../../methods/integratedGradients.ts';
import { GRADIENT_OPTIONS } from './optionGroups.ts';
import { gradientMethod } from './textMethod.ts';

/** Layer integrated gradients from the `baseline` option's layer value; L2-normalised and with transformers-interpret's quirks by default, as transformers-interpret. */
export const integratedGradients = gradientMethod({
  name: 'integrated-gradients',
  label: 'Integrated gradients',
  options: [...GRADIENT_OPTIONS, 'baseline', 'integration', 'steps', 'internalBatchSize'],
  defaults: { aggregate: 'sum', normalize: 'l2', quirks: true },
  sharesPass: true,
  integrates: true,
  attribute: (fn, x, baseline, options, convergenceDelta) =>
    run(fn, x, baseline!, {
      steps: options.steps,
      method: options.integration,
      internalBatchSize: options.internalBatchSize,
      onProgress: options.onProgress,
      signal: options.signal,
      convergenceDelta,
    }),
});
