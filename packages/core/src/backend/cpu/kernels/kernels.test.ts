import { describe, expect, it } from 'vitest';
import type { Attrs } from '../../backend.ts';
import { type DType, type HostTensor, tensor } from '../../../tensor.ts';
import { cpuBackend } from '../index.ts';
import { erf } from './erf.ts';

const f32 = (shape: number[], data: number[]) => tensor('float32', shape, data);
const i64 = (shape: number[], data: number[]) => tensor('int64', shape, data);
const bool = (shape: number[], data: number[]) => tensor('bool', shape, data);
const iota = (n: number) => Array.from({ length: n }, (_, i) => i);
const run = (op: string, inputs: (HostTensor | undefined)[], attrs: Attrs = {}) => cpuBackend.run(op, inputs as HostTensor[], attrs);
const one = (op: string, inputs: (HostTensor | undefined)[], attrs: Attrs = {}) => run(op, inputs, attrs)[0]!;

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.fround((s / 2147483648) * 2 - 1);
  });
}

/** Exact comparison of dtype, shape and values (float expectations are rounded to float32 first). */
function expectTensor(t: HostTensor, dtype: DType, shape: number[], data: number[]) {
  expect(t.dtype).toBe(dtype);
  expect(t.shape).toEqual(shape);
  expect(Array.from(t.data)).toEqual(dtype === 'float32' ? data.map(Math.fround) : data);
}

function expectClose(t: HostTensor, shape: number[], data: ArrayLike<number>, tol = 1e-6) {
  expect(t.dtype).toBe('float32');
  expect(t.shape).toEqual(shape);
  expect(t.data.length).toBe(data.length);
  for (let i = 0; i < data.length; i++) {
    const want = data[i]!;
    const got = t.data[i]!;
    if (!(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)))) {
      throw new Error(`element ${i}: got ${got}, want ${want} (tol ${tol})`);
    }
  }
}

describe('binary elementwise', () => {
  it('adds with a trailing broadcast', () => {
    expectTensor(one('Add', [f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([3], [10, 20, 30])]), 'float32', [2, 3], [11, 22, 33, 14, 25, 36]);
  });

  it('broadcasts scalars on either side', () => {
    expectTensor(one('Sub', [f32([2, 2], [5, 6, 7, 8]), f32([], [1.5])]), 'float32', [2, 2], [3.5, 4.5, 5.5, 6.5]);
    expectTensor(one('Sub', [f32([], [10]), f32([2], [1, 2])]), 'float32', [2], [9, 8]);
    expectTensor(one('Mul', [f32([], [3]), f32([], [4])]), 'float32', [], [12]);
  });

  it('broadcasts across rank mismatch and on both sides', () => {
    const a = f32([2, 1, 3], [1, 2, 3, 4, 5, 6]);
    const b = f32([4, 1], [1, 10, 100, 1000]);
    expectTensor(
      one('Mul', [a, b]),
      'float32',
      [2, 4, 3],
      [1, 2, 3, 10, 20, 30, 100, 200, 300, 1000, 2000, 3000, 4, 5, 6, 40, 50, 60, 400, 500, 600, 4000, 5000, 6000],
    );
    expectTensor(
      one('Add', [f32([1, 4], [0, 1, 2, 3]), f32([3, 1], [0, 10, 20])]),
      'float32',
      [3, 4],
      [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23],
    );
    // Same-shape operand next to a broadcast one.
    expectTensor(one('Add', [f32([2, 2], [1, 2, 3, 4]), f32([2, 1], [10, 20])]), 'float32', [2, 2], [11, 12, 23, 24]);
  });

  it('divides floats exactly and integers toward zero', () => {
    expectTensor(one('Div', [f32([2], [1, -3]), f32([1], [2])]), 'float32', [2], [0.5, -1.5]);
    expectTensor(one('Div', [i64([5], [7, -7, 7, -7, 6]), i64([5], [2, 2, -2, -2, 3])]), 'int64', [5], [3, -3, -3, 3, 2]);
    expect(() => one('Div', [i64([1], [1]), i64([1], [0])])).toThrow(/^Div: integer division by zero/);
  });

  it('saturates int64 arithmetic at the int32 range', () => {
    expectTensor(one('Mul', [i64([2], [2000000000, -2000000000]), i64([], [2])]), 'int64', [2], [2147483647, -2147483648]);
  });

  it('raises to powers, with an exponent of another dtype', () => {
    expectTensor(one('Pow', [f32([3], [2, 3, 4]), f32([], [2])]), 'float32', [3], [4, 9, 16]);
    expectTensor(one('Pow', [f32([2], [2, 9]), i64([2], [3, -1])]), 'float32', [2], [8, 1 / 9]);
  });

  it('takes Max and Min over any number of inputs', () => {
    const a = f32([3], [1, 5, 3]),
      b = f32([3], [4, 2, 6]),
      c = f32([], [3.5]);
    expectTensor(one('Max', [a, b, c]), 'float32', [3], [4, 5, 6]);
    expectTensor(one('Min', [a, b, c]), 'float32', [3], [1, 2, 3]);
    expectTensor(one('Max', [a]), 'float32', [3], [1, 5, 3]);
  });

  it('compares into bool', () => {
    const a = f32([3], [1, 2, 3]),
      b = f32([], [2]);
    expectTensor(one('Equal', [a, b]), 'bool', [3], [0, 1, 0]);
    expectTensor(one('Less', [a, b]), 'bool', [3], [1, 0, 0]);
    expectTensor(one('Greater', [a, b]), 'bool', [3], [0, 0, 1]);
    expectTensor(one('LessOrEqual', [a, b]), 'bool', [3], [1, 1, 0]);
    expectTensor(one('GreaterOrEqual', [a, b]), 'bool', [3], [0, 1, 1]);
    expectTensor(one('Equal', [i64([2], [4, 5]), i64([2], [4, 6])]), 'bool', [2], [1, 0]);
  });

  it('combines bools', () => {
    const a = bool([4], [1, 1, 0, 0]),
      b = bool([4], [1, 0, 1, 0]);
    expectTensor(one('And', [a, b]), 'bool', [4], [1, 0, 0, 0]);
    expectTensor(one('Or', [a, b]), 'bool', [4], [1, 1, 1, 0]);
    expectTensor(one('Xor', [a, b]), 'bool', [4], [0, 1, 1, 0]);
    expect(() => one('And', [f32([1], [1]), f32([1], [1])])).toThrow(/^And: inputs must be bool/);
  });

  it('rejects shapes that do not broadcast and mixed dtypes', () => {
    expect(() => one('Add', [f32([2, 3], iota(6)), f32([4], iota(4))])).toThrow('Add: shapes [2, 3] and [4] do not broadcast');
    expect(() => one('Add', [f32([1], [1]), i64([1], [1])])).toThrow(/^Add: input dtypes differ \(float32 \[1\] and int64 \[1\]\)/);
    expect(() => one('Add', [f32([1], [1])])).toThrow(/^Add: expects 2 inputs, got 1/);
  });
});

