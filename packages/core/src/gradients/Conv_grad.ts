import { registerGradient } from './registry.ts';

/** Registers the vector-Jacobian products of Conv_grad.ts (called once, by the folder's index). */
export function registerConvGradients(): void {
  // Conv: the input gradient is a transposed convolution; no weight or bias gradients.
  registerGradient('Conv', ({ ops, inputs: [x, w], attrs }, [g], needs) => {
    if (!g || !needs[0]) return [undefined, undefined, undefined];
    const { strides, pads, dilations, group } = attrs;
    const dx = ops.one('ConvInputGrad', [g, w!], { inputShape: [...x!.shape], strides, pads, dilations, group });
    return [dx, undefined, undefined];
  });
}
