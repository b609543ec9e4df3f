import { InvalidInputError } from '../errors.ts';
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

/**
 * Evaluate `count` rows in chunks: `fill(k, row)` writes row k's features into `row`,
 * `consume(chunk, start)` receives each [b, ...shape] batch.
 */
export async function forEachBatch(
  count: number,
  shape: readonly number[],
  batchSize: number | undefined,
  fill: (k: number, row: Float32Array) => void,
  consume: (x: HostTensor, start: number) => Promise<void>,
): Promise<void> {
  checkBatchSize(batchSize);
  const rowSize = sizeOf(shape);
  const size = batchSize ?? defaultBatchSize(count, rowSize);
  for (let start = 0; start < count; start += size) {
    const b = Math.min(size, count - start);
    const data = new Float32Array(b * rowSize);
    for (let k = 0; k < b; k++) fill(start + k, data.subarray(k * rowSize, (k + 1) * rowSize));
    await consume(tensor('float32', [b, ...shape], data), start);
  }
}
