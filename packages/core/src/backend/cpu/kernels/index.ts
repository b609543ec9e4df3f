import { registerOnce } from '../../registerOnce.ts';
import { registerCpuElementwise } from './elementwise.ts';
import { registerCpuWhere } from './where.ts';
import { registerCpuCast } from './cast.ts';
import { registerCpuMatmul } from './matmul.ts';
import { registerCpuSoftmax } from './softmax.ts';
import { registerCpuLayernorm } from './layernorm.ts';
import { registerCpuReduce } from './reduce.ts';
import { registerCpuShape } from './shape.ts';
import { registerCpuSlice } from './slice.ts';
import { registerCpuConcat } from './concat.ts';
import { registerCpuGather } from './gather.ts';
import { registerCpuCumsum } from './cumsum.ts';
import { registerCpuConv } from './conv.ts';
import { registerCpuQuantize } from './quantize.ts';
import { registerCpuGradientKernels } from './grad/index.ts';

/** Every CPU kernel, by the explicit list below (as tfjs's register_all_kernels); the CPU backend calls it before its first use. Idempotent. */
export const registerCpuKernels = registerOnce([
  registerCpuElementwise,
  registerCpuWhere,
  registerCpuCast,
  registerCpuMatmul,
  registerCpuSoftmax,
  registerCpuLayernorm,
  registerCpuReduce,
  registerCpuShape,
  registerCpuSlice,
  registerCpuConcat,
  registerCpuGather,
  registerCpuCumsum,
  registerCpuConv,
  registerCpuQuantize,
  registerCpuGradientKernels,
]);
