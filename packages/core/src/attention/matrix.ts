import type { Matrix } from './maps.ts';

/** Small dense matrix arithmetic for rollout and relevance (T×T, T a sequence length). */
export const identity = (n: number): Matrix => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

/** a·b. */
export function matmul(a: Matrix, b: Matrix): Matrix {
  const inner = b.length;
  const cols = b[0]!.length;
  return a.map((row) => {
    const out = new Array<number>(cols).fill(0);
    for (let k = 0; k < inner; k++) {
      const x = row[k]!;
      if (x === 0) continue;
      const bk = b[k]!;
      for (let j = 0; j < cols; j++) out[j] = out[j]! + x * bk[j]!;
    }
    return out;
  });
}

/** Each row divided by its sum. */
export const normalizeRows = (m: Matrix): Matrix =>
  m.map((row) => {
    const s = row.reduce((a, x) => a + x, 0);
    return row.map((x) => x / s);
  });
