import type { Attrs } from '../backend.ts';
import type { GpuTensor } from './gpuTensor.ts';
import type { Gpu } from './gpu.ts';

/** A WebGPU kernel: same contract as the CPU one (backend/KERNELS.md), recorded on `gpu`. */
export type WebGpuKernel = (gpu: Gpu, inputs: readonly GpuTensor[], attrs: Attrs) => GpuTensor[];

export const webgpuKernels = new Map<string, WebGpuKernel>();

export function registerWebGpuKernel(op: string, kernel: WebGpuKernel): void {
  webgpuKernels.set(op, kernel);
}
