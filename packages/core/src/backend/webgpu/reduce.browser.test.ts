// The reduction family (reduce.ts, softmax.ts, layernorm.ts, cumsum.ts) against the CPU reference.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../methods/rng.ts';
import { type HostTensor, tensor } from '../../tensor.ts';
import { cpuBackend } from '../cpu/index.ts';
import type { Gpu } from './gpu.ts';
import { rowGrid } from './kernels/reduce.ts';
import { expectSameAsCpu, randomInts, randomTensor, webgpu } from './testing.ts';

const rng = new Rng(11);

/**
 * f32 sums of up to a few thousand terms of magnitude ≤ 1 (partial sums up to ~50) against
 * the CPU's float64 sums: rounding grows with the length and the partial sums, so long rows
 * get atol 1e-4 (as for K = 3072 dot products).
 */
const LONG = 1e-4;

describe('ReduceSum, ReduceMean, ReduceMax equal the CPU reference', () => {
  const AXES = [[], [0], [-1], [0, 2], [1], [-3, -2], [2, 1, 0]];
  it.each(['ReduceSum', 'ReduceMean', 'ReduceMax'])('%s on [7, 13, 5], every axis set, keepdims 0 and 1', async (op) => {
    const x = randomTensor(rng, [7, 13, 5], -2, 2);
    for (const axes of AXES) for (const keepdims of [0, 1]) await expectSameAsCpu(op, [x], { axes, keepdims });
    // keepdims defaults to 1; axes absent = all.
    await expectSameAsCpu(op, [x], {});
  });

  it.each(['ReduceSum', 'ReduceMean', 'ReduceMax'])('%s on int64 and int32', async (op) => {
    const x = randomInts(rng, [7, 13, 5], -50, 50);
    for (const axes of AXES) for (const keepdims of [0, 1]) await expectSameAsCpu(op, [x], { axes, keepdims });
    await expectSameAsCpu(op, [randomInts(rng, [4, 33], -1000, 1000, 'int32')], { axes: [1], keepdims: 0 });
  });

  it.each(['ReduceSum', 'ReduceMean', 'ReduceMax'])('%s on long rows and columns (768, 3072, whole tensor)', async (op) => {
    await expectSameAsCpu(op, [randomTensor(rng, [2, 3072])], { axes: [-1], keepdims: 0 }, LONG);
    await expectSameAsCpu(op, [randomTensor(rng, [4, 768])], { axes: [1] }, LONG);
    await expectSameAsCpu(op, [randomTensor(rng, [3072, 3])], { axes: [0] }, LONG);
    await expectSameAsCpu(op, [randomTensor(rng, [768, 65])], { axes: [0], keepdims: 0 }, LONG);
    await expectSameAsCpu(op, [randomTensor(rng, [4, 768, 3])], { axes: [0, 2] }, LONG);
    await expectSameAsCpu(op, [randomTensor(rng, [33, 65, 3])], { axes: [] }, LONG);
    await expectSameAsCpu(op, [randomTensor(rng, [3, 4, 5, 6, 7])], { axes: [1, 3] }, 1e-5);
  });

  it.each(['ReduceSum', 'ReduceMean', 'ReduceMax'])('%s over very long rows (split into chunks, then reduced)', async (op) => {
    // 70000-term f32 sums of values in [0, 1] (≈ 35000): rtol 1e-5 covers the rounding.
    await expectSameAsCpu(op, [randomTensor(rng, [70000], 0, 1)], { axes: [] }, 1e-5, 1e-5);
    await expectSameAsCpu(op, [randomTensor(rng, [3, 70001], 0, 1)], { axes: [1], keepdims: 0 }, 1e-5, 1e-5);
    await expectSameAsCpu(op, [randomTensor(rng, [65537, 3], 0, 1)], { axes: [0] }, 1e-5, 1e-5);
    await expectSameAsCpu(op, [randomTensor(rng, [2, 300, 257], 0, 1)], { axes: [0, 2] }, 1e-5, 1e-5);
    await expectSameAsCpu(op, [randomInts(rng, [66000, 2], -1000, 1000)], { axes: [] });
  });

  it('size-1 dims, odd extents and tile edges', async () => {
    for (const n of [1, 15, 16, 17, 31, 33, 63, 65, 255, 257]) {
      const x = randomTensor(rng, [3, 1, n]);
      await expectSameAsCpu('ReduceSum', [x], { axes: [-1] });
      await expectSameAsCpu('ReduceMax', [x], { axes: [0, 1], keepdims: 0 });
      await expectSameAsCpu('ReduceMean', [x], { axes: [1] });
    }
  });

  it('rank 0 and empty tensors', async () => {
    const s = tensor('float32', [], new Float32Array([2.5]));
    for (const op of ['ReduceSum', 'ReduceMean', 'ReduceMax']) {
      await expectSameAsCpu(op, [s], {});
      await expectSameAsCpu(op, [s], { keepdims: 0 });
      // A reduced extent of 0: sum 0, mean NaN, max −∞ (int: INT32_MIN).
      if (op !== 'ReduceMax') await expectSameAsCpu(op, [randomTensor(rng, [0, 3])], { axes: [0] });
      await expectSameAsCpu(op, [randomInts(rng, [3, 0], 0, 1)], { axes: [1], keepdims: 0 });
      // No outputs at all.
      await expectSameAsCpu(op, [randomTensor(rng, [0, 3])], { axes: [1] });
    }
  });

  it('ReduceMax over an empty extent gives −∞', async () => {
    // expectSameAsCpu compares −∞ with −∞ as NaN, so this one is checked by hand.
    const gpu = await webgpu();
    const y = await gpu.read(gpu.run('ReduceMax', [gpu.upload(randomTensor(rng, [0, 3]))], { axes: [0] })[0]!);
    expect(y.shape).toEqual([1, 3]);
    expect(Array.from(y.data)).toEqual([-Infinity, -Infinity, -Infinity]);
  });

  it('noop_with_empty_axes copies', async () => {
    await expectSameAsCpu('ReduceSum', [randomTensor(rng, [3, 5])], { axes: [], noop_with_empty_axes: 1 });
  });

  it('ReduceMax propagates NaN', async () => {
    const x = randomTensor(rng, [3, 300]);
    x.data[5] = NaN;
    x.data[300 + 299] = NaN;
    await expectSameAsCpu('ReduceMax', [x], { axes: [1] });
    await expectSameAsCpu('ReduceMax', [x], { axes: [0] });
  });

  it('spreads more workgroups than one grid dimension holds over two', () => {
    // (Running such a reduction takes ~45 s on SwiftShader, so only the grid is checked.)
    const gpu = { limits: { maxComputeWorkgroupsPerDimension: 65535 } } as Gpu;
    const layout = { wg: 256, lanes: 256, slots: 1, lanesFast: true };
    expect(rowGrid(gpu, layout, 65535)).toEqual([65535, 1]);
    const [x, y] = rowGrid(gpu, layout, 200000);
    expect(x).toBeLessThanOrEqual(65535);
    expect(x * y).toBeGreaterThanOrEqual(200000);
    expect(rowGrid(gpu, { ...layout, lanes: 16, slots: 16 }, 17)).toEqual([2, 1]);
  });

  it('reports bad axes with the op type', async () => {
    const gpu = await webgpu();
    const x = gpu.upload(randomTensor(rng, [2, 3]));
    expect(() => gpu.run('ReduceSum', [x], { axes: [2] })).toThrow(/^ReduceSum: axis 2 out of range/);
    expect(() => gpu.run('ReduceMean', [x], { axes: [1, -1] })).toThrow(/^ReduceMean: axis -1 repeated/);
    expect(() => gpu.run('ReduceMax', [gpu.upload(randomInts(rng, [2], 0, 1, 'bool'))], {})).toThrow(/^ReduceMax: bool/);
  });
});

