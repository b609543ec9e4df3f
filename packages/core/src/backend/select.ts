import type { Backend } from './backend.ts';
import { cpuBackend } from './cpu/index.ts';
import { WebGpuBackend } from './webgpu/index.ts';
import { installNodeWebGpu } from './webgpu/node.ts';
import { GlassboxError, InvalidInputError } from '../errors.ts';

export type Device = 'cpu' | 'webgpu' | 'auto';

/**
 * The WebGPU adapter this environment offers: 'hardware' (a GPU), 'fallback' (a software
 * adapter: SwiftShader in Chromium, lavapipe in Node; `adapter.info.isFallbackAdapter`, or
 * the older `adapter.isFallbackAdapter`) or 'none'.
 */
export type WebGpuAdapterKind = 'hardware' | 'fallback' | 'none';

let adapterKind: Promise<WebGpuAdapterKind> | undefined;

/** What kind of WebGPU adapter this page or process has (asked once). */
export function webGpuAdapterKind(): Promise<WebGpuAdapterKind> {
  adapterKind ??= (async (): Promise<WebGpuAdapterKind> => {
    if (!(await installNodeWebGpu())) return 'none';
    type Adapter = { isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean } };
    const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<Adapter | null> } } }).navigator?.gpu;
    const adapter = await gpu?.requestAdapter().catch(() => null);
    if (!adapter) return 'none';
    return (adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter) === true ? 'fallback' : 'hardware';
  })();
  return adapterKind;
}

/**
 * What 'auto' runs on with an adapter of `kind`: WebGPU on a GPU only. A software adapter runs
 * our WGSL kernels 2 to 18 times slower than the CPU backend (SwiftShader, measured in the demo).
 */
export const autoDevice = (kind: WebGpuAdapterKind): 'webgpu' | 'cpu' => (kind === 'hardware' ? 'webgpu' : 'cpu');

let webgpu: Promise<WebGpuBackend | undefined> | undefined;

/** One WebGPU backend per page or process, created on first use; undefined without an adapter. */
function sharedWebGpu(): Promise<WebGpuBackend | undefined> {
  webgpu ??= installNodeWebGpu().then((has) => (has ? WebGpuBackend.create().catch(() => undefined) : undefined));
  return webgpu;
}

/**
 * The backend for a device choice: 'webgpu' uses any adapter, a software one included, and
 * fails clearly without one; 'auto' uses WebGPU on a hardware adapter and otherwise the CPU,
 * saying so once.
 */
export async function selectBackend(device: Device = 'cpu'): Promise<Backend> {
  if (device === 'cpu') return cpuBackend as unknown as Backend;
  if (device !== 'webgpu' && device !== 'auto')
    throw new InvalidInputError(`unknown device "${String(device)}"; use cpu, webgpu or auto`, 'bad_device');
  if (device === 'auto') {
    const kind = await webGpuAdapterKind();
    if (autoDevice(kind) === 'cpu') {
      warnOnce(
        kind === 'fallback'
          ? 'Glassbox: the WebGPU adapter is a software one (slower than the CPU backend here), running on the CPU backend; device "webgpu" uses it anyway'
          : 'Glassbox: no WebGPU adapter, running on the CPU backend',
      );
      return cpuBackend as unknown as Backend;
    }
  }
  const gpu = await sharedWebGpu();
  if (gpu) return gpu as unknown as Backend;
  if (device === 'webgpu') {
    throw new GlassboxError(
      'no_webgpu',
      'device "webgpu" was asked for, but this environment has no WebGPU adapter (in Node: the `webgpu` package and a Vulkan driver, e.g. Mesa 25 lavapipe via VK_DRIVER_FILES; in Chromium: a GPU or --enable-unsafe-webgpu)',
    );
  }
  warnOnce('Glassbox: no WebGPU adapter, running on the CPU backend');
  return cpuBackend as unknown as Backend;
}

let warned = false;
function warnOnce(message: string): void {
  if (!warned) console.warn(message);
  warned = true;
}
