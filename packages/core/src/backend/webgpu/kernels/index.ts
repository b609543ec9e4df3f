import { registerOnce } from '../../registerOnce.ts';
import { registerWebGpuElementwise } from './elementwise.ts';
import { registerWebGpuMatmul } from './matmul.ts';
import { registerWebGpuReduce } from './reduce.ts';
import { registerWebGpuSoftmax } from './softmax.ts';
import { registerWebGpuLayernorm } from './layernorm.ts';
import { registerWebGpuCumsum } from './cumsum.ts';
import { registerWebGpuMovement } from './movement.ts';
import { registerWebGpuGather } from './gather.ts';
import { registerWebGpuConv } from './conv.ts';
import { registerWebGpuQuantize } from './quantize.ts';

/** Every WebGPU kernel, by the explicit list below (as tfjs's register_all_kernels); the WebGPU backend calls it before its first use. Idempotent. */
export const registerWebGpuKernels = registerOnce([
  registerWebGpuElementwise,
  registerWebGpuMatmul,
  registerWebGpuReduce,
  registerWebGpuSoftmax,
  registerWebGpuLayernorm,
  registerWebGpuCumsum,
  registerWebGpuMovement,
  registerWebGpuGather,
  registerWebGpuConv,
  registerWebGpuQuantize,
]);
