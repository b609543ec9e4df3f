import { registerGradient } from './registry.ts';
import { num } from './util.ts';

/** Registers the vector-Jacobian products of Gather_grad.ts (called once, by the folder's index). */
export function registerGatherGradients(): void {
  // Gather: scatter-add g into zeros of data's shape (repeated indices accumulate); none to indices.
  registerGradient('Gather', ({ ops, inputs: [data, indices], attrs }, [g], needs) => {
    if (!g || !needs[0]) return [undefined, undefined];
    const dx = ops.one('GatherGrad', [g, indices!], { axis: num(attrs.axis, 0), dataShape: [...data!.shape] });
    return [dx, undefined];
  });
}
