import { describe, expect, it } from 'vitest';
import { Rng } from '../../methods/rng.ts';
import { type HostTensor, tensor } from '../../tensor.ts';
import { type MatmulTile, TILE_FEW_ROWS, TILE_MANY_ROWS, TILE_MATVEC, tileFor } from './kernels/matmul.ts';
import { expectSameAsCpu, randomInts, randomTensor, webgpu } from './testing.ts';

const rng = new Rng(11);
const scalar = (v: number): HostTensor => tensor('float32', [], new Float32Array([v]));

describe('MatMul equals the CPU reference', () => {
  it('small and odd shapes', async () => {
    await expectSameAsCpu('MatMul', [randomTensor(rng, [7, 13]), randomTensor(rng, [13, 5])]);
    await expectSameAsCpu('MatMul', [randomTensor(rng, [1, 1]), randomTensor(rng, [1, 1])]);
    await expectSameAsCpu('MatMul', [randomTensor(rng, [3, 0]), randomTensor(rng, [0, 4])]);
  });

  it('sizes just below, at and above tile multiples', async () => {
    for (const n of [15, 16, 17, 31, 33, 63, 65]) {
      await expectSameAsCpu('MatMul', [randomTensor(rng, [n, n]), randomTensor(rng, [n, n])]);
      await expectSameAsCpu('MatMul', [randomTensor(rng, [n, 17]), randomTensor(rng, [17, 65 - n + 1])]);
      await expectSameAsCpu('MatMul', [randomTensor(rng, [3, n]), randomTensor(rng, [n, 129])]);
    }
    // Several tiles in every direction, K not a multiple of the K slice.
    await expectSameAsCpu('MatMul', [randomTensor(rng, [130, 70]), randomTensor(rng, [70, 200])]);
  });

  it('ragged edges of every tile shape (matrix-vector, few rows, many rows)', async () => {
    for (const [M, K, N] of [
      [1, 64, 1],
      [4, 33, 129],
      [5, 31, 129],
      [8, 1, 128],
      [9, 32, 257],
      [32, 65, 130],
      [33, 9, 65],
      [65, 17, 127],
      [64, 64, 64],
    ]) {
      await expectSameAsCpu('MatMul', [randomTensor(rng, [M!, K!]), randomTensor(rng, [K!, N!])]);
    }
  });

  it('more batches than workgroups per dispatch dimension', async () => {
    await expectSameAsCpu('MatMul', [randomTensor(rng, [66000, 1, 2]), randomTensor(rng, [2, 1])]);
  });

  it('batch dimensions broadcast', async () => {
    await expectSameAsCpu('MatMul', [randomTensor(rng, [2, 3, 7, 13]), randomTensor(rng, [13, 5])]);
    await expectSameAsCpu('MatMul', [randomTensor(rng, [7, 13]), randomTensor(rng, [4, 13, 5])]);
    await expectSameAsCpu('MatMul', [randomTensor(rng, [2, 1, 7, 13]), randomTensor(rng, [3, 13, 17])]);
    await expectSameAsCpu('MatMul', [randomTensor(rng, [1, 4, 1, 9, 6]), randomTensor(rng, [5, 1, 3, 6, 2])]);
    await expectSameAsCpu('MatMul', [randomTensor(rng, [2, 0, 3, 4]), randomTensor(rng, [4, 5])]);
    await expectSameAsCpu('MatMul', [randomTensor(rng, [2, 3, 4, 5]), randomTensor(rng, [2, 3, 5, 6])]);
    await expectSameAsCpu('MatMul', [randomTensor(rng, [3, 40, 5]), randomTensor(rng, [2, 1, 5, 70])]);
  });

  it('1-D operands are promoted and squeezed', async () => {
    await expectSameAsCpu('MatMul', [randomTensor(rng, [13]), randomTensor(rng, [13, 5])]);
    await expectSameAsCpu('MatMul', [randomTensor(rng, [7, 13]), randomTensor(rng, [13])]);
    await expectSameAsCpu('MatMul', [randomTensor(rng, [13]), randomTensor(rng, [13])]);
    await expectSameAsCpu('MatMul', [randomTensor(rng, [65]), randomTensor(rng, [3, 65, 33])]);
    await expectSameAsCpu('MatMul', [randomTensor(rng, [2, 5, 33]), randomTensor(rng, [33])]);
  });

  it('transformer-sized inner dimensions', async () => {
    // Sums of K products of numbers in [-1, 1] (|sum| ~ √K) carry float32 rounding of about
    // √K·2⁻²⁴·|partial sums|: about 1e-5 at K = 768 (1.3e-5 seen here), several
    // times that at K = 3072: allow 3e-5 and 1e-4 absolute.
    await expectSameAsCpu('MatMul', [randomTensor(rng, [3, 768]), randomTensor(rng, [768, 3072])], {}, 3e-5, 1e-5);
    await expectSameAsCpu('MatMul', [randomTensor(rng, [2, 3072]), randomTensor(rng, [3072, 768])], {}, 1e-4, 1e-5);
    await expectSameAsCpu('MatMul', [randomTensor(rng, [2, 12, 17, 64]), randomTensor(rng, [2, 12, 64, 17])]);
  });

  it('int64 operands accumulate exactly', async () => {
    await expectSameAsCpu('MatMul', [randomInts(rng, [2, 17, 33], -100, 100), randomInts(rng, [33, 18], -100, 100)]);
    await expectSameAsCpu('MatMul', [randomInts(rng, [5], -9, 9, 'int32'), randomInts(rng, [5, 3], -9, 9, 'int32')]);
    await expectSameAsCpu('MatMul', [randomInts(rng, [40, 9], -100, 100), randomInts(rng, [9, 70], -100, 100)]);
    // Sums past the int32 range wrap, as the CPU kernel's Int32Array storage does.
    await expectSameAsCpu('MatMul', [randomInts(rng, [3, 10], 60000, 99999), randomInts(rng, [10, 4], 60000, 99999)]);
  });

  it('errors name the op', async () => {
    const gpu = await webgpu();
    const up = (t: HostTensor) => gpu.upload(t);
    expect(() => gpu.run('MatMul', [up(randomTensor(rng, [2, 8])), up(randomTensor(rng, [16, 4]))])).toThrow(
      /^MatMul: inner dimensions 8 and 16/,
    );
    expect(() => gpu.run('MatMul', [up(randomTensor(rng, [2, 2, 3])), up(randomTensor(rng, [3, 3, 4]))])).toThrow(/^MatMul: batch/);
    expect(() => gpu.run('MatMul', [up(scalar(1)), up(randomTensor(rng, [1, 4]))])).toThrow(/^MatMul: operands/);
  });
});

