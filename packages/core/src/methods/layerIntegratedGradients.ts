import type { HostTensor } from '../tensor.ts';
import { type IntegratedGradientsOptions, integratedGradients } from './integratedGradients.ts';
import type { Attribution, DifferentiableFunction } from './types.ts';

/** A layer of a model: maps a model input (token ids, pixels...) to the layer's output. */
export interface Layer<I> {
  activation(input: I): Promise<HostTensor>;
}

/**
 * Layer Integrated Gradients (Captum LayerIntegratedGradients): the input and the
 * baseline are mapped through the layer, and IG runs on the layer's output, with `fn`
 * the model as a function of that output (everything else at the input's values).
 */
export async function layerIntegratedGradients<I>(
  layer: Layer<I>,
  fn: DifferentiableFunction,
  input: I,
  baseline: I,
  options: IntegratedGradientsOptions = {},
): Promise<Attribution> {
  const x = await layer.activation(input);
  const b = await layer.activation(baseline);
  return integratedGradients(fn, x, b, options);
}
