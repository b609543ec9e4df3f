import type { Kernel } from '../backend.ts';
import type { HostTensor } from '../../tensor.ts';

export type CpuKernel = Kernel<HostTensor>;
export const cpuKernels = new Map<string, CpuKernel>();

export function registerCpuKernel(op: string, kernel: CpuKernel): void {
  cpuKernels.set(op, kernel);
}
