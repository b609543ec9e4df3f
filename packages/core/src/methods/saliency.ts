import { type HostTensor, tensor } from '../tensor.ts';
import type { Attribution, DifferentiableFunction } from './types.ts';

/** The gradient of f at the input (Captum Saliency with abs=False), with f(input). */
export async function saliency(fn: DifferentiableFunction, input: HostTensor): Promise<Attribution> {
  const { scores, grads } = await fn.gradients(tensor('float32', [1, ...input.shape], input.data));
  return { values: Float64Array.from(grads.data), shape: [...input.shape], inputScore: scores[0] };
}
