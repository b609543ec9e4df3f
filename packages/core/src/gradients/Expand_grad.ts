import { registerGradient } from './registry.ts';

/** Registers the vector-Jacobian products of Expand_grad.ts (called once, by the folder's index). */
export function registerExpandGradients(): void {
  // Expand is a numpy broadcast: sum back down to the input's shape.
  registerGradient('Expand', ({ ops, inputs: [x] }, [g], needs) => {
    if (!g || !needs[0]) return [undefined];
    return [ops.unbroadcast(g, x!.shape)];
  });
}