describe('Where', () => {
  it('selects with three-way broadcasting', () => {
    const out = one('Where', [bool([2, 1], [1, 0]), f32([3], [1, 2, 3]), f32([], [-1])]);
    expectTensor(out, 'float32', [2, 3], [1, 2, 3, -1, -1, -1]);
    const out2 = one('Where', [bool([3], [1, 0, 1]), i64([2, 1], [7, 8]), i64([2, 3], iota(6))]);
    expectTensor(out2, 'int64', [2, 3], [7, 1, 7, 8, 4, 8]);
  });

  it('wants a bool condition', () => {
    expect(() => one('Where', [f32([1], [1]), f32([1], [1]), f32([1], [2])])).toThrow(/^Where: condition must be bool/);
  });
});

describe('unary elementwise', () => {
  it('computes each op', () => {
    expectTensor(one('Neg', [f32([2], [1, -2])]), 'float32', [2], [-1, 2]);
    expectTensor(one('Neg', [i64([2], [1, -2])]), 'int64', [2], [-1, 2]);
    expectTensor(one('Abs', [f32([2], [-1.5, 2])]), 'float32', [2], [1.5, 2]);
    expectTensor(one('Abs', [i64([2], [-3, 2])]), 'int64', [2], [3, 2]);
    expectTensor(one('Sqrt', [f32([2], [4, 2])]), 'float32', [2], [2, Math.SQRT2]);
    expectTensor(one('Exp', [f32([2], [0, 1])]), 'float32', [2], [1, Math.E]);
    expectTensor(one('Log', [f32([2], [1, Math.E])]), 'float32', [2], [0, Math.log(Math.fround(Math.E))]);
    expectTensor(one('Tanh', [f32([2], [0, 1])]), 'float32', [2], [0, 0.7615941559557649]);
    expectTensor(one('Relu', [f32([3], [-1, 0, 2])]), 'float32', [3], [0, 0, 2]);
    expectTensor(one('Sigmoid', [f32([3], [0, 2, -100])]), 'float32', [3], [0.5, 0.8807970779778823, 3.720075976020836e-44]);
    expectTensor(one('Reciprocal', [f32([2], [4, -0.5])]), 'float32', [2], [0.25, -2]);
    expectTensor(one('Floor', [f32([3], [-1.5, 1.5, 2])]), 'float32', [3], [-2, 1, 2]);
    expectTensor(one('Ceil', [f32([3], [-1.5, 1.5, 2])]), 'float32', [3], [-1, 2, 2]);
    expectTensor(one('Sin', [f32([2], [0, Math.PI / 2])]), 'float32', [2], [0, 1]);
    expectTensor(one('Cos', [f32([1], [0])]), 'float32', [1], [1]);
    expectTensor(one('Not', [bool([2], [1, 0])]), 'bool', [2], [0, 1]);
    const x = f32([2], [1, 2]);
    expect(one('Identity', [x])).toBe(x);
  });

  it('checks dtypes', () => {
    expect(() => one('Not', [f32([1], [1])])).toThrow(/^Not: unsupported input dtype float32 \[1\]/);
    expect(() => one('Sqrt', [i64([1], [4])])).toThrow(/^Sqrt: unsupported input dtype int64/);
  });

  it('computes Erf to float32 precision', () => {
    const xs = [0.5, -1.3, 3, 0, 0.1, 1, 1.9, 2, 2.5, -4, 1e-3, 5.5, 7, -7];
    const want = [
      0.5204998778130465, -0.9340079449406524, 0.9999779095030014, 0, 0.1124629160182849, 0.8427007929497149, 0.9927904292352575,
      0.9953222650189527, 0.999593047982555, -0.9999999845827421, 0.0011283787909692365, 0.9999999999999927, 1, -1,
    ];
    const out = one('Erf', [f32([xs.length], xs)]);
    // The inputs are float32 roundings of xs; compare against erf at those inputs.
    for (let i = 0; i < xs.length; i++) {
      const x32 = Math.fround(xs[i]!);
      const slope = (2 / Math.sqrt(Math.PI)) * Math.exp(-x32 * x32);
      expect(Math.abs(out.data[i]! - (want[i]! + slope * (x32 - xs[i]!)))).toBeLessThan(1e-7);
    }
    // The double-precision function itself.
    for (let i = 0; i < xs.length; i++) expect(Math.abs(erf(xs[i]!) - want[i]!)).toBeLessThan(2e-15);
    expect(erf(-0.5)).toBe(-erf(0.5));
    expect(Number.isNaN(erf(NaN))).toBe(true);
  });
});

