import type * as Ort from 'onnxruntime-web';
import { InvalidInputError } from '../errors.ts';

/** An onnxruntime build: onnxruntime-node (native, every core) or onnxruntime-web (wasm, and webgpu in a page). */
export interface OrtRuntime {
  ort: typeof Ort;
  flavour: 'node' | 'web';
}

export const inNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

let web: Promise<OrtRuntime> | undefined;
let native: Promise<OrtRuntime | undefined> | undefined;

/**
 * onnxruntime-web, reading its .wasm from where its module lies (new URL(…, import.meta.url):
 * the site itself in a bundle). transformers.js points `wasmPaths` at a CDN when it finds
 * it unset; where both share one onnxruntime-web (the demo's build, vite.config.ts), that
 * setting is removed, so nothing is fetched from outside the site. Threads: as many as
 * the machine has cores, where threads exist (Node, or a cross-origin-isolated page).
 */
export const loadOrtWeb = (): Promise<OrtRuntime> =>
  (web ??= import('onnxruntime-web').then(async (ort) => {
    if (JSON.stringify(ort.env.wasm.wasmPaths ?? '').includes('cdn.jsdelivr.net')) ort.env.wasm.wasmPaths = undefined;
    const isolated = inNode || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
    if (isolated && ort.env.wasm.numThreads === undefined) ort.env.wasm.numThreads = Math.max(1, Math.min(await cores(), 16));
    return { ort, flavour: 'web' as const };
  }));

/** The machine's cores: the page's navigator, or Node's os module (Node 20 has no navigator). */
async function cores(): Promise<number> {
  const fromNavigator = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (fromNavigator) return fromNavigator;
  if (!inNode) return 1;
  const os = (await import(/* @vite-ignore */ ['node', 'os'].join(':'))) as { availableParallelism?: () => number; cpus: () => unknown[] };
  return os.availableParallelism?.() ?? os.cpus().length;
}

/** onnxruntime-node when it is installed and this is Node (an optional dependency); undefined otherwise. */
export const loadOrtNode = (): Promise<OrtRuntime | undefined> =>
  (native ??= inNode
    ? import(/* @vite-ignore */ ['onnxruntime', 'node'].join('-')).then(
        (ort: typeof Ort) => ({ ort, flavour: 'node' as const }),
        () => undefined,
      )
    : Promise.resolve(undefined));

/** Which onnxruntime to use: 'auto' is onnxruntime-node in Node when installed, else onnxruntime-web. */
export async function loadOrt(prefer: 'auto' | 'node' | 'web' = 'auto'): Promise<OrtRuntime> {
  if (prefer !== 'web') {
    const node = await loadOrtNode();
    if (node) return node;
    if (prefer === 'node')
      throw new InvalidInputError(
        "onnxruntime: 'node' needs onnxruntime-node, which is not installed here (or this is not Node); use 'web' or 'auto'",
        'bad_engine',
      );
  }
  return loadOrtWeb();
}
