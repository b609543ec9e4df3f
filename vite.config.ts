import { playwright } from '@vitest/browser-playwright';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/** Debian's Chromium with WebGPU on (SwiftShader where there is no GPU); never a downloaded browser. */
const chromium = playwright({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--enable-unsafe-webgpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  },
});

/**
 * Cross-origin isolation: onnxruntime-web runs its wasm on threads (packages/core/src/model/ortRuntime.ts
 * sets ort.env.wasm.numThreads to the core count) only where the page is `crossOriginIsolated`,
 * which takes these two headers on the page and on every file it loads (its workers included).
 * Everything the demo loads comes from its own origin (page, workers, .wasm, bundled models), and
 * Hub downloads are CORS fetches, so `require-corp` blocks nothing. The dev server (`pnpm demo`) and
 * `vite preview` send them; the build writes them to `_headers` for Netlify and Cloudflare Pages
 * (README, *Cross-origin isolation*, for other hosts). The browser tests' server (vitest) is left
 * as it was.
 */
const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Writes ISOLATION_HEADERS for every path to the build's `_headers` (Netlify / Cloudflare Pages format). */
const headersFile: Plugin = {
  name: 'glassbox-headers-file',
  apply: 'build',
  generateBundle() {
    const lines = Object.entries(ISOLATION_HEADERS).map(([name, value]) => `  ${name}: ${value}`);
    this.emitFile({ type: 'asset', fileName: '_headers', source: ['/*', ...lines, ''].join('\n') });
  },
};

export default defineConfig({
  root: 'demo',
  base: './',
  // The bundled models are the demo's static files.
  publicDir: '../models',
  build: { outDir: 'dist', emptyOutDir: true },
  // transformers.js imports onnxruntime-web/webgpu, core onnxruntime-web: one module, so the site ships one .wasm (test/demo-dist.test.ts).
  resolve: { alias: [{ find: /^onnxruntime-web\/webgpu$/, replacement: 'onnxruntime-web' }] },
  // Unbundled, onnxruntime-web finds its .wasm next to its module (new URL(..., import.meta.url)), on this origin.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  // The engine's worker is a module worker (`type: 'module'`) that imports split chunks: ES output, same origin (CSP worker-src 'self').
  // onnxruntime-web in a chunk of its own: its wasm threads start workers on the script that holds it
  // (new Worker(import.meta.url)), which must be onnxruntime-web alone, not the engine's worker entry.
  worker: {
    format: 'es',
    rollupOptions: { output: { manualChunks: (id) => (id.includes('/onnxruntime-web/') ? 'onnxruntime-web' : undefined) } },
  },
  plugins: [headersFile],
  server: { headers: process.env.VITEST ? {} : ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  test: {
    root: '.',
    testTimeout: 300_000,
    hookTimeout: 300_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.browser.test.ts', '**/node_modules/**'],
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'chromium',
          include: ['packages/*/src/**/*.browser.test.ts', 'test/**/*.browser.test.ts'],
          browser: { enabled: true, headless: true, provider: chromium, instances: [{ browser: 'chromium' }] },
        },
      },
    ],
  },
});
