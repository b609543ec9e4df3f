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

  it('evicts the sizes released longest ago: a size used again goes to the back', async () => {
    const gpu = (await requestGpu())!;
    // 15 sizes of about 4 MiB, released one after the other: 60 MiB pooled, under the floor.
    const sizes = Array.from({ length: 15 }, (_, k) => MiB + 4 * k);
    const buffers = sizes.map((n) => {
      const t = gpu.alloc('float32', [n]);
      gpu.release(t);
      return t.buffer;
    });
    // The first size, used again, becomes the most recently released; the second is now the oldest.
    const again = gpu.alloc('float32', [sizes[0]!]);
    expect(again.buffer, 'a pooled size is reused').toBe(buffers[0]);
    gpu.release(again);
    // Two new sizes take the device past the floor: the two sizes released longest ago go.
    for (const n of [MiB + 1000, MiB + 1004]) gpu.release(gpu.alloc('float32', [n]));
    expect(gpu.memoryStats().createdBytes).toBeLessThanOrEqual(MIN_POOL_CAP);
    const reused = (k: number) => {
      const t = gpu.alloc('float32', [sizes[k]!]);
      return t.buffer === buffers[k];
    };
    // (Pooled ones first: taking an evicted size creates a buffer, which evicts others.)
    expect([0, 3, 14, 1, 2].map(reused), 'sizes 0, 3 and 14 still pooled; 1 and 2 evicted').toEqual([true, true, true, false, false]);
    gpu.destroy();
  });

  it('with more than half the floor live at once, the cap is twice the peak', async () => {
    const gpu = (await requestGpu())!;
    // Rounds of 10 tensors of new sizes of about 4 MiB live at once: a 40 MiB peak, an 80 MiB cap.
    for (let round = 0; round < 5; round++) {
      const live = Array.from({ length: 10 }, (_, k) => gpu.alloc('float32', [MiB + 4 * (10 * round + k)]));
      expect(gpu.memoryStats().createdBytes).toBeLessThanOrEqual(2 * gpu.peakBytes);
      for (const t of live) gpu.release(t);
    }
    expect(2 * gpu.peakBytes).toBeGreaterThan(MIN_POOL_CAP);
    expect(gpu.memoryStats().createdBytes, 'more than the floor is kept, up to twice the peak').toBeGreaterThan(MIN_POOL_CAP + 8 * MiB);
    gpu.destroy();
  });
});
