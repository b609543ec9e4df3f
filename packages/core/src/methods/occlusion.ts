import { InvalidInputError } from '../errors.ts';
import { type ProgressOptions, checkBatchSize, throwIfAborted, yieldBetweenPasses } from './batch.ts';

export interface OcclusionOptions extends ProgressOptions {
  /** Value written into occluded positions (a token id for text). */
  replacement: number;
  /** Positions that may be occluded; others get `null`. Default: all. */
  positions?: readonly number[];
  /** Consecutive positions occluded together. Default 1 (leave-one-out). */
  window?: number;
  /** Shift between windows. Default 1. */
  stride?: number;
  /** Occluded copies scored per pass. Default 64. */
  batchSize?: number;
}

/**
 * Occlusion over a 1-D sequence of discrete features (token ids): each window of
 * positions is replaced and the attribution is f(original) − f(occluded), averaged over
 * the windows covering a position (Captum Occlusion). `score` evaluates rows of ids.
 */
export async function occlusion(
  score: (rows: number[][]) => Promise<Float64Array>,
  ids: readonly number[],
  options: OcclusionOptions,
): Promise<{ values: (number | null)[]; inputScore: number }> {
  const window = options.window ?? 1;
  const stride = options.stride ?? 1;
  checkOcclusionWindow(window, stride);
  checkBatchSize(options.batchSize);
  const allowed = new Set(options.positions ?? ids.map((_, i) => i));
  const order = [...allowed].sort((a, b) => a - b);
  const windows: number[][] = [];
  for (let start = 0; start < order.length; start += stride) {
    windows.push(order.slice(start, start + window));
    if (start + window >= order.length) break;
  }
  const rows = windows.map((w) => {
    const row = [...ids];
    for (const p of w) row[p] = options.replacement;
    return row;
  });
  throwIfAborted(options.signal);
  const [base] = await score([[...ids]]);
  const batch = options.batchSize ?? 64;
  const drops = new Float64Array(rows.length);
  for (let s = 0; s < rows.length; s += batch) {
    throwIfAborted(options.signal);
    const scores = await score(rows.slice(s, s + batch));
    scores.forEach((v, k) => (drops[s + k] = base! - v));
    options.onProgress?.(Math.min(rows.length, s + batch) / rows.length, 'occlusion');
    await yieldBetweenPasses(options);
  }
  throwIfAborted(options.signal);
  const sum = new Float64Array(ids.length);
  const count = new Float64Array(ids.length);
  windows.forEach((w, k) => w.forEach((p) => ((sum[p]! += drops[k]!), (count[p]! += 1))));
  return { values: ids.map((_, i) => (count[i] ? sum[i]! / count[i]! : null)), inputScore: base! };
}

/** An occlusion window and stride (in tokens or pixels) must be positive integers; else an error naming the bad one. */
export function checkOcclusionWindow(window: number, stride: number): void {
  for (const [name, v] of [
    ['window', window],
    ['stride', stride],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new InvalidInputError(`occlusion ${name} must be a positive integer, got ${v}`, 'bad_occlusion');
  }
}
