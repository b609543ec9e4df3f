import type { Tensor } from '../backend/backend.ts';
import type { Ops } from '../backend/ops.ts';
import { broadcastShapes } from '../tensor.ts';
import { registerGradient } from './registry.ts';
import { swapLast } from './util.ts';

/**
 * The VJP of numpy matmul y = a @ b for float operands (batch dims broadcast; a 1-D a is
 * promoted to [1, K] and a 1-D b to [K, 1], the added axis squeezed from y):
 *   da = g @ bᵀ,  db = aᵀ @ g,  each summed over broadcast batch dims back to its input.
 * `aShape`/`bShape` are the shapes the gradients are returned in.
 */
export function matmulVjp(
  ops: Ops,
  a: Tensor,
  b: Tensor,
  g: Tensor,
  needA: boolean,
  needB: boolean,
  aShape: readonly number[] = a.shape,
  bShape: readonly number[] = b.shape,
): [Tensor | undefined, Tensor | undefined] {
  const a2 = a.shape.length === 1 ? ops.reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.shape.length === 1 ? ops.reshape(b, [b.shape[0]!, 1]) : b;
  const M = a2.shape[a2.shape.length - 2]!;
  const N = b2.shape[b2.shape.length - 1]!;
  const batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2), 'MatMul');
  const g2 = ops.reshape(g, [...batch, M, N]);
  let da: Tensor | undefined;
  let db: Tensor | undefined;
  if (needA) da = ops.reshape(ops.unbroadcast(ops.matmul(g2, swapLast(ops, b2)), a2.shape), aShape);
  if (needB) db = ops.reshape(ops.unbroadcast(ops.matmul(swapLast(ops, a2), g2), b2.shape), bShape);
  return [da, db];
}

/** Registers the vector-Jacobian products of MatMul_grad.ts (called once, by the folder's index). */
export function registerMatMulGradients(): void {
  registerGradient('MatMul', ({ ops, inputs: [a, b] }, [g], needs) => {
    if (!g) return [];
    return matmulVjp(ops, a!, b!, g, !!needs[0], !!needs[1]);
  });
}
