import type { Backend } from './backend.ts';
import { cpuBackend } from './cpu/index.ts';
import { WebGpuBackend } from './webgpu/index.ts';
import { installNodeWebGpu } from './webgpu/node.ts';
import { GlassboxError, InvalidInputError } from '../errors.ts';

export type Device = 'cpu' | 'webgpu' | 'auto';

let webgpu: Promise<WebGpuBackend | undefined> | undefined;

/** One WebGPU backend per page or process, created on first use; undefined without an adapter. */
function sharedWebGpu(): Promise<WebGpuBackend | undefined> {
  webgpu ??= installNodeWebGpu().then((has) => (has ? WebGpuBackend.create().catch(() => undefined) : undefined));
  return webgpu;
}

/**
 * The backend for a device choice: 'webgpu' fails clearly without an adapter; 'auto' uses
 * WebGPU when there is an adapter and otherwise the CPU, saying so once.
 */
export async function selectBackend(device: Device = 'cpu'): Promise<Backend> {
  if (device === 'cpu') return cpuBackend as unknown as Backend;
  if (device !== 'webgpu' && device !== 'auto') throw new InvalidInputError(`unknown device "${String(device)}"; use cpu, webgpu or auto`, 'bad_device');
  const gpu = await sharedWebGpu();
  if (gpu) return gpu as unknown as Backend;
  if (device === 'webgpu') {
    throw new GlassboxError('no_webgpu', 'device "webgpu" was asked for, but this environment has no WebGPU adapter (in Node: the `webgpu` package and a Vulkan driver, e.g. Mesa 25 lavapipe via VK_DRIVER_FILES; in Chromium: a GPU or --enable-unsafe-webgpu)');
  }
  warnOnce('Glassbox: no WebGPU adapter, running on the CPU backend');
  return cpuBackend as unknown as Backend;
}

let warned = false;
function warnOnce(message: string): void {
  if (!warned) console.warn(message);
  warned = true;
}