/**
 * K = 1, 2 and just below, at and just above 1, 2 and 3 K slices, for every tile the kernel
 * picks (tileFor: by the rows M, at the smallest and largest M each takes) and every staging
 * it does: A with K contiguous (MatMul) or its rows (Gemm transA), B with its columns
 * contiguous (MatMul) or K (Gemm transB), batched, and the integer shader with and without
 * MatMulInteger's zero points. The float operands hold +∞ at K index 0 of every other row of
 * A and column of B: the element one past another row's or batch's K edge. A kernel that
 * multiplies one element past the edge in, even by a zero, turns a finite output into NaN.
 */
describe('MatMul, Gemm and MatMulInteger at the edges of the K slices', () => {
  const tiles: [string, MatmulTile, number[]][] = [
    ['matrix-vector', TILE_MATVEC, [1, 4]],
    ['few rows', TILE_FEW_ROWS, [5, 32]],
    ['many rows', TILE_MANY_ROWS, [33, 70]],
  ];
  const N = 6;

  /** +∞ at K index 0 of every odd row (kLast: K is the last axis) or odd column (K the second-last) of each matrix. */
  const infAtK0 = (t: HostTensor, kLast: boolean): HostTensor => {
    const [R, C] = t.shape.slice(-2) as [number, number];
    const data = Float32Array.from(t.data);
    for (let m = 0; m < data.length / (R * C); m++) {
      for (let i = 1; i < (kLast ? R : C); i += 2) data[m * R * C + (kLast ? i * C : i)] = Infinity;
    }
    return tensor('float32', t.shape, data);
  };

  for (const [name, tile, rows] of tiles) {
    it(`${name} tiles (K slices of ${tile.bk})`, async () => {
      const failures: string[] = [];
      const check = async (what: string, op: string, inputs: HostTensor[], attrs = {}) => {
        await expectSameAsCpu(op, inputs, attrs).catch((e: Error) => failures.push(`${what}: ${e.message.split('\n')[0]}`));
      };
      const ks = [1, 2, ...[1, 2, 3].flatMap((m) => [m * tile.bk - 1, m * tile.bk, m * tile.bk + 1])];
      for (const M of rows) {
        expect(tileFor(M)).toBe(tile);
        for (const K of ks) {
          const at = `M ${M} K ${K}`;
          await check(`${at} batched`, 'MatMul', [
            infAtK0(randomTensor(rng, [2, M, K]), true),
            infAtK0(randomTensor(rng, [2, K, N]), false),
          ]);
          const a = infAtK0(randomTensor(rng, [K, M]), false);
          const b = infAtK0(randomTensor(rng, [N, K]), true);
          await check(`${at} Gemm transA transB`, 'Gemm', [a, b, randomTensor(rng, [M, N])], { transA: 1, transB: 1, alpha: 0.5, beta: 2 });
          await check(`${at} int32`, 'MatMul', [randomInts(rng, [M, K], -100, 100, 'int32'), randomInts(rng, [K, N], -100, 100, 'int32')]);
          const qa = randomInts(rng, [M, K], 0, 255, 'uint8');
          const qb = randomInts(rng, [K, N], -128, 127, 'int8');
          await check(`${at} MatMulInteger`, 'MatMulInteger', [
            qa,
            qb,
            randomInts(rng, [M], 0, 255, 'uint8'),
            randomInts(rng, [N], -128, 127, 'int8'),
          ]);
        }
      }
      expect(failures, failures.join('\n')).toEqual([]);
    });
  }
});

