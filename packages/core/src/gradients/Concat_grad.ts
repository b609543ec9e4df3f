import type { Tensor } from '../backend/backend.ts';
import { registerGradient } from './registry.ts';
import { normAxis, num } from './util.ts';

/** Registers the vector-Jacobian products of Concat_grad.ts (called once, by the folder's index). */
export function registerConcatGradients(): void {
  // Concat: each input's gradient is its slice of g along the axis.
  registerGradient('Concat', ({ ops, inputs, attrs }, [g], needs) => {
    if (!g) return [];
    const axis = normAxis(num(attrs.axis, 0), g.shape.length);
    const grads: (Tensor | undefined)[] = [];
    let offset = 0;
    inputs.forEach((x, i) => {
      const size = x!.shape[axis]!;
      if (needs[i]) {
        grads[i] = ops.one('Slice', [g], { starts: [offset], ends: [offset + size], axes: [axis], steps: [1] });
      }
      offset += size;
    });
    return grads;
  });
}
