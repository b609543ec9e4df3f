import type { Tensor } from '../backend/backend.ts';
import { registerGradient } from './registry.ts';
import { matmulVjp } from './MatMul_grad.ts';

/** Registers the vector-Jacobian products of MatMulInteger_grad.ts (called once, by the folder's index). */
export function registerMatMulIntegerGradients(): void {
  /**
   * Straight-through MatMulInteger: treat a and b as reals, y = (a − aZP) @ (b − bZP), so
   *   da = g @ (b − bZP)ᵀ,  db = (a − aZP)ᵀ @ g  (as float32, in a's and b's shapes).
   * Zero points get no gradient. aZP may be 1-D per row of a, bZP 1-D per column of b.
   */
  registerGradient('MatMulInteger', ({ ops, inputs: [a, b, aZp, bZp] }, [g], needs) => {
    if (!g || !(needs[0] || needs[1])) return [];
    const real = (x: Tensor, zp: Tensor | undefined, perRow: boolean): Tensor => {
      const xf = ops.cast(x, 'float32');
      if (!zp) return xf;
      let z = ops.cast(zp, 'float32');
      // A per-row zero point of a ([M]) broadcasts as [M, 1]; b's per-column [N] already broadcasts.
      if (perRow && z.shape.length === 1 && z.shape[0] !== 1) z = ops.reshape(z, [z.shape[0]!, 1]);
      return ops.sub(xf, z);
    };
    // An operand only matters (as a value, not just a shape) for the other one's gradient.
    const ar = needs[1] ? real(a!, aZp, true) : a!;
    const br = needs[0] ? real(b!, bZp, false) : b!;
    const [da, db] = matmulVjp(ops, ar, br, g, !!needs[0], !!needs[1], a!.shape, b!.shape);
    return [da, db, undefined, undefined];
  });
}
