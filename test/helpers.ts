import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { OnnxModel, type HostTensor, env, tensor } from '@glassbox/core';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const MODELS = join(FIXTURES, 'models');

/** Point transformers.js at the copied fixtures, offline. */
export function useLocalFixtures(): void {
  env.localModelPath = `${MODELS}/`;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;
export const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8'));
export const refsOf = (model: string): Json => readJson(join(MODELS, model, 'refs.json'));

export async function loadOnnxModel(model: string, file = 'model.onnx'): Promise<OnnxModel> {
  return OnnxModel.fromBytes(new Uint8Array(readFileSync(join(MODELS, model, 'onnx', file))));
}

export const ids2d = (rows: number[][], dtype: 'int64' = 'int64'): HostTensor =>
  tensor(dtype, [rows.length, rows[0]!.length], rows.flat());

/**
 * Assert |actual − expected| ≤ atol + rtol·max|expected| elementwise (the fixtures README's
 * "abs ≤ 1e-4 + 1e-3·max|ref|" form); nulls must match nulls. The message names the worst index.
 */
export function expectClose(actual: ArrayLike<number | null>, expected: ArrayLike<number | null>, atol: number, rtol = 0, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i] ?? 0));
  const tol = atol + rtol * scale;
  let worst = -1;
  let worstDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (e === null || a === null) {
      expect(a, `${what}[${i}]`).toBe(e);
      continue;
    }
    const d = Math.abs(a! - e!);
    if (!(d <= worstDiff)) [worst, worstDiff] = [i, d];
  }
  expect(worstDiff, `${what}: worst |Δ| at [${worst}] = ${worstDiff} (actual ${actual[worst]}, expected ${expected[worst]}); tolerance ${tol}`).toBeLessThanOrEqual(tol);
}