describe('Gemm equals the CPU reference', () => {
  it.each([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ])('transA=%i transB=%i, with and without C', async (transA, transB) => {
    for (const [M, K, N] of [
      [7, 13, 5],
      [17, 33, 65],
      [64, 16, 63],
      [3, 768, 31],
    ] as const) {
      const a = randomTensor(rng, transA ? [K, M] : [M, K]);
      const b = randomTensor(rng, transB ? [N, K] : [K, N]);
      const attrs = { transA, transB };
      await expectSameAsCpu('Gemm', [a, b], attrs);
      await expectSameAsCpu('Gemm', [a, b], { ...attrs, alpha: 0.5, beta: 2 });
      for (const c of [
        scalar(0.25),
        randomTensor(rng, [N]),
        randomTensor(rng, [M, 1]),
        randomTensor(rng, [M, N]),
        randomTensor(rng, [1, N]),
      ]) {
        await expectSameAsCpu('Gemm', [a, b, c], attrs);
        await expectSameAsCpu('Gemm', [a, b, c], { ...attrs, alpha: -1.5, beta: 0.75 });
      }
      // beta = 0: C is ignored.
      await expectSameAsCpu('Gemm', [a, b, randomTensor(rng, [M, N])], { ...attrs, beta: 0 });
    }
  });

  it('errors name the op', async () => {
    const gpu = await webgpu();
    const up = (t: HostTensor) => gpu.upload(t);
    expect(() => gpu.run('Gemm', [up(randomTensor(rng, [2, 8])), up(randomTensor(rng, [16, 4]))])).toThrow(/^Gemm: inner dimensions/);
    expect(() => gpu.run('Gemm', [up(randomTensor(rng, [2, 8])), up(randomTensor(rng, [8, 4])), up(randomTensor(rng, [3]))])).toThrow(
      /^Gemm: C/,
    );
  });
});

