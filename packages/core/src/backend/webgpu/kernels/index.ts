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

let registered = false;

/** Every WebGPU kernel, by the explicit list above (as tfjs's register_all_kernels); the WebGPU backend calls it before its first use. Idempotent. */
export function registerWebGpuKernels(): void {
  if (registered) return;
  registered = true;
  for (const register of [
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
  ])
    register();
}
