/**
 * Node has no navigator.gpu; the `webgpu` package (Dawn for Node) provides one. Install it
 * when the package is present, so the same WebGPU backend runs in Node. Returns whether
 * navigator.gpu exists afterwards.
 */
export async function installNodeWebGpu(): Promise<boolean> {
  const g = globalThis as { navigator?: { gpu?: unknown }; process?: { versions?: { node?: string } } };
  if (g.navigator?.gpu) return true;
  if (!g.process?.versions?.node) return false;
  const name = 'webgpu'; // a variable, so browser bundlers leave this Node-only import alone
  let dawn: { create(flags: string[]): unknown; globals: object };
  try {
    dawn = await import(/* @vite-ignore */ name);
  } catch {
    return false;
  }
  Object.assign(globalThis, dawn.globals);
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(g.navigator ?? {}), gpu: dawn.create([]) },
    configurable: true,
    writable: true,
  });
  return true;
}