describe('Cast', () => {
  it('truncates floats toward zero and saturates int64', () => {
    const x = f32([6], [1.9, -1.9, 2.5, -0.5, 3e9, -3e9]);
    expectTensor(one('Cast', [x], { to: 'int64' }), 'int64', [6], [1, -1, 2, 0, 2147483647, -2147483648]);
    expectTensor(one('Cast', [x], { to: 'int32' }), 'int32', [6], [1, -1, 2, 0, 2147483647, -2147483648]);
  });

  it('casts to bool as x != 0', () => {
    expectTensor(one('Cast', [f32([4], [0, 0.5, -2, NaN])], { to: 'bool' }), 'bool', [4], [0, 1, 1, 1]);
    expectTensor(one('Cast', [i64([3], [0, 7, -1])], { to: 'bool' }), 'bool', [3], [0, 1, 1]);
  });

  it('wraps into 8-bit types and widens into float', () => {
    expectTensor(one('Cast', [i64([2], [300, -1])], { to: 'uint8' }), 'uint8', [2], [44, 255]);
    expectTensor(one('Cast', [i64([2], [200, -129])], { to: 'int8' }), 'int8', [2], [-56, 127]);
    expectTensor(one('Cast', [i64([2], [3, -4])], { to: 'float32' }), 'float32', [2], [3, -4]);
    expectTensor(one('Cast', [bool([2], [1, 0])], { to: 'float32' }), 'float32', [2], [1, 0]);
    expectTensor(one('Cast', [bool([2], [1, 0])], { to: 'int64' }), 'int64', [2], [1, 0]);
    expect(() => one('Cast', [f32([1], [1])], {})).toThrow(/^Cast: unsupported target type/);
  });
});

function naiveMatmul(a: number[], b: number[], M: number, K: number, N: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * K + k]! * b[k * N + j]!;
      out.push(s);
    }
  }
  return out;
}

describe('MatMul', () => {
  const A = [1, 2, 3, 4, 5, 6];
  const B = [7, 8, 9, 10, 11, 12];

  it('multiplies 2-D matrices', () => {
    expectTensor(one('MatMul', [f32([2, 3], A), f32([3, 2], B)]), 'float32', [2, 2], [58, 64, 139, 154]);
  });

  it('multiplies batches against a shared matrix', () => {
    const a = f32([2, 2, 3], [...A, 1, 0, 0, 0, 1, 0]);
    expectTensor(one('MatMul', [a, f32([3, 2], B)]), 'float32', [2, 2, 2], [58, 64, 139, 154, 7, 8, 9, 10]);
  });

  it('broadcasts batch dimensions', () => {
    const a = values(2 * 2 * 4, 1),
      b = values(3 * 4 * 3, 2);
    const out = one('MatMul', [f32([2, 1, 2, 4], a), f32([3, 4, 3], b)]);
    const want: number[] = [];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) want.push(...naiveMatmul(a.slice(i * 8, i * 8 + 8), b.slice(j * 12, j * 12 + 12), 2, 4, 3));
    }
    expectClose(out, [2, 3, 2, 3], want);
  });

  it('promotes and squeezes 1-D operands', () => {
    expectTensor(one('MatMul', [f32([3], [1, 2, 3]), f32([3, 2], B)]), 'float32', [2], [58, 64]);
    expectTensor(one('MatMul', [f32([2, 3], A), f32([3], [1, 1, 1])]), 'float32', [2], [6, 15]);
    expectTensor(one('MatMul', [f32([3], [1, 2, 3]), f32([3], [4, 5, 6])]), 'float32', [], [32]);
    expectTensor(one('MatMul', [f32([3], [1, 2, 3]), f32([2, 3, 2], [...B, ...B])]), 'float32', [2, 2], [58, 64, 58, 64]);
  });

  it('names both shapes when inner dimensions differ', () => {
    expect(() => one('MatMul', [f32([2, 8], values(16, 1)), f32([16, 4], values(64, 1))])).toThrow(
      'MatMul: inner dimensions 8 and 16 differ ([2, 8] x [16, 4])',
    );
  });

  it('accumulates in float64', () => {
    // 1 + 2^-24 + ... would be lost in float32 accumulation: 1e8 + 1 − 1e8 = 1 only in float64.
    const out = one('MatMul', [f32([1, 3], [1e8, 1, -1e8]), f32([3, 1], [1, 1, 1])]);
    expectTensor(out, 'float32', [1, 1], [1]);
  });
});

