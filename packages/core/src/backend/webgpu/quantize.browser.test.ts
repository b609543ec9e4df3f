import { describe, expect, it } from 'vitest';
import { Rng } from '../../methods/rng.ts';
import { type HostTensor, tensor } from '../../tensor.ts';
import { DIV_EXACT } from './kernels/quantize.ts';
import { PARAMS } from './wgsl.ts';
import { expectSameAsCpu, randomInts, randomTensor, webgpu } from './testing.ts';

const rng = new Rng(5);
const f32 = (shape: number[], values: number[]): HostTensor => tensor('float32', shape, values);

describe('DequantizeLinear equals the CPU reference', () => {
  it('scalar scale, with and without a zero point, uint8 / int8 / int32', async () => {
    for (const [dtype, lo, hi] of [
      ['uint8', 0, 255],
      ['int8', -128, 127],
      ['int32', -100000, 100000],
    ] as const) {
      for (const shape of [[7, 13, 5], [3, 768], [], [65]]) {
        const x = randomInts(rng, shape, lo, hi, dtype);
        await expectSameAsCpu('DequantizeLinear', [x, f32([], [0.0173])], {}, 0, 0);
        await expectSameAsCpu('DequantizeLinear', [x, f32([1], [0.25]), randomInts(rng, [1], lo, hi, dtype)], {}, 0, 0);
        await expectSameAsCpu('DequantizeLinear', [x, f32([], [3.1e-3]), randomInts(rng, [], lo, hi, dtype)], {}, 0, 0);
      }
    }
  });

  it('per-axis scale, with and without a zero point, positive and negative axes', async () => {
    const cases: [number[], number][] = [
      [[7, 13, 5], 1],
      [[7, 13, 5], 0],
      [[7, 13, 5], -1],
      [[3, 3072], 1],
      [[768, 3], 0],
      [[17], 0],
      [[2, 33, 4], -2],
    ];
    for (const [shape, axis] of cases) {
      const dim = shape[axis < 0 ? axis + shape.length : axis]!;
      const x = randomInts(rng, shape, 0, 255, 'uint8');
      const scale = randomTensor(rng, [dim], 1e-3, 0.1);
      await expectSameAsCpu('DequantizeLinear', [x, scale], { axis }, 0, 0);
      await expectSameAsCpu('DequantizeLinear', [x, scale, randomInts(rng, [dim], 0, 255, 'uint8')], { axis }, 0, 0);
      const xs = randomInts(rng, shape, -128, 127, 'int8');
      await expectSameAsCpu('DequantizeLinear', [xs, scale, randomInts(rng, [dim], -128, 127, 'int8')], { axis }, 0, 0);
    }
  });

  it('rejects a scale of the wrong length and a mismatched zero point', async () => {
    const gpu = await webgpu();
    const x = gpu.upload(randomInts(rng, [4, 5], 0, 255, 'uint8'));
    expect(() => gpu.run('DequantizeLinear', [x, gpu.upload(f32([4], [1, 2, 3, 4]))], { axis: 1 })).toThrow(/^DequantizeLinear: scale/);
    expect(() => gpu.run('DequantizeLinear', [x, gpu.upload(f32([], [1])), gpu.upload(randomInts(rng, [], 0, 9, 'int8'))])).toThrow(
      /^DequantizeLinear: zero point/,
    );
  });
});

