import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: 'demo',
  base: './',
  build: { outDir: 'dist', emptyOutDir: true },
  test: {
    root: '.',
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
