import { GlassboxError, InvalidInputError } from '../errors.ts';
import { type HostTensor, sizeOf, tensor } from '../tensor.ts';

/** Rows per pass when neither the caller nor the function says: up to 256k input features per pass. */
export function defaultBatchSize(total: number, rowSize: number): number {
  return Math.max(1, Math.min(total, Math.floor(262_144 / Math.max(1, rowSize))));
}

export function checkBatchSize(n: number | undefined): void {
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
    throw new InvalidInputError(`internalBatchSize must be a positive integer, got ${n}`, 'bad_batch_size');
  }
}

/** Progress reports and cancellation of a long computation (every method that runs several passes). */
export interface ProgressOptions {
  /** Called after each pass with the fraction of the work done (0..1] and what is being computed. */
  onProgress?: (fraction: number, stage: string) => void;
  /**
   * Cancels between passes: once aborted, the next pass is not started and the call rejects
   * with a GlassboxError of code 'aborted'. A pass in flight finishes first, so the model
   * (and its device) stays usable for the next call.
   */
  signal?: AbortSignal;
}

/**
 * Lets the event loop run (a macrotask turn) between passes when someone listens: a page
 * repaints its progress bar and handles a cancel click even while the CPU backend computes
 * on the main thread. A no-op without onProgress and signal.
 */
export async function yieldBetweenPasses(progress: ProgressOptions): Promise<void> {
  if (progress.onProgress || progress.signal) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/** Throws a GlassboxError of code 'aborted' when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new GlassboxError('aborted', 'the explanation was cancelled');
}

/**
 * Evaluate `count` rows in chunks: `fill(k, row)` writes row k's features into `row`,
 * `consume(chunk, start)` receives each [b, ...shape] batch. With `progress`, the signal is
 * checked before each pass and after the last, and `onProgress(rows done / count, stage)`
 * is called after each pass.
 */
export async function forEachBatch(
  count: number,
  shape: readonly number[],
  batchSize: number | undefined,
  fill: (k: number, row: Float32Array) => void,
  consume: (x: HostTensor, start: number) => Promise<void>,
  progress: ProgressOptions & { stage?: string } = {},
): Promise<void> {
  checkBatchSize(batchSize);
  const rowSize = sizeOf(shape);
  const size = batchSize ?? defaultBatchSize(count, rowSize);
  for (let start = 0; start < count; start += size) {
    throwIfAborted(progress.signal);
    const b = Math.min(size, count - start);
    const data = new Float32Array(b * rowSize);
    for (let k = 0; k < b; k++) fill(start + k, data.subarray(k * rowSize, (k + 1) * rowSize));
    await consume(tensor('float32', [b, ...shape], data), start);
    progress.onProgress?.((start + b) / count, progress.stage ?? 'passes');
    await yieldBetweenPasses(progress);
  }
  throwIfAborted(progress.signal);
}
