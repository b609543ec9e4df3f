import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from './demoSite.ts';

/**
 * What `pnpm build` ships in assets/: onnxruntime-web's .wasm once. transformers.js imports
 * onnxruntime-web/webgpu and core onnxruntime-web; without vite.config.ts's alias each brings
 * its own build of the runtime (27 and 28 MB).
 */
describe('the built demo site', () => {
  let assets: string;
  let outDir: string;
  beforeAll(async () => {
    outDir = await buildDemo();
    assets = join(outDir, 'assets');
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('ships exactly one onnxruntime .wasm', () => {
    const wasm = readdirSync(assets).filter((f) => f.endsWith('.wasm'));
    expect(wasm).toHaveLength(1);
    expect(wasm[0]).toMatch(/^ort-wasm/);
  });

  it('ships no file twice (no two assets with the same bytes)', () => {
    const byHash = new Map<string, string[]>();
    for (const f of readdirSync(assets)) {
      const hash = createHash('sha256')
        .update(readFileSync(join(assets, f)))
        .digest('hex');
      byHash.set(hash, [...(byHash.get(hash) ?? []), f]);
    }
    expect([...byHash.values()].filter((files) => files.length > 1)).toEqual([]);
  });
});
