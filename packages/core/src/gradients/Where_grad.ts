import { registerGradient } from './registry.ts';

/** Registers the vector-Jacobian products of Where_grad.ts (called once, by the folder's index). */
export function registerWhereGradients(): void {
  // Where(cond, x, y): g flows to x where cond holds and to y elsewhere; none to cond.
  registerGradient('Where', ({ ops, inputs: [cond, x, y] }, [g], needs) => {
    if (!g) return [];
    const zero = ops.scalar(0);
    return [
      undefined,
      needs[1] ? ops.unbroadcast(ops.where(cond!, g, zero), x!.shape) : undefined,
      needs[2] ? ops.unbroadcast(ops.where(cond!, zero, g), y!.shape) : undefined,
    ];
  });
}