/** Masked rows, as attention produces: some −∞ entries, and one row that is all −∞ (NaN out). */
function masked(shape: number[]): HostTensor {
  const x = randomTensor(rng, shape, -30, 30);
  const n = shape[shape.length - 1]!;
  for (let i = 0; i < x.data.length; i++) if (i % n > i / n) x.data[i] = -Infinity;
  for (let i = 0; i < n; i++) x.data[x.data.length - 1 - i] = -Infinity;
  return x;
}

describe('Softmax and LogSoftmax equal the CPU reference', () => {
  const CASES: [number[], number][] = [
    [[2, 12, 7, 7], -1],
    [[2, 12, 7, 7], 1],
    [[2, 12, 7, 7], 0],
    [[3, 768], -1],
    [[3, 768], 0],
    [[2, 3072], 1],
    [[3072, 2], 0],
    [[17], 0],
    [[5, 1], -1],
    [[300, 65], -1],
  ];
  it.each(['Softmax', 'LogSoftmax'])('%s on the last and on inner axes', async (op) => {
    for (const [shape, axis] of CASES) await expectSameAsCpu(op, [randomTensor(rng, shape, -8, 8)], { axis });
    await expectSameAsCpu(op, [randomTensor(rng, [4, 9])]); // default axis −1
  });

  it.each(['Softmax', 'LogSoftmax'])('%s with large logits and masked (−∞) entries', async (op) => {
    await expectSameAsCpu(op, [masked([9, 9])], { axis: -1 });
    await expectSameAsCpu(op, [masked([2, 768])], { axis: -1 });
    await expectSameAsCpu(op, [randomTensor(rng, [2, 65], 1000, 1100)], { axis: -1 }, 1e-5, 1e-5);
  });

  it('reports a bad axis with the op type', async () => {
    const gpu = await webgpu();
    const x = gpu.upload(randomTensor(rng, [2, 3]));
    expect(() => gpu.run('Softmax', [x], { axis: 2 })).toThrow(/^Softmax: axis 2 out of range/);
    expect(() => gpu.run('LogSoftmax', [gpu.upload(randomInts(rng, [3], 0, 3))], {})).toThrow(/^LogSoftmax: input must be float32/);
  });
});

