// The buffer pool: released buffers are reused by size, capped, and given back by free/trim.
import { describe, expect, it } from 'vitest';
import { MIN_POOL_CAP } from './gpu.ts';
import { requestGpu } from './index.ts';

const MiB = 2 ** 20;

describe('the WebGPU buffer pool', () => {
  it('reuses a released buffer of the same size, and free/trim give buffers back to the device', async () => {
    const gpu = (await requestGpu())!;
    const a = gpu.alloc('float32', [1000]);
    gpu.release(a);
    const b = gpu.alloc('float32', [1000]);
    expect(b.buffer).toBe(a.buffer);
    expect(gpu.memoryStats()).toMatchObject({ liveBytes: 4000, pooledBytes: 0, createdBytes: 4000 });
    const c = gpu.alloc('float32', [10]);
    gpu.free(b);
    expect(gpu.memoryStats()).toMatchObject({ liveBytes: 48, pooledBytes: 0, createdBytes: 48 });
    gpu.release(c);
    expect(gpu.memoryStats()).toMatchObject({ liveBytes: 0, pooledBytes: 48, createdBytes: 48, peakBytes: 4048 });
    gpu.trim();
    expect(gpu.memoryStats()).toMatchObject({ liveBytes: 0, pooledBytes: 0, createdBytes: 0 });
    gpu.destroy();
  });

  it('holds at most max(2 × peak live, MIN_POOL_CAP), evicting the least recently released sizes', async () => {
    const gpu = (await requestGpu())!;
    // One 4 MiB tensor at a time, each a new size (as a new input length would be): unpooled
    // sizes pile up to 40 × 4 MiB without a cap.
    const sizes = Array.from({ length: 40 }, (_, k) => MiB + 4 * k);
    for (const n of sizes) {
      gpu.release(gpu.alloc('float32', [n]));
      expect(gpu.memoryStats().createdBytes).toBeLessThanOrEqual(Math.max(2 * gpu.peakBytes, MIN_POOL_CAP));
    }
    const before = gpu.memoryStats().createdBytes;
    expect(before).toBeGreaterThan(MIN_POOL_CAP - 5 * MiB);
    // The latest size is still pooled; the first was evicted long ago and must be created again.
    gpu.release(gpu.alloc('float32', [sizes.at(-1)!]));
    expect(gpu.memoryStats().createdBytes).toBe(before);
    const first = gpu.alloc('float32', [sizes[0]!]);
    expect(gpu.memoryStats().createdBytes).toBeLessThanOrEqual(Math.max(2 * gpu.peakBytes, MIN_POOL_CAP));
    gpu.release(first);
    expect(gpu.memoryStats().liveBytes).toBe(0);
    gpu.destroy();
  });
});
