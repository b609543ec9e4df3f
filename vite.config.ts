import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: 'demo',
  base: './',
  // The bundled models are the demo's static files.
  publicDir: '../models',
  build: { outDir: 'dist', emptyOutDir: true },
  test: {
    root: '.',
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
