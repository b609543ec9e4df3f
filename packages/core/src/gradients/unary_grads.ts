import type { Tensor } from '../backend/backend.ts';
import type { Ops } from '../backend/ops.ts';
import { type GradContext, registerGradient } from './registry.ts';

/** Elementwise ops of one input: dx = g ⊙ f'(x), written from x and/or y = f(x). */
function unary(op: string, f: (ops: Ops, g: Tensor, x: Tensor, y: Tensor, ctx: GradContext) => Tensor) {
  registerGradient(op, (ctx, [g], needs) => {
    if (!g || !needs[0]) return [undefined];
    return [f(ctx.ops, g, ctx.inputs[0]!, ctx.outputs[0]!, ctx)];
  });
}

/** Registers the vector-Jacobian products of unary_grads.ts (called once, by the folder's index). */
export function registerUnaryGradients(): void {
  unary('Identity', (_ops, g) => g);
  unary('Neg', (ops, g) => ops.neg(g));
  // d√x = 1 / (2√x)
  unary('Sqrt', (ops, g, _x, y) => ops.div(ops.mul(g, ops.scalar(0.5)), y));
  unary('Exp', (ops, g, _x, y) => ops.mul(g, y));
  unary('Log', (ops, g, x) => ops.div(g, x));
  // d erf(x) = 2/√π · exp(−x²)
  unary('Erf', (ops, g, x) => ops.mul(g, ops.mul(ops.exp(ops.neg(ops.mul(x, x))), ops.scalar(2 / Math.sqrt(Math.PI)))));
  // d tanh = 1 − y²
  unary('Tanh', (ops, g, _x, y) => ops.mul(g, ops.sub(ops.scalar(1), ops.mul(y, y))));
  // d relu = [x > 0]
  unary('Relu', (ops, g, x) => ops.where(ops.one('Greater', [x, ops.scalar(0)]), g, ops.scalar(0)));
  // d σ = y (1 − y)
  unary('Sigmoid', (ops, g, _x, y) => ops.mul(g, ops.mul(y, ops.sub(ops.scalar(1), y))));
  // d (1/x) = −y²
  unary('Reciprocal', (ops, g, _x, y) => ops.neg(ops.mul(g, ops.mul(y, y))));
  // d |x| = sign(x) (0 at 0)
  unary('Abs', (ops, g, x) => {
    const zero = ops.scalar(0);
    const sign = ops.sub(ops.cast(ops.one('Greater', [x, zero]), 'float32'), ops.cast(ops.one('Less', [x, zero]), 'float32'));
    return ops.mul(g, sign);
  });
}