describe('Gemm', () => {
  const A = [1, 2, 3, 4, 5, 6]; // [2, 3]
  const At = [1, 4, 2, 5, 3, 6]; // [3, 2]
  const B = [7, 8, 9, 10, 11, 12]; // [3, 2]
  const Bt = [7, 9, 11, 8, 10, 12]; // [2, 3]

  it('scales by alpha and beta with C broadcast along rows', () => {
    const out = one('Gemm', [f32([2, 3], A), f32([3, 2], B), f32([2], [10, 20])], { alpha: 2, beta: 0.5 });
    expectTensor(out, 'float32', [2, 2], [121, 138, 283, 318]);
  });

  it('transposes A, with C broadcast along columns', () => {
    const out = one('Gemm', [f32([3, 2], At), f32([3, 2], B), f32([2, 1], [1, 2])], { transA: 1 });
    expectTensor(out, 'float32', [2, 2], [59, 65, 141, 156]);
  });

  it('transposes B, with a scalar C', () => {
    const out = one('Gemm', [f32([2, 3], A), f32([2, 3], Bt), f32([], [100])], { transB: 1 });
    expectTensor(out, 'float32', [2, 2], [158, 164, 239, 254]);
  });

  it('transposes both, without C', () => {
    const out = one('Gemm', [f32([3, 2], At), f32([2, 3], Bt)], { transA: 1, transB: 1 });
    expectTensor(out, 'float32', [2, 2], [58, 64, 139, 154]);
    const wide = one('Gemm', [f32([2, 5], values(10, 3)), f32([7, 5], values(35, 4))], { transB: 1 });
    const bt = values(35, 4);
    const b = Array.from({ length: 35 }, (_, i) => bt[(i % 7) * 5 + Math.floor(i / 7)]!);
    expectClose(wide, [2, 7], naiveMatmul(values(10, 3), b, 2, 5, 7));
  });

  it('rejects a C that does not broadcast', () => {
    expect(() => one('Gemm', [f32([2, 3], A), f32([3, 2], B), f32([3], [1, 2, 3])])).toThrow(
      /^Gemm: C \[3\] does not broadcast to \[2, 2\]/,
    );
  });
});

describe('MatMulInteger', () => {
  const A = tensor('uint8', [2, 3], [10, 20, 30, 40, 50, 60]);
  const B = tensor('int8', [3, 2], [1, -2, 3, 4, -5, 6]);

  it('subtracts a scalar A zero point and per-column B zero points', () => {
    const out = one('MatMulInteger', [A, B, tensor('uint8', [], [10]), tensor('int8', [2], [1, -2])]);
    expectTensor(out, 'int32', [2, 2], [-100, 220, -220, 640]);
  });

  it('subtracts per-row A zero points', () => {
    const out = one('MatMulInteger', [A, B, tensor('uint8', [2], [10, 40]), tensor('int8', [2], [1, -2])]);
    expectTensor(out, 'int32', [2, 2], [-100, 220, -100, 220]);
  });

  it('works without zero points, or with only B’s', () => {
    expectTensor(one('MatMulInteger', [tensor('uint8', [1, 2], [1, 2]), tensor('uint8', [2, 1], [3, 4])]), 'int32', [1, 1], [11]);
    const out = one('MatMulInteger', [A, B, undefined, tensor('int8', [], [1])]);
    // B − 1 = [0, −3, 2, 3, −6, 5]
    expectTensor(out, 'int32', [2, 2], [-140, 180, -260, 330]);
  });

  it('is exact beyond float32 precision', () => {
    const out = one('MatMulInteger', [
      tensor('uint8', [1, 1000], new Array(1000).fill(255)),
      tensor('uint8', [1000, 1], new Array(1000).fill(255)),
    ]);
    expectTensor(out, 'int32', [1, 1], [65025000]);
  });
});

describe('Softmax and LogSoftmax', () => {
  it('normalises rows', () => {
    const out = one('Softmax', [f32([2, 3], [1, 2, 3, 1, 1, 1])]);
    expectClose(out, [2, 3], [0.09003057317038046, 0.24472847105479764, 0.6652409557748219, 1 / 3, 1 / 3, 1 / 3]);
    const x = one(
      'Softmax',
      [
        f32(
          [4, 5],
          values(20, 7).map((v) => v * 20),
        ),
      ],
      { axis: -1 },
    );
    for (let r = 0; r < 4; r++) {
      let s = 0;
      for (let j = 0; j < 5; j++) s += x.data[r * 5 + j]!;
      expect(Math.abs(s - 1)).toBeLessThan(1e-6);
    }
  });

  it('works along a leading axis and with large values', () => {
    expectClose(one('Softmax', [f32([2, 2], [1, 2, 1, 2])], { axis: 0 }), [2, 2], [0.5, 0.5, 0.5, 0.5]);
    expectClose(one('Softmax', [f32([2], [1000, 1001])]), [2], [0.2689414213699951, 0.7310585786300049]);
  });

  it('computes LogSoftmax', () => {
    expectClose(one('LogSoftmax', [f32([3], [1, 2, 3])]), [3], [-2.40760596444438, -1.40760596444438, -0.40760596444438]);
    expectClose(one('LogSoftmax', [f32([2], [1000, 1001])]), [2], [-1.3132616875182228, -0.3132616875182228]);
  });
});

