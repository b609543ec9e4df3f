import { registerGradient } from './registry.ts';
import { normAxis, num } from './util.ts';

/** Registers the vector-Jacobian products of Split_grad.ts (called once, by the folder's index). */
export function registerSplitGradients(): void {
  // Split: concatenate the outputs' gradients, with zeros for outputs no path reaches.
  registerGradient('Split', ({ ops, inputs: [x], outputs, attrs }, outGrads, needs) => {
    if (!needs[0] || outGrads.every((g) => !g)) return [undefined];
    const axis = normAxis(num(attrs.axis, 0), x!.shape.length);
    const parts = outputs.map((y, i) => outGrads[i] ?? ops.zeros(y.shape));
    return [parts.length === 1 ? parts[0]! : ops.concat(parts, axis)];
  });
}