describe('MatMulInteger equals the CPU reference', () => {
  it('uint8 × int8 without zero points', async () => {
    await expectSameAsCpu('MatMulInteger', [randomInts(rng, [7, 13], 0, 255, 'uint8'), randomInts(rng, [13, 5], -128, 127, 'int8')]);
    await expectSameAsCpu('MatMulInteger', [randomInts(rng, [2, 65, 768], 0, 255, 'uint8'), randomInts(rng, [768, 33], -128, 127, 'int8')]);
    await expectSameAsCpu('MatMulInteger', [randomInts(rng, [13], -128, 127, 'int8'), randomInts(rng, [13, 17], 0, 255, 'uint8')]);
  });

  it('scalar and per-row / per-column zero points', async () => {
    const a = randomInts(rng, [17, 64], 0, 255, 'uint8');
    const b = randomInts(rng, [64, 33], -128, 127, 'int8');
    const za = randomInts(rng, [], 0, 255, 'uint8');
    const zb = randomInts(rng, [], -128, 127, 'int8');
    await expectSameAsCpu('MatMulInteger', [a, b, za]);
    await expectSameAsCpu('MatMulInteger', [a, b, za, zb]);
    await expectSameAsCpu('MatMulInteger', [a, b, randomInts(rng, [17], 0, 255, 'uint8'), randomInts(rng, [33], -128, 127, 'int8')]);
    await expectSameAsCpu('MatMulInteger', [a, b, randomInts(rng, [1], 0, 255, 'uint8'), randomInts(rng, [33], -128, 127, 'int8')]);
    // The other tile shapes: many rows, and a matrix-vector product.
    await expectSameAsCpu('MatMulInteger', [
      randomInts(rng, [65, 40], 0, 255, 'uint8'),
      randomInts(rng, [40, 70], -128, 127, 'int8'),
      randomInts(rng, [65], 0, 255, 'uint8'),
      randomInts(rng, [70], -128, 127, 'int8'),
    ]);
    await expectSameAsCpu('MatMulInteger', [
      randomInts(rng, [3, 50], 0, 255, 'uint8'),
      randomInts(rng, [50, 130], -128, 127, 'int8'),
      randomInts(rng, [3], 0, 255, 'uint8'),
      randomInts(rng, [130], -128, 127, 'int8'),
    ]);
    await expectSameAsCpu('MatMulInteger', [
      randomInts(rng, [65, 40], 0, 255, 'uint8'),
      randomInts(rng, [40, 70], -128, 127, 'int8'),
      za,
      zb,
    ]);
    // Zero points per row of a batched A.
    await expectSameAsCpu('MatMulInteger', [
      randomInts(rng, [3, 5, 768], 0, 255, 'uint8'),
      randomInts(rng, [768, 65], -128, 127, 'int8'),
      randomInts(rng, [5], 0, 255, 'uint8'),
      randomInts(rng, [65], -128, 127, 'int8'),
    ]);
  });

  it('rejects misshapen zero points', async () => {
    const gpu = await webgpu();
    const up = (t: HostTensor) => gpu.upload(t);
    const a = up(randomInts(rng, [4, 6], 0, 255, 'uint8'));
    const b = up(randomInts(rng, [6, 3], -128, 127, 'int8'));
    expect(() => gpu.run('MatMulInteger', [a, b, up(randomInts(rng, [3], 0, 255, 'uint8'))])).toThrow(/^MatMulInteger: A zero point/);
  });
});
