import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * Device choice against fake adapters (navigator.gpu installed by the test, so the `webgpu`
 * package is never loaded): 'auto' skips a software adapter, 'webgpu' takes it. Each test
 * imports select.ts afresh (it asks for the adapter once per process).
 */
type FakeAdapter = { info?: { isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean };

/** A fake adapter whose device has just what WebGpuBackend.create touches. */
function adapter(flags: FakeAdapter): object {
  const limits = {
    maxStorageBufferBindingSize: 2 ** 27,
    maxBufferSize: 2 ** 28,
    maxComputeWorkgroupStorageSize: 16384,
    maxComputeInvocationsPerWorkgroup: 256,
  };
  const device = { limits, lost: new Promise(() => {}), addEventListener() {}, createBuffer: () => ({}) };
  return { ...flags, limits, requestDevice: async () => device };
}

const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
function install(fake: object | null): void {
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu: { requestAdapter: async () => fake } },
    configurable: true,
    writable: true,
  });
}

async function freshSelect() {
  vi.resetModules();
  return import('./select.ts');
}

describe('selectBackend with fake adapters', () => {
  let warn: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    vi.stubGlobal('GPUBufferUsage', { UNIFORM: 0x40, COPY_DST: 0x8 });
    warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    warn.mockRestore();
    if (saved) Object.defineProperty(globalThis, 'navigator', saved);
    else delete (globalThis as { navigator?: unknown }).navigator;
  });

  it("'auto' skips a fallback adapter (adapter.info.isFallbackAdapter): the CPU, with one warning", async () => {
    install(adapter({ info: { isFallbackAdapter: true } }));
    const { selectBackend, webGpuAdapterKind } = await freshSelect();
    expect(await webGpuAdapterKind()).toBe('fallback');
    expect((await selectBackend('auto')).name).toBe('cpu');
    expect((await selectBackend('auto')).name).toBe('cpu');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/software/);
  });

  it("'auto' skips an adapter flagged the older way (adapter.isFallbackAdapter)", async () => {
    install(adapter({ isFallbackAdapter: true }));
    const { selectBackend, webGpuAdapterKind } = await freshSelect();
    expect(await webGpuAdapterKind()).toBe('fallback');
    expect((await selectBackend('auto')).name).toBe('cpu');
  });

  it("'webgpu' still uses a fallback adapter", async () => {
    install(adapter({ info: { isFallbackAdapter: true } }));
    const { selectBackend } = await freshSelect();
    expect((await selectBackend('webgpu')).name).toBe('webgpu');
  });

  it("'auto' uses a hardware adapter (isFallbackAdapter false or absent)", async () => {
    for (const flags of [{ info: { isFallbackAdapter: false } }, {}]) {
      install(adapter(flags));
      const { selectBackend, webGpuAdapterKind } = await freshSelect();
      expect(await webGpuAdapterKind()).toBe('hardware');
      expect((await selectBackend('auto')).name).toBe('webgpu');
    }
    expect(warn).not.toHaveBeenCalled();
  });

  it("no adapter: 'auto' is the CPU, 'webgpu' an error with code no_webgpu", async () => {
    install(null);
    const { selectBackend, webGpuAdapterKind } = await freshSelect();
    expect(await webGpuAdapterKind()).toBe('none');
    expect((await selectBackend('auto')).name).toBe('cpu');
    await expect(selectBackend('webgpu')).rejects.toMatchObject({ code: 'no_webgpu' });
  });
});

describe('autoDevice', () => {
  it('is WebGPU on a hardware adapter only', async () => {
    const { autoDevice } = await import('./select.ts');
    expect([autoDevice('hardware'), autoDevice('fallback'), autoDevice('none')]).toEqual(['webgpu', 'cpu', 'cpu']);
  });
});
