import { registerGradient } from './registry.ts';

/** Registers the vector-Jacobian products of Reshape_grad.ts (called once, by the folder's index). */
export function registerReshapeGradients(): void {
  // Reshape (also the lowering of Squeeze, Unsqueeze and Flatten): reshape back.
  registerGradient('Reshape', ({ ops, inputs: [x] }, [g], needs) => {
    if (!g || !needs[0]) return [undefined];
    return [ops.reshape(g, x!.shape)];
  });
}
