import { registerGradient } from './registry.ts';
import { num } from './util.ts';

/** Registers the vector-Jacobian products of LayerNormalization_grad.ts (called once, by the folder's index). */
export function registerLayerNormalizationGradients(): void {
  // LayerNormalization: the input gradient only (no scale/bias gradients: weights are frozen).
  registerGradient('LayerNormalization', ({ ops, inputs: [x, scale], attrs }, [g], needs) => {
    if (!g || !needs[0]) return [undefined, undefined, undefined];
    const dx = ops.one('LayerNormalizationGrad', [x!, scale!, g], {
      axis: num(attrs.axis, -1),
      epsilon: num(attrs.epsilon, 1e-5),
    });
    return [dx, undefined, undefined];
  });
}
