import { registerGradient } from './registry.ts';
import { num } from './util.ts';

/** Registers the vector-Jacobian products of softmax_grads.ts (called once, by the folder's index). */
export function registerSoftmaxGradients(): void {
  // Softmax / LogSoftmax (opset 13, one axis): computed from the output by dedicated kernels.
  for (const op of ['Softmax', 'LogSoftmax'] as const) {
    registerGradient(op, ({ ops, outputs: [y], attrs }, [g], needs) => {
      if (!g || !needs[0]) return [undefined];
      return [ops.one(`${op}Grad`, [y!, g], { axis: num(attrs.axis, -1) })];
    });
  }
}
