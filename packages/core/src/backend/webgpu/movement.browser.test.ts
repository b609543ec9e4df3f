// Movement kernels against the CPU reference. They only move 32-bit words, so float
// results must match exactly (atol = rtol = 0), as integer results always do.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../methods/rng.ts';
import type { Attrs } from '../backend.ts';
import { type HostTensor, intTensor } from '../../tensor.ts';
import { expectSameAsCpu, randomInts, randomTensor, webgpu } from './testing.ts';

const rng = new Rng(11);
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

const same = (op: string, inputs: HostTensor[], attrs: Attrs = {}) => expectSameAsCpu(op, inputs, attrs, 0, 0);
/** A float and an int64 tensor of the shape. */
const both = (shape: number[]): HostTensor[] => [randomTensor(rng, shape), randomInts(rng, shape, -1000, 1000)];

describe('movement kernels equal the CPU reference', () => {
  it('Reshape, float and int64, to and from rank 0 and 1', async () => {
    for (const x of both([7, 13, 5])) {
      await same('Reshape', [x], { shape: [5, 91] });
      await same('Reshape', [x], { shape: [455] });
      await same('Reshape', [x], { shape: [7, 13, 5] });
    }
    for (const x of both([])) await same('Reshape', [x], { shape: [1, 1] });
    for (const x of both([1])) await same('Reshape', [x], { shape: [] });
    await same('Reshape', [randomTensor(rng, [0, 3])], { shape: [3, 0] });
    await same('Reshape', [randomTensor(rng, [3, 3072])], { shape: [3, 4, 768] });
  });

  it('Reshape writes a new buffer (no aliasing of the input)', async () => {
    const gpu = await webgpu();
    const x = gpu.upload(randomTensor(rng, [4, 6]));
    const [y] = gpu.run('Reshape', [x], { shape: [24] });
    expect(y!.buffer).not.toBe(x.buffer);
    const want = await gpu.read(x);
    gpu.release(x);
    expect(Array.from((await gpu.read(y!)).data)).toEqual(Array.from(want.data));
  });

  it('Reshape rejects a size mismatch', async () => {
    const gpu = await webgpu();
    expect(() => gpu.run('Reshape', [gpu.upload(randomTensor(rng, [2, 3]))], { shape: [4] })).toThrow(/^Reshape/);
  });

  it('Expand', async () => {
    for (const x of both([3, 1])) await same('Expand', [x], { shape: [2, 3, 4] });
    for (const x of both([])) await same('Expand', [x], { shape: [5] });
    for (const x of both([7, 1, 5])) await same('Expand', [x], { shape: [7, 13, 5] });
    await same('Expand', [randomTensor(rng, [1, 768])], { shape: [3, 1, 768] });
    await same('Expand', [randomTensor(rng, [4, 1])], { shape: [1, 65] }); // bidirectional: [4, 65]
    await same('Expand', [randomTensor(rng, [2, 3])], { shape: [2, 3] });
    await same('Expand', [randomTensor(rng, [2, 1])], { shape: [2, 0] });
  });

  it('Transpose', async () => {
    for (const x of both([7, 13, 5])) {
      await same('Transpose', [x], { perm: [2, 0, 1] });
      await same('Transpose', [x], { perm: [0, 1, 2] });
      await same('Transpose', [x], {}); // default: reversed axes
    }
    for (const x of both([2, 7, 3, 5])) await same('Transpose', [x], { perm: [0, 2, 1, 3] });
    await same('Transpose', [randomTensor(rng, [2, 12, 17, 64])], { perm: [0, 2, 1, 3] });
    await same('Transpose', [randomTensor(rng, [65, 33])], { perm: [1, 0] });
    await same('Transpose', [randomTensor(rng, [1, 16, 1, 3])], { perm: [3, 1, 0, 2] });
    await same('Transpose', [randomTensor(rng, [])], {});
    await same('Transpose', [randomTensor(rng, [9])], { perm: [0] });
  });

  it('Concat of 1, 2 and 12 inputs along axis 0, 1 and -1', async () => {
    for (const axis of [0, 1, -1]) {
      for (const mk of [(s: number[]) => randomTensor(rng, s), (s: number[]) => randomInts(rng, s, -99, 99)]) {
        const shapeWith = (k: number) => {
          const s = [7, 13, 5];
          s[axis < 0 ? axis + 3 : axis] = k;
          return s;
        };
        await same('Concat', [mk(shapeWith(3))], { axis });
        await same('Concat', [mk(shapeWith(3)), mk(shapeWith(4))], { axis });
        await same(
          'Concat',
          Array.from({ length: 12 }, (_, k) => mk(shapeWith((k % 4) + (k === 5 ? 0 : 1)))),
          { axis },
        );
      }
    }
    await same('Concat', [randomTensor(rng, [3]), randomTensor(rng, [0]), randomTensor(rng, [5])], { axis: 0 });
    await same('Concat', [randomTensor(rng, [1, 2, 768]), randomTensor(rng, [1, 5, 768])], { axis: -2 });
  });

  it('Concat rejects mismatched inputs', async () => {
    const gpu = await webgpu();
    const a = gpu.upload(randomTensor(rng, [2, 3]));
    const b = gpu.upload(randomTensor(rng, [3, 3]));
    expect(() => gpu.run('Concat', [a, b], { axis: 1 })).toThrow(/^Concat/);
  });

  it('Split into unequal parts', async () => {
    for (const x of both([7, 13, 5])) {
      await same('Split', [x], { axis: 1, split: [2, 0, 6, 5] });
      await same('Split', [x], { axis: 0, split: [1, 6] });
      await same('Split', [x], { axis: -1, split: [4, 1] });
      await same('Split', [x], { axis: 1, num_outputs: 3 });
    }
    await same('Split', [randomTensor(rng, [2, 5, 2304])], { axis: -1, split: [768, 768, 768] });
    await same('Split', [randomInts(rng, [9], 0, 9)], { split: [9] });
  });

  it('Slice: negative and huge ends, negative steps, empty results', async () => {
    const cases: Attrs[] = [
      { starts: [1], ends: [INT32_MAX], axes: [1] },
      { starts: [-3, 2], ends: [-1, 100], axes: [2, 0] },
      { starts: [-1], ends: [INT32_MIN], axes: [0], steps: [-1] },
      { starts: [10, -2], ends: [-10, 0], axes: [1, 2], steps: [-2, -1] },
      { starts: [0, 1, 4], ends: [7, 13, 0], axes: [0, 1, 2], steps: [3, 5, -2] },
      { starts: [3], ends: [1], axes: [1] }, // zero-length axis
      { starts: [2], ends: [3], axes: [-2] },
      { starts: [0], ends: [1], axes: [-1] },
    ];
    for (const x of both([7, 13, 5])) for (const attrs of cases) await same('Slice', [x], attrs);
    for (const x of both([9])) {
      await same('Slice', [x], { starts: [-100], ends: [-100], steps: [-1] });
      await same('Slice', [x], { starts: [8], ends: [-1000], steps: [-3] });
    }
    await same('Slice', [randomTensor(rng, [2, 7, 768])], { starts: [0], ends: [1], axes: [1] }); // [:, 0] as a slice
  });

  it('SliceGrad scatters dy where Slice reads', async () => {
    const cases: Attrs[] = [
      { starts: [1], ends: [INT32_MAX], axes: [1] },
      { starts: [-1], ends: [INT32_MIN], axes: [0], steps: [-1] },
      { starts: [10, -2], ends: [-10, 0], axes: [1, 2], steps: [-2, -1] },
      { starts: [0, 1, 4], ends: [7, 13, 0], axes: [0, 1, 2], steps: [3, 5, -2] },
      { starts: [3], ends: [1], axes: [1] },
      { starts: [0, 0, 0], ends: [7, 13, 5] },
    ];
    const inputShape = [7, 13, 5];
    for (const c of cases) {
      const { cpuBackend } = await import('../cpu/index.ts');
      const yShape = cpuBackend.run('Slice', [randomTensor(rng, inputShape)], c)[0]!.shape;
      await same('SliceGrad', [randomTensor(rng, [...yShape])], { ...c, inputShape });
    }
    await same('SliceGrad', [randomTensor(rng, [3])], { inputShape: [9], starts: [8], ends: [-1000], steps: [-3] });
    await same('SliceGrad', [randomTensor(rng, [])], { inputShape: [], starts: [], ends: [] });
  });

  it('Shape with start and end', async () => {
    const x = randomTensor(rng, [7, 13, 5]);
    for (const attrs of [{}, { start: 1 }, { end: -1 }, { start: -2, end: 3 }, { start: 2, end: 1 }, { start: -10, end: 10 }])
      await same('Shape', [x], attrs);
    await same('Shape', [randomTensor(rng, [])], {});
  });

  it('ConstantOfShape and Range say they are folded at plan time', async () => {
    const gpu = await webgpu();
    expect(() => gpu.run('ConstantOfShape', [gpu.upload(intTensor([2], [3, 4]))], {})).toThrow(/^ConstantOfShape: .*plan time/);
    const s = gpu.upload(intTensor([], [0]));
    expect(() => gpu.run('Range', [s, s, s], {})).toThrow(/^Range: .*plan time/);
  });
});
