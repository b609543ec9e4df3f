import { registerOnce } from '../../../registerOnce.ts';
import { registerCpuGradSoftmax } from './softmax.ts';
import { registerCpuGradLayerNorm } from './layer-norm.ts';
import { registerCpuGradGather } from './gather.ts';
import { registerCpuGradSlice } from './slice.ts';
import { registerCpuGradConv } from './conv.ts';

/** The CPU kernels used only by gradients (backend/KERNELS.md), one register function per file: this list is what registers them. */
export const registerCpuGradientKernels = registerOnce([
  registerCpuGradSoftmax,
  registerCpuGradLayerNorm,
  registerCpuGradGather,
  registerCpuGradSlice,
  registerCpuGradConv,
]);