describe('DynamicQuantizeLinear equals the CPU reference bit for bit', () => {
  it('random data of many shapes, including partial workgroups and several grid-stride rounds', async () => {
    for (const shape of [[7, 13, 5], [1], [], [15], [16], [17], [255], [256], [257], [65, 1023], [3, 25000]]) {
      await expectSameAsCpu('DynamicQuantizeLinear', [randomTensor(rng, shape, -3, 2)], {}, 0, 0);
    }
  });

  it('a [4, 3072] activation, and ranges of very different magnitudes', async () => {
    await expectSameAsCpu('DynamicQuantizeLinear', [randomTensor(rng, [4, 3072], -6, 9)], {}, 0, 0);
    await expectSameAsCpu('DynamicQuantizeLinear', [randomTensor(rng, [4, 768], -1e-3, 3e-4)], {}, 0, 0);
    await expectSameAsCpu('DynamicQuantizeLinear', [randomTensor(rng, [4, 768], -1e6, 4e7)], {}, 0, 0);
  });

  it('exact .5 ties of x / scale and of the zero point round half to even', async () => {
    // min −100.5/128 and max 154.5/128: range 255/128, so scale = 1/128 exactly; zp = round(100.5) = 100.
    // Every x = (k + 0.5)/128 is a tie x/scale = k + 0.5.
    for (const lowest of [-100.5, -101.5, -127.5, -0.5]) {
      const values = [lowest / 128, (255 + lowest) / 128];
      for (let k = Math.ceil(lowest); k < 255 + lowest; k++) values.push((k + 0.5) / 128, k / 128);
      await expectSameAsCpu('DynamicQuantizeLinear', [f32([values.length], values)], {}, 0, 0);
      const gpu = await webgpu();
      const [, , zp] = gpu.run('DynamicQuantizeLinear', [gpu.upload(f32([values.length], values))]);
      const even = Math.round(-lowest) % 2 === 0 ? Math.round(-lowest) : Math.round(-lowest) - 1;
      expect((await gpu.read(zp!)).data[0]).toBe(even);
    }
    // Ties with a scale that is not a power of two: x = (k + 0.5)·scale where that product is exact.
    const scale = Math.fround(3 / 255);
    const values = [0, 3];
    for (let k = 0; k < 255; k++) {
      const v = Math.fround((k + 0.5) * scale);
      if (Math.fround(v / scale) === k + 0.5) values.push(v);
    }
    expect(values.length).toBeGreaterThan(20);
    await expectSameAsCpu('DynamicQuantizeLinear', [f32([values.length], values)], {}, 0, 0);
  });

  it('all-zero, all-positive, all-negative and empty inputs', async () => {
    await expectSameAsCpu('DynamicQuantizeLinear', [f32([3, 5], new Array(15).fill(0))], {}, 0, 0);
    await expectSameAsCpu('DynamicQuantizeLinear', [randomTensor(rng, [33, 17], 0.5, 4)], {}, 0, 0);
    await expectSameAsCpu('DynamicQuantizeLinear', [randomTensor(rng, [33, 17], -4, -0.5)], {}, 0, 0);
    await expectSameAsCpu('DynamicQuantizeLinear', [f32([0, 4], [])], {}, 0, 0);
  });
});

describe('divExact', () => {
  it('is correctly rounded f32 division, across exponents and significands', async () => {
    const { gpu } = await webgpu();
    const n = 1 << 16;
    const a = new Float32Array(n);
    const b = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const pick = () => (rng.next() < 0.5 ? -1 : 1) * (1 + rng.next()) * 2 ** Math.floor(rng.next() * 60 - 30);
      a[i] = pick();
      // Small integers and their neighbours make exact and tie-adjacent quotients.
      b[i] = i % 4 === 0 ? Math.floor(1 + rng.next() * 300) : i % 4 === 1 ? 255 : pick();
      if (i % 8 === 2) a[i] = Math.fround((b[i]! * Math.floor(rng.next() * 512)) / 2);
    }
    const ta = gpu.upload(tensor('float32', [n], a));
    const tb = gpu.upload(tensor('float32', [n], b));
    const out = gpu.alloc('float32', [n]);
    gpu.dispatch({
      code: `${PARAMS}${DIV_EXACT}
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> Q: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < P(0u)) { Q[gid.x] = divExact(A[gid.x], B[gid.x]); }
}`,
      inputs: [ta, tb],
      outputs: [out],
      params: [n],
      workgroups: [n / 64],
    });
    const q = (await gpu.read(out)).data;
    let bad = 0;
    for (let i = 0; i < n; i++) if (q[i] !== Math.fround(a[i]! / b[i]!)) bad++;
    expect(bad).toBe(0);
  });
});
