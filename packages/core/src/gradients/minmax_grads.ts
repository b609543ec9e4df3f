import type { Tensor } from '../backend/backend.ts';
import { registerGradient } from './registry.ts';

/**
 * Max / Min (variadic in ONNX; binary after lowering): the gradient goes to the input
 * equal to the output; on ties, to the first such input only, so the gradients sum to g.
 */
function extremum(op: 'Max' | 'Min') {
  registerGradient(op, ({ ops, inputs, outputs: [y] }, [g], needs) => {
    if (!g) return [];
    const grads: (Tensor | undefined)[] = [];
    let taken: Tensor | undefined;
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i]!;
      const last = i === inputs.length - 1;
      if (!needs[i] && last) break;
      let mask = ops.one('Equal', [x, y!]);
      if (taken) mask = ops.one('And', [mask, ops.one('Not', [taken])]);
      if (needs[i]) grads[i] = ops.unbroadcast(ops.where(mask, g, ops.scalar(0)), x.shape);
      if (!last) taken = taken ? ops.one('Or', [taken, mask]) : mask;
    }
    return grads;
  });
}

/** Registers the vector-Jacobian products of minmax_grads.ts (called once, by the folder's index). */
export function registerMinmaxGradients(): void {
  extremum('Max');
  extremum('Min');
}
