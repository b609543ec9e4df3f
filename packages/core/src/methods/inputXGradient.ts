import type { HostTensor } from '../tensor.ts';
import { saliency } from './saliency.ts';
import type { Attribution, DifferentiableFunction } from './types.ts';

/** input ⊙ ∇f(input) (Captum InputXGradient). */
export async function inputXGradient(fn: DifferentiableFunction, input: HostTensor): Promise<Attribution> {
  const g = await saliency(fn, input);
  const values = g.values.map((v, i) => v * input.data[i]!);
  return { ...g, values };
}
