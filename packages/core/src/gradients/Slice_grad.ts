import { registerGradient } from './registry.ts';

/** Registers the vector-Jacobian products of Slice_grad.ts (called once, by the folder's index). */
export function registerSliceGradients(): void {
  // Slice: scatter g back into zeros of the input's shape, with Slice's own bounds.
  registerGradient('Slice', ({ ops, inputs: [x], attrs }, [g], needs) => {
    if (!g || !needs[0]) return [undefined];
    const { starts, ends, axes, steps } = attrs;
    return [ops.one('SliceGrad', [g], { inputShape: [...x!.shape], starts, ends, axes, steps })];
  });
}
