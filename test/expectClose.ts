import { expect } from 'vitest';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

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
  expect(
    worstDiff,
    `${what}: worst |Δ| at [${worst}] = ${worstDiff} (actual ${actual[worst]}, expected ${expected[worst]}); tolerance ${tol}`,
  ).toBeLessThanOrEqual(tol);
}
