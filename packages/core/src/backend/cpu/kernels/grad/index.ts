import { registerCpuGradSoftmax } from './softmax.ts';
import { registerCpuGradLayerNorm } from './layer-norm.ts';
import { registerCpuGradGather } from './gather.ts';
import { registerCpuGradSlice } from './slice.ts';
import { registerCpuGradConv } from './conv.ts';

let registered = false;

/** The CPU kernels used only by gradients (backend/KERNELS.md), one register function per file: this list is what registers them. */
export function registerCpuGradientKernels(): void {
  if (registered) return;
  registered = true;
  for (const register of [
    registerCpuGradSoftmax,
    registerCpuGradLayerNorm,
    registerCpuGradGather,
    registerCpuGradSlice,
    registerCpuGradConv,
  ])
    register();
}
