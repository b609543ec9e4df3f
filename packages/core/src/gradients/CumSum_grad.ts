import { registerGradient } from './registry.ts';
import { num } from './util.ts';

/** Registers the vector-Jacobian products of CumSum_grad.ts (called once, by the folder's index). */
export function registerCumSumGradients(): void {
  // CumSum: the adjoint of a (reverse) cumulative sum is the cumulative sum the other way,
  // with the same exclusivity.
  registerGradient('CumSum', ({ ops, attrs }, [g], needs) => {
    if (!g || !needs[0]) return [undefined];
    const dx = ops.one('CumSum', [g], {
      axis: num(attrs.axis, 0),
      exclusive: num(attrs.exclusive, 0),
      reverse: num(attrs.reverse, 0) ? 0 : 1,
    });
    return [dx];
  });
}