describe('LayerNormalization', () => {
  it('normalises the last axis', () => {
    const out = one('LayerNormalization', [f32([1, 4], [1, 2, 3, 4]), f32([4], [1, 1, 1, 1])], { epsilon: 0 });
    expectClose(out, [1, 4], [-1.3416407864998738, -0.4472135954999579, 0.4472135954999579, 1.3416407864998738]);
  });

  it('matches the direct formula over axes [axis, rank) with broadcast bias', () => {
    const x = values(12, 11).map((v) => v * 3 + 1),
      scale = values(6, 12),
      bias = values(3, 13);
    const eps = 1e-5;
    const out = one('LayerNormalization', [f32([2, 2, 3], x), f32([2, 3], scale), f32([3], bias)], { axis: 1, epsilon: eps });
    const want: number[] = [];
    for (let r = 0; r < 2; r++) {
      const row = x.slice(r * 6, r * 6 + 6);
      const mean = row.reduce((a, b) => a + b, 0) / 6;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 6;
      row.forEach((v, j) => want.push(((v - mean) / Math.sqrt(variance + eps)) * scale[j]! + bias[j % 3]!));
    }
    expectClose(out, [2, 2, 3], want, 1e-6);
  });

  it('rejects a scale that does not fit', () => {
    expect(() => one('LayerNormalization', [f32([2, 4], values(8, 1)), f32([3], [1, 1, 1])])).toThrow(/^LayerNormalization: scale \[3\]/);
  });
});

describe('Reduce', () => {
  // x[i, j, k] = 6i + 2j + k
  const x = f32([2, 3, 2], iota(12));

  it('sums over one axis, keeping or dropping it', () => {
    expectTensor(one('ReduceSum', [x], { axes: [1], keepdims: 1 }), 'float32', [2, 1, 2], [6, 9, 24, 27]);
    expectTensor(one('ReduceSum', [x], { axes: [-1], keepdims: 0 }), 'float32', [2, 3], [1, 5, 9, 13, 17, 21]);
    expectTensor(one('ReduceSum', [x], { axes: [0] }), 'float32', [1, 3, 2], [6, 8, 10, 12, 14, 16]);
  });

  it('averages over several axes', () => {
    expectTensor(one('ReduceMean', [x], { axes: [0, -1], keepdims: 0 }), 'float32', [3], [3.5, 5.5, 7.5]);
    expectTensor(one('ReduceMean', [x], { axes: [], keepdims: 0 }), 'float32', [], [5.5]);
    expectTensor(one('ReduceMean', [x], { axes: [2, 0], keepdims: 1 }), 'float32', [1, 3, 1], [3.5, 5.5, 7.5]);
  });

  it('takes maxima', () => {
    expectTensor(one('ReduceMax', [x], { axes: [], keepdims: 1 }), 'float32', [1, 1, 1], [11]);
    expectTensor(one('ReduceMax', [x], { keepdims: 0 }), 'float32', [], [11]);
    expectTensor(one('ReduceMax', [x], { axes: [-2], keepdims: 1 }), 'float32', [2, 1, 2], [4, 5, 10, 11]);
    expectTensor(one('ReduceMax', [f32([2, 2], [-5, -3, -4, -9])], { axes: [1], keepdims: 0 }), 'float32', [2], [-3, -4]);
  });

  it('keeps integer dtypes', () => {
    expectTensor(one('ReduceSum', [i64([2, 2], [1, 2, 3, 4])], { axes: [0], keepdims: 0 }), 'int64', [2], [4, 6]);
  });

  it('validates axes', () => {
    expect(() => one('ReduceSum', [x], { axes: [3] })).toThrow('ReduceSum: axis 3 out of range for shape [2, 3, 2]');
    expect(() => one('ReduceMax', [x], { axes: [1, -2] })).toThrow(/^ReduceMax: axis -2 repeated/);
  });
});