describe('SoftmaxGrad and LogSoftmaxGrad equal the CPU reference', () => {
  const CASES: [number[], number][] = [
    [[2, 12, 7, 7], -1],
    [[2, 12, 7, 7], 1],
    [[3, 768], -1],
    [[3, 768], 0],
    [[2, 3072], -1],
    [[17], 0],
    [[65, 33], -1],
  ];
  it('SoftmaxGrad', async () => {
    for (const [shape, axis] of CASES) {
      const y = cpuBackend.run('Softmax', [randomTensor(rng, shape, -3, 3)], { axis })[0]!;
      await expectSameAsCpu('SoftmaxGrad', [y, randomTensor(rng, shape)], { axis });
    }
  });

  it('LogSoftmaxGrad', async () => {
    for (const [shape, axis] of CASES) {
      // Σ dy over 3072 terms, times exp(y): long rows get LONG.
      await expectSameAsCpu('LogSoftmaxGrad', [randomTensor(rng, shape, -9, -1), randomTensor(rng, shape)], { axis }, LONG);
    }
  });

  it('a scalar gives zeros; mismatched shapes are reported', async () => {
    const s = (v: number) => tensor('float32', [], new Float32Array([v]));
    await expectSameAsCpu('SoftmaxGrad', [s(0.3), s(2)], {});
    await expectSameAsCpu('LogSoftmaxGrad', [s(-0.3), s(2)], {});
    const gpu = await webgpu();
    expect(() => gpu.run('SoftmaxGrad', [gpu.upload(randomTensor(rng, [2, 3])), gpu.upload(randomTensor(rng, [3]))], {})).toThrow(
      /^SoftmaxGrad: dy/,
    );
  });
});

