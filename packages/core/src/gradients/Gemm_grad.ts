import type { Tensor } from '../backend/backend.ts';
import { registerGradient } from './registry.ts';
import { num, scale } from './util.ts';

/** Registers the vector-Jacobian products of Gemm_grad.ts (called once, by the folder's index). */
export function registerGemmGradients(): void {
  /**
   * Y = alpha · A' B' + beta · C with A' = transA ? Aᵀ : A, B' = transB ? Bᵀ : B.
   *   dA' = alpha · g B'ᵀ,  dB' = alpha · A'ᵀ g  (transposed back where the input was),
   *   dC = beta · g summed down to C's shape.
   */
  registerGradient('Gemm', ({ ops, inputs: [a, b, c], attrs }, [g], needs) => {
    if (!g) return [];
    const alpha = num(attrs.alpha, 1);
    const beta = num(attrs.beta, 1);
    const transA = num(attrs.transA, 0) !== 0;
    const transB = num(attrs.transB, 0) !== 0;
    const t = (x: Tensor) => ops.transpose(x, [1, 0]);
    const grads: (Tensor | undefined)[] = [undefined, undefined, undefined];
    if (needs[0]) {
      const bp = transB ? t(b!) : b!;
      // dA' = g B'ᵀ; dA = (dA')ᵀ = B' gᵀ when transA.
      const da = transA ? ops.matmul(bp, t(g)) : ops.matmul(g, t(bp));
      grads[0] = scale(ops, da, alpha);
    }
    if (needs[1]) {
      const ap = transA ? t(a!) : a!;
      // dB' = A'ᵀ g; dB = (dB')ᵀ = gᵀ A' when transB.
      const db = transB ? ops.matmul(t(g), ap) : ops.matmul(t(ap), g);
      grads[1] = scale(ops, db, alpha);
    }
    if (needs[2] && c) grads[2] = ops.unbroadcast(scale(ops, g, beta), c.shape);
    return grads;
  });
}
