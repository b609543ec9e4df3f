import { describe, expect, it } from 'vitest';
import { selectBackend, webGpuAdapterKind } from './select.ts';

/**
 * In the browser suite's headless Chromium the adapter is SwiftShader, a fallback adapter:
 * 'auto' runs on the CPU there and 'webgpu' on SwiftShader (on a GPU 'auto' is WebGPU).
 */
describe('device choice in Chromium', () => {
  it("'auto' takes WebGPU on a hardware adapter only; 'webgpu' takes any adapter", async () => {
    const kind = await webGpuAdapterKind();
    expect(kind).not.toBe('none');
    expect((await selectBackend('auto')).name).toBe(kind === 'fallback' ? 'cpu' : 'webgpu');
    expect((await selectBackend('webgpu')).name).toBe('webgpu');
  });
});
