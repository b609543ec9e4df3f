import { registerGradient } from './registry.ts';
import { ints } from './util.ts';

/** Registers the vector-Jacobian products of Transpose_grad.ts (called once, by the folder's index). */
export function registerTransposeGradients(): void {
  // Transpose: transpose back by the inverse permutation (default perm reverses the axes).
  registerGradient('Transpose', ({ ops, inputs: [x], attrs }, [g], needs) => {
    if (!g || !needs[0]) return [undefined];
    const rank = x!.shape.length;
    const perm = ints(attrs.perm) ?? [...Array(rank).keys()].reverse();
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p < 0 ? p + rank : p] = i));
    return [ops.transpose(g, inverse)];
  });
}