describe('LayerNormalization and LayerNormalizationGrad equal the CPU reference', () => {
  const CASES: { x: number[]; axis: number; scale: number[] }[] = [
    { x: [2, 7, 768], axis: -1, scale: [768] },
    { x: [3, 17], axis: -1, scale: [17] },
    { x: [2, 3, 5], axis: 1, scale: [3, 5] },
    { x: [2, 3, 5], axis: 1, scale: [5] },
    { x: [2, 3, 5], axis: -2, scale: [3, 1] },
    { x: [2, 3072], axis: 1, scale: [3072] },
    { x: [65, 33], axis: -1, scale: [1] },
    { x: [4, 1], axis: -1, scale: [1] },
    { x: [9], axis: 0, scale: [9] },
  ];
  it('LayerNormalization, with and without bias, epsilon 1e-12 and 1e-5', async () => {
    for (const c of CASES) {
      for (const epsilon of [1e-12, 1e-5]) {
        // Offset inputs check the two-pass variance.
        const x = randomTensor(rng, c.x, 2, 4);
        const scale = randomTensor(rng, c.scale, 0.5, 1.5);
        await expectSameAsCpu('LayerNormalization', [x, scale], { axis: c.axis, epsilon });
        await expectSameAsCpu('LayerNormalization', [x, scale, randomTensor(rng, c.scale)], { axis: c.axis, epsilon });
      }
    }
    // A bias that broadcasts differently from the scale; default axis and epsilon.
    await expectSameAsCpu('LayerNormalization', [randomTensor(rng, [2, 3, 5]), randomTensor(rng, [5]), randomTensor(rng, [3, 1])], {
      axis: 1,
    });
    await expectSameAsCpu('LayerNormalization', [randomTensor(rng, [4, 65]), randomTensor(rng, [65])]);
  });

  it('LayerNormalizationGrad', async () => {
    for (const c of CASES) {
      for (const epsilon of [1e-12, 1e-5]) {
        const x = randomTensor(rng, c.x, -2, 2);
        // (1/σ)·mean(ĝ·x̂) over 3072 terms: f32 sums, so LONG.
        await expectSameAsCpu(
          'LayerNormalizationGrad',
          [x, randomTensor(rng, c.scale, 0.5, 1.5), randomTensor(rng, c.x)],
          { axis: c.axis, epsilon },
          LONG,
        );
      }
    }
  });

  it('reports bad inputs with the op type', async () => {
    const gpu = await webgpu();
    const x = gpu.upload(randomTensor(rng, [2, 3]));
    expect(() => gpu.run('LayerNormalization', [x, gpu.upload(randomTensor(rng, [2]))], {})).toThrow(
      /^LayerNormalization: scale \[2\] does not broadcast/,
    );
    expect(() => gpu.run('LayerNormalization', [x], {})).toThrow(/^LayerNormalization: expects 2 to 3 inputs/);
    expect(() =>
      gpu.run('LayerNormalizationGrad', [x, gpu.upload(randomTensor(rng, [3])), gpu.upload(randomTensor(rng, [3]))], {}),
    ).toThrow(/^LayerNormalizationGrad: dy/);
  });
});

describe('CumSum equals the CPU reference', () => {
  const FLAGS = [
    { exclusive: 0, reverse: 0 },
    { exclusive: 1, reverse: 0 },
    { exclusive: 0, reverse: 1 },
    { exclusive: 1, reverse: 1 },
  ];
  it('float and int64 on [7, 13, 5], axes 0, 1, −1, every flag combination', async () => {
    const f = randomTensor(rng, [7, 13, 5]);
    const i = randomInts(rng, [7, 13, 5], -100, 100);
    for (const axis of [0, 1, -1]) {
      for (const flags of FLAGS) {
        await expectSameAsCpu('CumSum', [f], { axis, ...flags });
        await expectSameAsCpu('CumSum', [i], { axis, ...flags });
      }
    }
  });

  it('long lines (several chunks of a workgroup) and tile edges', async () => {
    for (const flags of FLAGS) {
      await expectSameAsCpu('CumSum', [randomTensor(rng, [2, 3072])], { axis: -1, ...flags }, LONG);
      await expectSameAsCpu('CumSum', [randomTensor(rng, [768, 3])], { axis: 0, ...flags }, LONG);
      await expectSameAsCpu('CumSum', [randomInts(rng, [3, 1000], -1000, 1000)], { axis: 1, ...flags });
      for (const n of [1, 15, 16, 17, 255, 256, 257, 300])
        await expectSameAsCpu('CumSum', [randomTensor(rng, [n])], { axis: 0, ...flags }, LONG);
      await expectSameAsCpu('CumSum', [randomInts(rng, [0, 4], 0, 3)], { axis: 1, ...flags });
    }
  });

  it('reports a missing or bad axis with the op type', async () => {
    const gpu = await webgpu();
    const x = gpu.upload(randomTensor(rng, [2, 3]));
    expect(() => gpu.run('CumSum', [x], {})).toThrow(/^CumSum: attribute axis is required/);
    expect(() => gpu.run('CumSum', [x], { axis: -3 })).toThrow(/^CumSum: axis -3 out of range/);
  });
});
