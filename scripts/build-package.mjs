#!/usr/bin/env node
/**
 * Builds the package in the current folder to dist/ (ESM JavaScript, .d.ts, source maps):
 * `tsc -p tsconfig.build.json`, which rewrites the sources' relative `.ts` imports to `.js`.
 * The one import tsc leaves alone is a worker's `new URL('./x.ts', import.meta.url)` (a
 * string, so that bundlers see the worker): it is pointed at the built `.js` here.
 * Run by each package's `build` script, and so by `pnpm pack` (prepack).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

const workerUrl = /new URL\('(\.{1,2}\/[^']+)\.ts', import\.meta\.url\)/g;
function rewrite(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) rewrite(path);
    else if (entry.name.endsWith('.js')) {
      const text = readFileSync(path, 'utf8');
      const fixed = text.replace(workerUrl, "new URL('$1.js', import.meta.url)");
      if (fixed !== text) writeFileSync(path, fixed);
    }
  }
}
rewrite('dist');
