// Gather and GatherGrad against the CPU reference. Gather moves 32-bit words, so it must
// match exactly; GatherGrad sums at most a few dozen values in f32 where the CPU sums in
// f64, so 1e-5 covers the rounding.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../methods/rng.ts';
import { intTensor } from '../../tensor.ts';
import { expectSameAsCpu, randomInts, randomTensor, webgpu } from './testing.ts';

const rng = new Rng(5);

describe('Gather equals the CPU reference', () => {
  it('axis 0 from an embedding-like table with [1, 7] indices, float and int64', async () => {
    const ids = randomInts(rng, [1, 7], 0, 999);
    await expectSameAsCpu('Gather', [randomTensor(rng, [1000, 8]), ids], { axis: 0 }, 0, 0);
    await expectSameAsCpu('Gather', [randomInts(rng, [1000, 8], -5000, 5000), ids], { axis: 0 }, 0, 0);
    await expectSameAsCpu('Gather', [randomTensor(rng, [512, 768]), randomInts(rng, [2, 9], 0, 511, 'int32')], { axis: 0 }, 0, 0);
  });

  it('axis 1 with scalar indices (DistilBERT [:, 0] pooling), and negative axis', async () => {
    const x = randomTensor(rng, [2, 7, 768]);
    await expectSameAsCpu('Gather', [x, intTensor([], [0])], { axis: 1 }, 0, 0);
    await expectSameAsCpu('Gather', [x, intTensor([], [-1])], { axis: -2 }, 0, 0);
    await expectSameAsCpu('Gather', [randomInts(rng, [7, 13, 5], -9, 9), intTensor([], [4])], { axis: -1 }, 0, 0);
  });

  it('repeated and negative indices, every axis, rank-1 data', async () => {
    const idx = intTensor([2, 3], [1, -1, 1, 0, -5, 4]);
    for (const axis of [0, 1, 2, -1]) {
      await expectSameAsCpu('Gather', [randomTensor(rng, [7, 13, 5]), idx], { axis }, 0, 0);
      await expectSameAsCpu('Gather', [randomInts(rng, [7, 13, 5], -9, 9), idx], { axis }, 0, 0);
    }
    await expectSameAsCpu('Gather', [randomTensor(rng, [9]), intTensor([4], [8, -9, 0, 0])], {}, 0, 0);
    await expectSameAsCpu('Gather', [randomTensor(rng, [9]), intTensor([], [-2])], {}, 0, 0);
    await expectSameAsCpu('Gather', [randomTensor(rng, [9, 4]), intTensor([0], [])], {}, 0, 0);
  });

  it('rejects float indices and a bad axis', async () => {
    const gpu = await webgpu();
    const x = gpu.upload(randomTensor(rng, [3, 4]));
    expect(() => gpu.run('Gather', [x, gpu.upload(randomTensor(rng, [2]))], {})).toThrow(/^Gather/);
    expect(() => gpu.run('Gather', [x, gpu.upload(intTensor([1], [0]))], { axis: 2 })).toThrow(/^Gather/);
  });
});

describe('GatherGrad equals the CPU reference', () => {
  it('repeated and negative indices accumulate', async () => {
    await expectSameAsCpu('GatherGrad', [randomTensor(rng, [3]), intTensor([3], [0, 1, -2])], { axis: 0, dataShape: [2] });
    const idx = intTensor([2, 3], [1, 3, 1, -1, 0, 1]);
    await expectSameAsCpu('GatherGrad', [randomTensor(rng, [2, 2, 3, 3]), idx], { axis: 1, dataShape: [2, 4, 3] });
    await expectSameAsCpu('GatherGrad', [randomTensor(rng, [7, 2, 3, 5]), idx], { axis: -2, dataShape: [7, 13, 5] });
    await expectSameAsCpu('GatherGrad', [randomTensor(rng, [7, 13, 2, 3]), idx], { axis: 2, dataShape: [7, 13, 5] });
  });

  it('embedding-like table with many repeats, scalar and int32 indices', async () => {
    const ids = randomInts(rng, [2, 33], 0, 20);
    await expectSameAsCpu('GatherGrad', [randomTensor(rng, [2, 33, 768]), ids], { axis: 0, dataShape: [21, 768] });
    await expectSameAsCpu('GatherGrad', [randomTensor(rng, [2, 768]), intTensor([], [0])], { axis: 1, dataShape: [2, 7, 768] });
    await expectSameAsCpu('GatherGrad', [randomTensor(rng, [3, 4]), intTensor([4], [0, 0, 0, 2], 'int32')], {
      axis: -1,
      dataShape: [3, 4],
    });
    await expectSameAsCpu('GatherGrad', [randomTensor(rng, [0, 4]), intTensor([0], [])], { axis: 0, dataShape: [5, 4] });
  });

  it('rejects a dy of the wrong shape', async () => {
    const gpu = await webgpu();
    const dy = gpu.upload(randomTensor(rng, [2, 4]));
    expect(() => gpu.run('GatherGrad', [dy, gpu.upload(intTensor([3], [0, 1, 2]))], { axis: 0, dataShape: [5, 4] })).toThrow(/^GatherGrad/);
  });
});
