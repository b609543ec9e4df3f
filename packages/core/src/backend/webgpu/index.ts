import type { Attrs, Backend, MemoryStats } from '../backend.ts';
import { GlassboxError } from '../../errors.ts';
import type { HostTensor } from '../../tensor.ts';
import { Gpu } from './gpu.ts';
import type { GpuTensor } from './gpuTensor.ts';
import { webgpuKernels } from './registry.ts';
import { registerWebGpuKernels } from './kernels/index.ts';

/** The adapter's WebGPU entry point, if this environment has one. */
function navigatorGpu(): GPU | undefined {
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
}

/**
 * Ask for a device, with the adapter's own buffer limits (the defaults are far smaller).
 * Undefined when the environment has no WebGPU or no adapter.
 */
export async function requestGpu(): Promise<Gpu | undefined> {
  const adapter = await navigatorGpu()?.requestAdapter();
  if (!adapter) return undefined;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  return new Gpu(device);
}

/** WGSL kernels on a WebGPU device (see backend/KERNELS.md; the CPU backend is the reference). */
export class WebGpuBackend implements Backend<GpuTensor> {
  readonly name = 'webgpu' as const;
  /** Bumped each time a lost device is replaced. */
  generation = 0;
  constructor(public gpu: Gpu) {
    registerWebGpuKernels();
  }

  /** After a device loss, make a new device (tensors of the old one are gone). */
  async ready(): Promise<void> {
    if (!this.gpu.lost) return;
    const gpu = await requestGpu();
    if (!gpu) throw new GlassboxError('no_webgpu', 'the WebGPU device was lost and no adapter is available to replace it');
    this.gpu = gpu;
    this.generation++;
  }

  memory() {
    const limits = this.gpu.limits;
    return { maxTensorBytes: limits.maxStorageBufferBindingSize, budgetBytes: Math.min(2 ** 30, limits.maxBufferSize * 4) };
  }

  static async create(): Promise<WebGpuBackend> {
    const gpu = await requestGpu();
    if (!gpu)
      throw new GlassboxError(
        'no_webgpu',
        'WebGPU is not available here: no adapter (in Chromium, is --enable-unsafe-webgpu or a GPU present?)',
      );
    return new WebGpuBackend(gpu);
  }

  upload(t: HostTensor): GpuTensor {
    return this.gpu.upload(t);
  }

  read(t: GpuTensor): Promise<HostTensor> {
    return this.gpu.read(t);
  }

  run(op: string, inputs: readonly GpuTensor[], attrs: Attrs = {}): GpuTensor[] {
    const kernel = webgpuKernels.get(op);
    if (!kernel) throw new Error(`webgpu backend: no kernel for op ${op}`);
    return kernel(this.gpu, inputs, attrs);
  }

  release(t: GpuTensor): void {
    this.gpu.release(t);
  }

  free(t: GpuTensor): void {
    this.gpu.free(t);
  }

  trim(): void {
    this.gpu.trim();
  }

  memoryStats(): MemoryStats {
    return this.gpu.memoryStats();
  }

  hasKernel(op: string): boolean {
    return webgpuKernels.has(op);
  }
}
