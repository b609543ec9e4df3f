import type { Attrs, Backend } from '../backend.ts';
import type { HostTensor } from '../../tensor.ts';
import { cpuKernels } from './registry.ts';
import { registerCpuKernels } from './kernels/index.ts';

/** The reference backend: plain TypeScript over typed arrays. */
export class CpuBackend implements Backend<HostTensor> {
  readonly name = 'cpu' as const;
  constructor() {
    registerCpuKernels();
  }
  upload(t: HostTensor): HostTensor {
    return t;
  }
  async read(t: HostTensor): Promise<HostTensor> {
    return t;
  }
  run(op: string, inputs: readonly HostTensor[], attrs: Attrs = {}): HostTensor[] {
    const kernel = cpuKernels.get(op);
    if (!kernel) throw new Error(`cpu backend: no kernel for op ${op}`);
    return kernel(inputs, attrs);
  }
  release(): void {}
  hasKernel(op: string): boolean {
    return cpuKernels.has(op);
  }
  memory() {
    return { maxTensorBytes: 2 ** 31 - 1, budgetBytes: 256 * 2 ** 20 };
  }
}

export const cpuBackend = new CpuBackend();
