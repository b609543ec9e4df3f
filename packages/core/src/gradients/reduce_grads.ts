import type { Attrs, Tensor } from '../backend/backend.ts';
import type { Ops } from '../backend/ops.ts';
import { registerGradient } from './registry.ts';
import { ints, normAxis, num } from './util.ts';

/** The reduced axes (normalised; empty = all unless noop_with_empty_axes) or null for a no-op. */
function reducedAxes(attrs: Attrs, rank: number): number[] | null {
  const axes = ints(attrs.axes) ?? [];
  if (axes.length === 0) {
    if (num(attrs.noop_with_empty_axes, 0) !== 0) return null;
    return [...Array(rank).keys()];
  }
  return [...new Set(axes.map((a) => normAxis(a, rank)))].sort((p, q) => p - q);
}

/** g in the keepdims shape of the reduction (a reshape when keepdims was 0). */
function keepDims(ops: Ops, g: Tensor, xShape: readonly number[], axes: number[]): Tensor {
  const kept = xShape.map((d, i) => (axes.includes(i) ? 1 : d));
  return ops.reshape(g, kept);
}

/** Registers the vector-Jacobian products of reduce_grads.ts (called once, by the folder's index). */
export function registerReduceGradients(): void {
  registerGradient('ReduceSum', ({ ops, inputs: [x], attrs }, [g], needs) => {
    if (!g || !needs[0]) return [undefined];
    const axes = reducedAxes(attrs, x!.shape.length);
    if (!axes) return [g];
    return [ops.expand(keepDims(ops, g, x!.shape, axes), x!.shape)];
  });
  registerGradient('ReduceMean', ({ ops, inputs: [x], attrs }, [g], needs) => {
    if (!g || !needs[0]) return [undefined];
    const axes = reducedAxes(attrs, x!.shape.length);
    if (!axes) return [g];
    const count = axes.reduce((n, a) => n * x!.shape[a]!, 1);
    const gk = keepDims(ops, g, x!.shape, axes);
    return [ops.expand(ops.mul(gk, ops.scalar(count === 0 ? 0 : 1 / count)), x!.shape)];
  });
  // ReduceMax: the gradient goes to the positions equal to the max, split evenly among ties.
  registerGradient('ReduceMax', ({ ops, inputs: [x], outputs: [y], attrs }, [g], needs) => {
    if (!g || !needs[0]) return [undefined];
    const axes = reducedAxes(attrs, x!.shape.length);
    if (!axes) return [g];
    const yk = keepDims(ops, y!, x!.shape, axes);
    const mask = ops.cast(ops.one('Equal', [x!, yk]), 'float32');
    const count = ops.reduceSum(mask, axes, true);
    return [ops.mul(mask, ops.div(keepDims(ops, g, x!.shape, axes), count))];
  });
}
