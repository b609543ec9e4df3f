import { registerGradient } from './registry.ts';
import { asFloat } from './util.ts';

/** Registers the vector-Jacobian products of arithmetic_grads.ts (called once, by the folder's index). */
export function registerArithmeticGradients(): void {
  // Add Sub Mul Div Pow: numpy broadcasting, so every gradient is unbroadcast to its input.

  registerGradient('Add', ({ ops, inputs: [a, b] }, [g], needs) => {
    if (!g) return [];
    return [needs[0] ? ops.unbroadcast(g, a!.shape) : undefined, needs[1] ? ops.unbroadcast(g, b!.shape) : undefined];
  });
  registerGradient('Sub', ({ ops, inputs: [a, b] }, [g], needs) => {
    if (!g) return [];
    return [needs[0] ? ops.unbroadcast(g, a!.shape) : undefined, needs[1] ? ops.unbroadcast(ops.neg(g), b!.shape) : undefined];
  });
  registerGradient('Mul', ({ ops, inputs: [a, b] }, [g], needs) => {
    if (!g) return [];
    return [
      needs[0] ? ops.unbroadcast(ops.mul(g, asFloat(ops, b!)), a!.shape) : undefined,
      needs[1] ? ops.unbroadcast(ops.mul(g, asFloat(ops, a!)), b!.shape) : undefined,
    ];
  });
  // y = a / b:  da = g / b,  db = −g · y / b
  registerGradient('Div', ({ ops, inputs: [a, b], outputs: [y] }, [g], needs) => {
    if (!g) return [];
    const bf = asFloat(ops, b!);
    return [
      needs[0] ? ops.unbroadcast(ops.div(g, bf), a!.shape) : undefined,
      needs[1] ? ops.unbroadcast(ops.neg(ops.div(ops.mul(g, asFloat(ops, y!)), bf)), b!.shape) : undefined,
    ];
  });
  // y = x^b:  dx = g · b · x^(b−1);  db = g · y · ln x where x > 0, else 0.
  registerGradient('Pow', ({ ops, inputs: [x, b], outputs: [y] }, [g], needs) => {
    if (!g) return [];
    const bf = asFloat(ops, b!);
    let dx;
    if (needs[0]) {
      dx = ops.unbroadcast(ops.mul(ops.mul(g, bf), ops.pow(x!, ops.sub(bf, ops.scalar(1)))), x!.shape);
    }
    let db;
    if (needs[1]) {
      const zero = ops.scalar(0);
      const positive = ops.one('Greater', [x!, zero]);
      const lnx = ops.one('Log', [ops.where(positive, x!, ops.scalar(1))]);
      db = ops.unbroadcast(ops.where(positive, ops.mul(ops.mul(g, y!), lnx), zero), b!.shape);
    }
    return [dx, db];
  });
}