describe('Slice', () => {
  const x = f32([10], iota(10));
  const slice = (attrs: Attrs) => one('Slice', [x], attrs);

  it('clamps huge and negative bounds', () => {
    expectTensor(slice({ starts: [2], ends: [2147483647] }), 'float32', [8], [2, 3, 4, 5, 6, 7, 8, 9]);
    expectTensor(slice({ starts: [-3], ends: [-1] }), 'float32', [2], [7, 8]);
    expectTensor(slice({ starts: [-100], ends: [3] }), 'float32', [3], [0, 1, 2]);
    expectTensor(slice({ starts: [5], ends: [2] }), 'float32', [0], []);
  });

  it('steps backwards', () => {
    expectTensor(slice({ starts: [-1], ends: [-2147483648], axes: [0], steps: [-1] }), 'float32', [10], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expectTensor(slice({ starts: [8], ends: [1], axes: [0], steps: [-3] }), 'float32', [3], [8, 5, 2]);
    expectTensor(slice({ starts: [20], ends: [-20], axes: [0], steps: [-2] }), 'float32', [5], [9, 7, 5, 3, 1]);
  });

  it('slices chosen axes of a matrix', () => {
    const m = i64([3, 4], iota(12));
    expectTensor(one('Slice', [m], { starts: [1], ends: [100], axes: [-1] }), 'int64', [3, 3], [1, 2, 3, 5, 6, 7, 9, 10, 11]);
    expectTensor(one('Slice', [m], { starts: [0, 3], ends: [2, 0], axes: [0, 1], steps: [1, -2] }), 'int64', [2, 2], [3, 1, 7, 5]);
    expectTensor(one('Slice', [m], { starts: [0, 1], ends: [2147483647, 3], steps: [2, 1] }), 'int64', [2, 2], [1, 2, 9, 10]);
  });

  it('reads nothing from an empty axis, whatever the step', () => {
    const e = f32([0, 2], []);
    expectTensor(one('Slice', [e], { starts: [-1], ends: [-2147483648], axes: [0], steps: [-1] }), 'float32', [0, 2], []);
    expectTensor(one('Slice', [e], { starts: [0], ends: [5], axes: [0] }), 'float32', [0, 2], []);
  });

  it('rejects a zero step', () => {
    expect(() => slice({ starts: [0], ends: [5], steps: [0] })).toThrow(/^Slice: /);
  });
});

describe('Concat, Split, Transpose, Expand, Reshape', () => {
  it('concatenates along an axis', () => {
    const a = f32([2, 1], [0, 1]),
      b = f32([2, 2], [2, 3, 4, 5]);
    expectTensor(one('Concat', [a, b], { axis: 1 }), 'float32', [2, 3], [0, 2, 3, 1, 4, 5]);
    expectTensor(one('Concat', [a, b], { axis: -1 }), 'float32', [2, 3], [0, 2, 3, 1, 4, 5]);
    expectTensor(one('Concat', [f32([1, 2], [1, 2]), f32([2, 2], [3, 4, 5, 6])], { axis: 0 }), 'float32', [3, 2], [1, 2, 3, 4, 5, 6]);
    expect(() => one('Concat', [a, f32([3, 2], iota(6))], { axis: 1 })).toThrow(/^Concat: inputs do not fit along axis 1/);
  });

  it('splits into pieces', () => {
    const [p, q] = run('Split', [f32([2, 5], iota(10))], { axis: 1, split: [2, 3] });
    expectTensor(p!, 'float32', [2, 2], [0, 1, 5, 6]);
    expectTensor(q!, 'float32', [2, 3], [2, 3, 4, 7, 8, 9]);
    const parts = run('Split', [f32([2, 5], iota(10))], { axis: -1, split: [5, 0] });
    expect(parts.map((t) => t.shape)).toEqual([
      [2, 5],
      [2, 0],
    ]);
    expect(() => run('Split', [f32([2, 5], iota(10))], { axis: 1, split: [2, 2] })).toThrow(
      /^Split: sizes \[2, 2\] do not add up to dimension 5/,
    );
  });

  it('transposes', () => {
    const out = one('Transpose', [f32([2, 3, 4], iota(24))], { perm: [2, 0, 1] });
    expectTensor(out, 'float32', [4, 2, 3], [0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23]);
    expectTensor(one('Transpose', [i64([2, 3], iota(6))]), 'int64', [3, 2], [0, 3, 1, 4, 2, 5]);
    expect(() => one('Transpose', [f32([2, 3], iota(6))], { perm: [0, 0] })).toThrow(/^Transpose: perm \[0, 0\]/);
  });

  it('expands numpy-style', () => {
    const out = one('Expand', [f32([3, 1], [1, 2, 3])], { shape: [2, 1, 4] });
    expectTensor(out, 'float32', [2, 3, 4], [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
    expectTensor(one('Expand', [f32([], [5])], { shape: [2, 2] }), 'float32', [2, 2], [5, 5, 5, 5]);
    expect(() => one('Expand', [f32([3], [1, 2, 3])], { shape: [2] })).toThrow(/^Expand: shapes \[3\] and \[2\]/);
  });

  it('reshapes without copying', () => {
    const x = f32([2, 3], iota(6));
    const out = one('Reshape', [x], { shape: [3, 1, 2] });
    expectTensor(out, 'float32', [3, 1, 2], iota(6));
    expect(out.data).toBe(x.data);
    expect(() => one('Reshape', [x], { shape: [4, 2] })).toThrow('Reshape: cannot reshape [2, 3] (6 elements) to [4, 2]');
    expect(() => one('Reshape', [x], { shape: [-1] })).toThrow(/^Reshape: shape \[-1\] must be resolved/);
  });
});

describe('Gather', () => {
  const data = f32([2, 3], [1, 2, 3, 4, 5, 6]);

  it('gathers along axis 1 with 2-D and negative indices', () => {
    const out = one('Gather', [data, i64([2, 2], [0, 2, -1, 1])], { axis: 1 });
    expectTensor(out, 'float32', [2, 2, 2], [1, 3, 3, 2, 4, 6, 6, 5]);
  });

  it('drops the axis for scalar indices', () => {
    expectTensor(one('Gather', [data, i64([], [1])]), 'float32', [3], [4, 5, 6]);
    expectTensor(one('Gather', [data, i64([], [-2])], { axis: 1 }), 'float32', [2], [2, 5]);
    expectTensor(one('Gather', [i64([4], [10, 11, 12, 13]), i64([3], [3, 0, 3])]), 'int64', [3], [13, 10, 13]);
  });

  it('reports out-of-range indices', () => {
    const table = f32([30522, 1], new Array(30522).fill(0));
    expect(() => one('Gather', [table, i64([2], [5, 40000])])).toThrow('Gather: index 40000 out of range for axis 0 of size 30522');
    expect(() => one('Gather', [data, i64([1], [-4])], { axis: 1 })).toThrow('Gather: index -4 out of range for axis 1 of size 3');
  });
});

describe('CumSum', () => {
  const x = f32([4], [1, 2, 3, 4]);
  it('supports exclusive and reverse', () => {
    expectTensor(one('CumSum', [x], { axis: 0 }), 'float32', [4], [1, 3, 6, 10]);
    expectTensor(one('CumSum', [x], { axis: 0, exclusive: 1 }), 'float32', [4], [0, 1, 3, 6]);
    expectTensor(one('CumSum', [x], { axis: 0, reverse: 1 }), 'float32', [4], [10, 9, 7, 4]);
    expectTensor(one('CumSum', [x], { axis: -1, exclusive: 1, reverse: 1 }), 'float32', [4], [9, 7, 4, 0]);
  });

  it('sums along any axis of a matrix', () => {
    const m = i64([2, 3], [1, 2, 3, 4, 5, 6]);
    expectTensor(one('CumSum', [m], { axis: 0 }), 'int64', [2, 3], [1, 2, 3, 5, 7, 9]);
    expectTensor(one('CumSum', [m], { axis: -1, exclusive: 1, reverse: 1 }), 'int64', [2, 3], [5, 3, 0, 11, 6, 0]);
  });
});

/** Direct-loop 2-D convolution: the definition, no im2col. */
function naiveConv(
  x: number[],
  xs: number[],
  w: number[],
  ws: number[],
  b: number[] | undefined,
  strides: number[],
  pads: number[],
  dilations: number[],
  group: number,
): { shape: number[]; data: number[] } {
  const [N, C, H, W] = xs as [number, number, number, number];
  const [M, Cg, kH, kW] = ws as [number, number, number, number];
  const Ho = Math.floor((H + pads[0]! + pads[2]! - ((kH - 1) * dilations[0]! + 1)) / strides[0]!) + 1;
  const Wo = Math.floor((W + pads[1]! + pads[3]! - ((kW - 1) * dilations[1]! + 1)) / strides[1]!) + 1;
  const Mg = M / group;
  const data: number[] = [];
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++)
      for (let oh = 0; oh < Ho; oh++)
        for (let ow = 0; ow < Wo; ow++) {
          let s = b ? b[m]! : 0;
          const g = Math.floor(m / Mg);
          for (let c = 0; c < Cg; c++)
            for (let i = 0; i < kH; i++)
              for (let j = 0; j < kW; j++) {
                const ih = oh * strides[0]! - pads[0]! + i * dilations[0]!;
                const iw = ow * strides[1]! - pads[1]! + j * dilations[1]!;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                s += x[((n * C + g * Cg + c) * H + ih) * W + iw]! * w[((m * Cg + c) * kH + i) * kW + j]!;
              }
          data.push(s);
        }
  void C;
  return { shape: [N, M, Ho, Wo], data };
}

describe('Conv', () => {
  it('computes a small case by hand', () => {
    const out = one('Conv', [f32([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), f32([1, 1, 2, 2], [1, 1, 1, 1])]);
    expectTensor(out, 'float32', [1, 1, 2, 2], [12, 16, 24, 28]);
  });

  it('matches the direct loop for a ViT-style patch embedding (stride = kernel)', () => {
    const x = values(3 * 8 * 8, 21),
      w = values(4 * 3 * 4 * 4, 22),
      b = values(4, 23);
    const out = one('Conv', [f32([1, 3, 8, 8], x), f32([4, 3, 4, 4], w), f32([4], b)], { strides: [4, 4] });
    const want = naiveConv(x, [1, 3, 8, 8], w, [4, 3, 4, 4], b, [4, 4], [0, 0, 0, 0], [1, 1], 1);
    expectClose(out, want.shape, want.data, 1e-6);
  });

  it('matches the direct loop with padding, dilation, stride and group 2', () => {
    const x = values(2 * 4 * 7 * 6, 31),
      w = values(6 * 2 * 3 * 2, 32),
      b = values(6, 33);
    const attrs = { strides: [2, 1], pads: [1, 2, 0, 1], dilations: [2, 1], group: 2 };
    const out = one('Conv', [f32([2, 4, 7, 6], x), f32([6, 2, 3, 2], w), f32([6], b)], attrs);
    const want = naiveConv(x, [2, 4, 7, 6], w, [6, 2, 3, 2], b, attrs.strides, attrs.pads, attrs.dilations, 2);
    expect(want.shape).toEqual([2, 6, 2, 8]);
    expectClose(out, want.shape, want.data, 1e-6);
  });

  it('handles 1×1 kernels without bias', () => {
    const x = values(2 * 3 * 2 * 2, 41),
      w = values(5 * 3, 42);
    const out = one('Conv', [f32([2, 3, 2, 2], x), f32([5, 3, 1, 1], w)]);
    const want = naiveConv(x, [2, 3, 2, 2], w, [5, 3, 1, 1], undefined, [1, 1], [0, 0, 0, 0], [1, 1], 1);
    expectClose(out, want.shape, want.data, 1e-6);
  });

  it('rejects mismatched channels', () => {
    expect(() => one('Conv', [f32([1, 3, 4, 4], values(48, 1)), f32([2, 2, 2, 2], values(16, 1))])).toThrow(
      'Conv: x [1, 3, 4, 4] and w [2, 2, 2, 2] do not fit group 1',
    );
  });
});

describe('quantization', () => {
  it('dequantizes per tensor and per axis', () => {
    const x = tensor('uint8', [4], [0, 10, 128, 255]);
    expectTensor(one('DequantizeLinear', [x, f32([], [0.5]), tensor('uint8', [], [128])]), 'float32', [4], [-64, -59, 0, 63.5]);
    expectTensor(one('DequantizeLinear', [x, f32([], [0.5])]), 'float32', [4], [0, 5, 64, 127.5]);
    const y = tensor('int8', [2, 3], [1, 2, 3, 4, 5, 6]);
    const out = one('DequantizeLinear', [y, f32([3], [1, 0.5, 2]), tensor('int8', [3], [0, 2, -1])], { axis: 1 });
    expectTensor(out, 'float32', [2, 3], [1, 0, 8, 4, 1.5, 14]);
    expect(() => one('DequantizeLinear', [y, f32([2], [1, 2])], { axis: 1 })).toThrow(
      /^DequantizeLinear: scale \[2\] must have 3 elements/,
    );
  });

  it('quantizes dynamically, rounding halves to even as onnxruntime', () => {
    // min −2.5, max 252.5: scale 1, zero point round(2.5) = 2; x/scale = −2.5, 1.5, 2.5, 3.5, 252.5 are ties.
    const [y, scale, zp] = run('DynamicQuantizeLinear', [f32([6], [-2.5, 0, 1.5, 2.5, 3.5, 252.5])]);
    expectTensor(y!, 'uint8', [6], [0, 2, 4, 4, 6, 254]);
    expectTensor(scale!, 'float32', [], [1]);
    expectTensor(zp!, 'uint8', [], [2]);
  });

  it('quantizes a general case as onnxruntime does', () => {
    const [y, scale, zp] = run('DynamicQuantizeLinear', [f32([5], [-1, 0.5, 2, 0.3, -0.77])]);
    expectTensor(y!, 'uint8', [5], [0, 127, 255, 111, 20]);
    expectTensor(scale!, 'float32', [], [0.0117647061124444]);
    expectTensor(zp!, 'uint8', [], [85]);
  });

  it('gives scale 1 and zero point 0 for an all-zero input (onnxruntime)', () => {
    const [y, scale, zp] = run('DynamicQuantizeLinear', [f32([2, 2], [0, 0, 0, 0])]);
    expectTensor(y!, 'uint8', [2, 2], [0, 0, 0, 0]);
    expectTensor(scale!, 'float32', [], [1]);
    expectTensor(zp!, 'uint8', [], [0]);
  });
});

describe('Shape, ConstantOfShape, Range', () => {
  it('reads shapes', () => {
    const x = f32([2, 3, 4, 5], new Array(120).fill(0));
    expectTensor(one('Shape', [x]), 'int64', [4], [2, 3, 4, 5]);
    expectTensor(one('Shape', [x], { start: 1, end: -1 }), 'int64', [2], [3, 4]);
    expectTensor(one('Shape', [x], { start: -10, end: 10 }), 'int64', [4], [2, 3, 4, 5]);
  });

  it('fills constants', () => {
    expectTensor(one('ConstantOfShape', [i64([2], [2, 3])], { value: i64([1], [7]) }), 'int64', [2, 3], [7, 7, 7, 7, 7, 7]);
    expectTensor(one('ConstantOfShape', [i64([1], [2])]), 'float32', [2], [0, 0]);
    expectTensor(one('ConstantOfShape', [i64([0], [])], { value: f32([1], [1.5]) }), 'float32', [], [1.5]);
  });

  it('makes ranges', () => {
    expectTensor(one('Range', [i64([], [10]), i64([], [-3]), i64([], [-4])]), 'int64', [4], [10, 6, 2, -2]);
    expectTensor(one('Range', [f32([], [0]), f32([], [1]), f32([], [0.25])]), 'float32', [4], [0, 0.25, 0.5, 0.75]);
    expectTensor(one('Range', [i64([], [3]), i64([], [3]), i64([], [1])]), 'int64', [0], []);
    expect(() => one('Range', [i64([], [0]), i64([], [3]), i64([], [0])])).toThrow(/^Range: delta is 0/);
  });
});
