import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

/** Debian's Chromium with WebGPU on (SwiftShader where there is no GPU); never a downloaded browser. */
const chromium = playwright({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  },
});

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
  worker: { format: 'es' },
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
