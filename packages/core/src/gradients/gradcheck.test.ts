// Gradient checks: every registered VJP against float64 central differences of the CPU
// forward kernel. For a random output cotangent c, the VJP's dx_i must match
//   (Σ c ⊙ f(x + h e_i) − Σ c ⊙ f(x − h e_i)) / (2h)
// for every element i of every differentiable input. Straight-through ops (whose true
// derivative is zero almost everywhere) are checked against their definition instead.
import { describe, expect, it } from 'vitest';
import type { Attrs, Tensor } from '../backend/backend.ts';
import { Ops } from '../backend/ops.ts';
import { cpuBackend } from '../backend/cpu/index.ts';
import { type DType, type HostTensor, floatTensor, intTensor, sizeOf, tensor } from '../tensor.ts';
import { Rng } from '../methods/rng.ts';
import { gradients } from './registry.ts';
import { registerAllGradients } from './index.ts';

registerAllGradients();

// --- seeded randomness --------------------------------------------------------------------

const random = new Rng(0x5eed);
const rng = () => random.next();
const uniform = (shape: number[], lo = -1, hi = 1) =>
  floatTensor(
    shape,
    Array.from({ length: sizeOf(shape) }, () => lo + (hi - lo) * rng()),
  );
/** Values with |v| in [lo, hi] and a random sign: away from kinks and poles at 0. */
const awayFromZero = (shape: number[], lo = 0.2, hi = 1.2) =>
  floatTensor(
    shape,
    Array.from({ length: sizeOf(shape) }, () => (rng() < 0.5 ? -1 : 1) * (lo + (hi - lo) * rng())),
  );
/** Distinct values spaced `gap` apart, shuffled: no ties and no near-ties within ±h. */
function spaced(shape: number[], gap = 0.1, offset = 0): HostTensor {
  const n = sizeOf(shape);
  const v = Array.from({ length: n }, (_, i) => (i - Math.floor(n / 2)) * gap + offset);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return floatTensor(shape, v);
}
const ints = (shape: number[], data: number[], dtype: DType = 'int64') => intTensor(shape, data, dtype);
const bools = (shape: number[]) =>
  tensor(
    'bool',
    shape,
    Array.from({ length: sizeOf(shape) }, () => (rng() < 0.5 ? 1 : 0)),
  );

// --- the check ----------------------------------------------------------------------------

const ops = new Ops<Tensor>(cpuBackend);
const forward = (op: string, inputs: readonly HostTensor[], attrs: Attrs) => cpuBackend.run(op, inputs, attrs);

interface Case {
  name: string;
  op: string;
  inputs: HostTensor[];
  attrs?: Attrs;
  /** Inputs whose gradient is checked. */
  wrt: number[];
  /** Outputs given no cotangent (the VJP sees undefined for them). */
  noGrad?: number[];
  h?: number;
  atol?: number;
  rtol?: number;
}

const covered = new Set<string>();

function vjpOf(op: string) {
  const vjp = gradients.get(op);
  if (!vjp) throw new Error(`no VJP registered for ${op}`);
  return vjp;
}

function gradcheck(c: Case): void {
  covered.add(c.op);
  const { op, inputs, wrt } = c;
  const attrs = c.attrs ?? {};
  const h = c.h ?? 1e-2;
  const atol = c.atol ?? 1e-3;
  const rtol = c.rtol ?? 1e-2;
  const outputs = forward(op, inputs, attrs);
  const cot = outputs.map((y, k) => (c.noGrad?.includes(k) || y.dtype !== 'float32' ? undefined : uniform([...y.shape])));
  const needs = inputs.map((_, i) => wrt.includes(i));
  const grads = vjpOf(op)({ ops, inputs, outputs, attrs }, cot, needs) as (HostTensor | undefined)[];
  const objective = (ins: HostTensor[]) => {
    const ys = forward(op, ins, attrs);
    let s = 0;
    ys.forEach((y, k) => {
      const ck = cot[k];
      if (ck) for (let j = 0; j < y.data.length; j++) s += ck.data[j]! * y.data[j]!;
    });
    return s;
  };
  for (const i of wrt) {
    const x = inputs[i]!;
    const g = grads[i];
    expect(g, `${c.name}: gradient of input ${i}`).toBeDefined();
    expect(g!.dtype).toBe('float32');
    expect(g!.shape, `${c.name}: gradient shape of input ${i}`).toEqual(x.shape);
    let worst = { err: -Infinity, j: -1, num: 0, ana: 0 };
    for (let j = 0; j < x.data.length; j++) {
      const plus = floatTensor(x.shape, Float32Array.from(x.data));
      const minus = floatTensor(x.shape, Float32Array.from(x.data));
      plus.data[j] = x.data[j]! + h;
      minus.data[j] = x.data[j]! - h;
      // The step actually taken after float32 rounding.
      const step = plus.data[j]! - minus.data[j]!;
      const fp = objective(inputs.map((t, k) => (k === i ? plus : t)));
      const fm = objective(inputs.map((t, k) => (k === i ? minus : t)));
      const num = (fp - fm) / step;
      const ana = g!.data[j]!;
      let err = Math.abs(num - ana) - (atol + rtol * Math.abs(num));
      if (Number.isNaN(err)) err = Infinity;
      if (err > worst.err) worst = { err, j, num, ana };
    }
    expect(worst.err <= 0, `${c.name}: input ${i} element ${worst.j}: VJP ${worst.ana}, central difference ${worst.num}`).toBe(true);
  }
}

// --- cases --------------------------------------------------------------------------------

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

const cases: Case[] = [
  // Broadcasting arithmetic.
  { name: 'Add [2,3,4] + [4]', op: 'Add', inputs: [uniform([2, 3, 4]), uniform([4])], wrt: [0, 1] },
  { name: 'Add [3,1] + scalar', op: 'Add', inputs: [uniform([3, 1]), uniform([])], wrt: [0, 1] },
  { name: 'Sub [2,3] - [2,1]', op: 'Sub', inputs: [uniform([2, 3]), uniform([2, 1])], wrt: [0, 1] },
  { name: 'Mul [2,1,4] · [3,1]', op: 'Mul', inputs: [uniform([2, 1, 4]), uniform([3, 1])], wrt: [0, 1] },
  { name: 'Div [2,3] / [3]', op: 'Div', inputs: [uniform([2, 3]), awayFromZero([3], 0.5, 1.5)], wrt: [0, 1] },
  { name: 'Pow x^2 (constant exponent)', op: 'Pow', inputs: [uniform([2, 3], -2, 2), floatTensor([], [2])], wrt: [0] },
  {
    name: 'Pow positive base, broadcast exponent (both gradients)',
    op: 'Pow',
    inputs: [uniform([2, 3], 0.5, 2), uniform([3], 0.5, 2.5)],
    wrt: [0, 1],
  },
  { name: 'Max [2,3] vs [3]', op: 'Max', inputs: [spaced([2, 3]), spaced([3], 0.1, 0.05)], wrt: [0, 1] },
  { name: 'Min [3] vs [2,3]', op: 'Min', inputs: [spaced([3], 0.1, 0.05), spaced([2, 3])], wrt: [0, 1] },
  { name: 'Where cond [2,3], x [2,3], y [3]', op: 'Where', inputs: [bools([2, 3]), uniform([2, 3]), uniform([3])], wrt: [1, 2] },

  // Unary.
  { name: 'Neg', op: 'Neg', inputs: [uniform([2, 3])], wrt: [0] },
  { name: 'Identity', op: 'Identity', inputs: [uniform([2, 3])], wrt: [0] },
  { name: 'Sqrt', op: 'Sqrt', inputs: [uniform([2, 3], 0.5, 2)], wrt: [0] },
  { name: 'Exp', op: 'Exp', inputs: [uniform([2, 3])], wrt: [0] },
  { name: 'Log', op: 'Log', inputs: [uniform([2, 3], 0.5, 2)], wrt: [0] },
  { name: 'Erf', op: 'Erf', inputs: [uniform([2, 3], -1.5, 1.5)], wrt: [0] },
  { name: 'Tanh', op: 'Tanh', inputs: [uniform([2, 3], -1.5, 1.5)], wrt: [0] },
  { name: 'Relu (away from 0)', op: 'Relu', inputs: [awayFromZero([2, 3])], wrt: [0] },
  { name: 'Sigmoid', op: 'Sigmoid', inputs: [uniform([2, 3], -2, 2)], wrt: [0] },
  { name: 'Reciprocal', op: 'Reciprocal', inputs: [awayFromZero([2, 3], 0.5, 2)], wrt: [0] },
  { name: 'Abs (away from 0)', op: 'Abs', inputs: [awayFromZero([2, 3])], wrt: [0] },
  { name: 'Cast float→float', op: 'Cast', inputs: [uniform([2, 3])], attrs: { to: 'float32' }, wrt: [0] },

  // Matrix products.
  { name: 'MatMul [2,3] @ [3,4]', op: 'MatMul', inputs: [uniform([2, 3]), uniform([3, 4])], wrt: [0, 1] },
  { name: 'MatMul batch broadcast [2,1,3,4] @ [3,4,5]', op: 'MatMul', inputs: [uniform([2, 1, 3, 4]), uniform([3, 4, 5])], wrt: [0, 1] },
  { name: 'MatMul batch broadcast [3,2,4] @ [1,4,2]', op: 'MatMul', inputs: [uniform([3, 2, 4]), uniform([1, 4, 2])], wrt: [0, 1] },
  { name: 'MatMul 1-D a [4] @ [2,4,3]', op: 'MatMul', inputs: [uniform([4]), uniform([2, 4, 3])], wrt: [0, 1] },
  { name: 'MatMul 1-D b [2,3,4] @ [4]', op: 'MatMul', inputs: [uniform([2, 3, 4]), uniform([4])], wrt: [0, 1] },
  { name: 'MatMul 1-D both [4] @ [4]', op: 'MatMul', inputs: [uniform([4]), uniform([4])], wrt: [0, 1] },
  { name: 'Gemm plain, C [4]', op: 'Gemm', inputs: [uniform([2, 3]), uniform([3, 4]), uniform([4])], wrt: [0, 1, 2] },
  {
    name: 'Gemm transA transB alpha beta, C [2,1]',
    op: 'Gemm',
    inputs: [uniform([3, 2]), uniform([4, 3]), uniform([2, 1])],
    attrs: { transA: 1, transB: 1, alpha: 0.7, beta: 1.3 },
    wrt: [0, 1, 2],
  },
  {
    name: 'Gemm transA only, scalar C',
    op: 'Gemm',
    inputs: [uniform([3, 2]), uniform([3, 4]), uniform([])],
    attrs: { transA: 1, beta: -0.5 },
    wrt: [0, 1, 2],
  },
  { name: 'Gemm transB only, no C', op: 'Gemm', inputs: [uniform([2, 3]), uniform([4, 3])], attrs: { transB: 1, alpha: 2 }, wrt: [0, 1] },

  // Normalisations.
  { name: 'Softmax axis -1', op: 'Softmax', inputs: [uniform([2, 3, 4], -2, 2)], attrs: { axis: -1 }, wrt: [0] },
  { name: 'Softmax axis 1 (not last)', op: 'Softmax', inputs: [uniform([2, 3, 4], -2, 2)], attrs: { axis: 1 }, wrt: [0] },
  { name: 'LogSoftmax axis 0 (not last)', op: 'LogSoftmax', inputs: [uniform([3, 4], -2, 2)], attrs: { axis: 0 }, wrt: [0] },
  { name: 'LogSoftmax default axis', op: 'LogSoftmax', inputs: [uniform([2, 5], -2, 2)], wrt: [0] },
  {
    name: 'LayerNormalization axis -1',
    op: 'LayerNormalization',
    inputs: [uniform([2, 3, 4], -2, 2), uniform([4], 0.5, 1.5), uniform([4])],
    attrs: { axis: -1, epsilon: 1e-5 },
    wrt: [0],
  },
  {
    name: 'LayerNormalization axis 1 (not last)',
    op: 'LayerNormalization',
    inputs: [uniform([2, 3, 4], -2, 2), uniform([3, 4], 0.5, 1.5), uniform([3, 4])],
    attrs: { axis: 1, epsilon: 1e-5 },
    wrt: [0],
  },

  // Reductions.
  { name: 'ReduceMean axes [1] keepdims 0', op: 'ReduceMean', inputs: [uniform([2, 3, 4])], attrs: { axes: [1], keepdims: 0 }, wrt: [0] },
  { name: 'ReduceMean axes [-1] keepdims 1', op: 'ReduceMean', inputs: [uniform([2, 3, 4])], attrs: { axes: [-1], keepdims: 1 }, wrt: [0] },
  { name: 'ReduceSum all (empty axes)', op: 'ReduceSum', inputs: [uniform([2, 3])], attrs: { axes: [], keepdims: 1 }, wrt: [0] },
  {
    name: 'ReduceSum axes [2, 0] keepdims 0',
    op: 'ReduceSum',
    inputs: [uniform([2, 3, 4])],
    attrs: { axes: [2, 0], keepdims: 0 },
    wrt: [0],
  },
  { name: 'ReduceMax axes [1] keepdims 1', op: 'ReduceMax', inputs: [spaced([2, 3, 4])], attrs: { axes: [1], keepdims: 1 }, wrt: [0] },
  { name: 'ReduceMax all keepdims 0', op: 'ReduceMax', inputs: [spaced([3, 4])], attrs: { axes: [], keepdims: 0 }, wrt: [0] },

  // Shape ops.
  { name: 'Reshape [2,3,4] → [6,4]', op: 'Reshape', inputs: [uniform([2, 3, 4])], attrs: { shape: [6, 4] }, wrt: [0] },
  { name: 'Expand [3,1] → [2,3,4]', op: 'Expand', inputs: [uniform([3, 1])], attrs: { shape: [2, 3, 4] }, wrt: [0] },
  { name: 'Transpose perm [2,0,1]', op: 'Transpose', inputs: [uniform([2, 3, 4])], attrs: { perm: [2, 0, 1] }, wrt: [0] },
  {
    name: 'Concat axis 1 of three',
    op: 'Concat',
    inputs: [uniform([2, 1, 3]), uniform([2, 2, 3]), uniform([2, 3, 3])],
    attrs: { axis: 1 },
    wrt: [0, 1, 2],
  },
  { name: 'Concat axis -1, one input not needed', op: 'Concat', inputs: [uniform([2, 2]), uniform([2, 3])], attrs: { axis: -1 }, wrt: [1] },
  {
    name: 'Slice negative step, INT_MIN end',
    op: 'Slice',
    inputs: [uniform([4, 5])],
    attrs: { starts: [-1, 1], ends: [INT32_MIN, INT32_MAX], axes: [1, 0], steps: [-2, 2] },
    wrt: [0],
  },
  {
    name: 'Slice out-of-range bounds, default axes/steps',
    op: 'Slice',
    inputs: [uniform([3, 4])],
    attrs: { starts: [-100, 1], ends: [100, -1] },
    wrt: [0],
  },
  {
    name: 'Split axis 1 [1,2,3], middle output without gradient',
    op: 'Split',
    inputs: [uniform([2, 6])],
    attrs: { axis: 1, split: [1, 2, 3] },
    noGrad: [1],
    wrt: [0],
  },
  {
    name: 'Gather axis 1, repeated and negative indices',
    op: 'Gather',
    inputs: [uniform([2, 4, 3]), ints([2, 3], [1, 3, 1, -1, 0, 1])],
    attrs: { axis: 1 },
    wrt: [0],
  },
  { name: 'Gather axis 0, scalar index', op: 'Gather', inputs: [uniform([5, 2]), ints([], [-2])], attrs: { axis: 0 }, wrt: [0] },
  { name: 'CumSum axis 1', op: 'CumSum', inputs: [uniform([2, 4])], attrs: { axis: 1 }, wrt: [0] },
  {
    name: 'CumSum exclusive reverse',
    op: 'CumSum',
    inputs: [uniform([3, 4])],
    attrs: { axis: 0, exclusive: 1, reverse: 1 },
    wrt: [0],
  },
  {
    name: 'Conv ViT patch (stride = kernel), with bias',
    op: 'Conv',
    inputs: [uniform([1, 3, 8, 8]), uniform([4, 3, 4, 4]), uniform([4])],
    attrs: { strides: [4, 4], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1, kernel_shape: [4, 4] },
    wrt: [0],
  },
  {
    name: 'Conv padding + dilation + group',
    op: 'Conv',
    inputs: [uniform([1, 4, 6, 5]), uniform([6, 2, 3, 3])],
    attrs: { strides: [2, 1], pads: [1, 2, 2, 1], dilations: [2, 1], group: 2, kernel_shape: [3, 3] },
    wrt: [0],
  },
  {
    name: 'DequantizeLinear scale (per channel)',
    op: 'DequantizeLinear',
    inputs: [ints([2, 3, 2], [-5, 3, 100, -128, 7, 0, 1, 2, 3, 4, 5, 6], 'int8'), uniform([3], 0.01, 0.1), ints([3], [1, -2, 0], 'int8')],
    attrs: { axis: 1 },
    wrt: [1],
  },
];

// --- helpers for the straight-through checks --------------------------------------------

const F = (t: Tensor) => t as HostTensor;
function matmul64(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number, transB = false) {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * K + k]! * (transB ? b[j * K + k]! : b[k * N + j]!);
      out[i * N + j] = s;
    }
  return out;
}
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, what: string) {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    expect(err <= atol + rtol * Math.abs(expected[i]!), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`).toBe(true);
  }
}

// --- tests --------------------------------------------------------------------------------

/** Every op that must carry a VJP (the differentiable part of the supported op set). */
const DIFFERENTIABLE_OPS = [
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Neg',
  'Sqrt',
  'Exp',
  'Log',
  'Erf',
  'Tanh',
  'Relu',
  'Sigmoid',
  'Reciprocal',
  'Abs',
  'Identity',
  'Max',
  'Min',
  'Where',
  'Cast',
  'MatMul',
  'Gemm',
  'MatMulInteger',
  'DynamicQuantizeLinear',
  'DequantizeLinear',
  'Softmax',
  'LogSoftmax',
  'LayerNormalization',
  'ReduceMean',
  'ReduceSum',
  'ReduceMax',
  'Reshape',
  'Expand',
  'Transpose',
  'Concat',
  'Slice',
  'Split',
  'Gather',
  'CumSum',
  'Conv',
];
const NON_DIFFERENTIABLE_OPS = ['Equal', 'Less', 'Greater', 'Not', 'And', 'Or', 'Shape', 'ConstantOfShape', 'Range', 'Floor', 'Ceil'];

describe('gradient registry', () => {
  it('has a VJP for every differentiable op', () => {
    const missing = DIFFERENTIABLE_OPS.filter((op) => !gradients.has(op));
    expect(missing).toEqual([]);
  });
  it('leaves non-differentiable ops unregistered', () => {
    expect(NON_DIFFERENTIABLE_OPS.filter((op) => gradients.has(op))).toEqual([]);
  });
});

describe('gradcheck (central differences of the CPU forward kernels)', () => {
  for (const c of cases) it(c.name, () => gradcheck(c));
});

describe('VJP edge cases', () => {
  it('ask only for what is needed: no gradient where needs is false', () => {
    const a = uniform([2, 3]);
    const b = uniform([3]);
    const [y] = forward('Mul', [a, b], {});
    const grads = vjpOf('Mul')({ ops, inputs: [a, b], outputs: [y!], attrs: {} }, [uniform([2, 3])], [false, true]);
    expect(grads[0]).toBeUndefined();
    expect(grads[1]!.shape).toEqual([3]);
  });

  it('Split with no output gradient gives none; one given gets zeros elsewhere', () => {
    const x = uniform([2, 5]);
    const attrs = { axis: -1, split: [2, 3] };
    const outputs = forward('Split', [x], attrs);
    expect(vjpOf('Split')({ ops, inputs: [x], outputs, attrs }, [undefined, undefined], [true])[0]).toBeUndefined();
    const g1 = uniform([2, 3]);
    const [dx] = vjpOf('Split')({ ops, inputs: [x], outputs, attrs }, [undefined, g1], [true]) as HostTensor[];
    expect(Array.from(dx!.data)).toEqual([0, 0, ...Array.from(g1.data.slice(0, 3)), 0, 0, ...Array.from(g1.data.slice(3))]);
  });

  it('Cast: int→float passes the gradient through as float; →int passes none', () => {
    const xi = ints([2, 3], [1, -2, 3, 4, 5, -6], 'int32');
    const [yf] = forward('Cast', [xi], { to: 'float32' });
    const g = uniform([2, 3]);
    const [dx] = vjpOf('Cast')({ ops, inputs: [xi], outputs: [yf!], attrs: { to: 'float32' } }, [g], [true]) as HostTensor[];
    expect(dx!.dtype).toBe('float32');
    expect(Array.from(dx!.data)).toEqual(Array.from(g.data));
    const xf = uniform([2, 3]);
    const [yi] = forward('Cast', [xf], { to: 'int64' });
    expect(vjpOf('Cast')({ ops, inputs: [xf], outputs: [yi!], attrs: { to: 'int64' } }, [g], [true])[0]).toBeUndefined();
  });

  it('LayerNormalization and Conv give no weight gradients; Gather none for indices', () => {
    const x = uniform([2, 4]);
    const scale = uniform([4]);
    const bias = uniform([4]);
    const [y] = forward('LayerNormalization', [x, scale, bias], {});
    const lg = vjpOf('LayerNormalization')(
      { ops, inputs: [x, scale, bias], outputs: [y!], attrs: {} },
      [uniform([2, 4])],
      [true, true, true],
    );
    expect(lg[0]!.shape).toEqual([2, 4]);
    expect(lg[1]).toBeUndefined();
    expect(lg[2]).toBeUndefined();
    const data = uniform([3, 2]);
    const idx = ints([2], [0, 2]);
    const [gy] = forward('Gather', [data, idx], { axis: 0 });
    const gg = vjpOf('Gather')({ ops, inputs: [data, idx], outputs: [gy!], attrs: { axis: 0 } }, [uniform([2, 2])], [true, true]);
    expect(gg[1]).toBeUndefined();
  });

  it('ReduceMax splits the gradient evenly between tied maxima', () => {
    const x = floatTensor([2, 3], [1, 5, 5, 2, 0, -1]);
    const attrs = { axes: [1], keepdims: 0 };
    const [y] = forward('ReduceMax', [x], attrs);
    const [dx] = vjpOf('ReduceMax')({ ops, inputs: [x], outputs: [y!], attrs }, [floatTensor([2], [4, 3])], [true]) as HostTensor[];
    expect(Array.from(dx!.data)).toEqual([0, 2, 2, 3, 0, 0]);
  });

  it('Max routes ties to the first input only, so the gradients still sum to g', () => {
    const a = floatTensor([3], [1, 2, 3]);
    const b = floatTensor([3], [1, 0, 4]);
    const [y] = forward('Max', [a, b], {});
    const g = floatTensor([3], [1, 1, 1]);
    const [da, db] = vjpOf('Max')({ ops, inputs: [a, b], outputs: [y!], attrs: {} }, [g], [true, true]) as HostTensor[];
    expect(Array.from(da!.data)).toEqual([1, 1, 0]);
    expect(Array.from(db!.data)).toEqual([0, 0, 1]);
  });

  it('DequantizeLinear passes dx = dy · scale straight through to the integer input', () => {
    const x = ints([2, 3], [-5, 3, 100, 7, 0, 1], 'int8');
    const scale = floatTensor([3], [0.5, 0.25, 2]);
    const [y] = forward('DequantizeLinear', [x, scale], { axis: 1 });
    const g = uniform([2, 3]);
    const [dx] = vjpOf('DequantizeLinear')(
      { ops, inputs: [x, scale], outputs: [y!], attrs: { axis: 1 } },
      [g],
      [true, false],
    ) as HostTensor[];
    expect(dx!.dtype).toBe('float32');
    expectClose(
      dx!.data,
      Array.from(g.data, (v, i) => v * scale.data[i % 3]!),
      1e-7,
      1e-6,
      'dx',
    );
  });

  it('MatMulInteger treats a and b as reals, zero points subtracted (per row / per column)', () => {
    const [M, K, N] = [3, 4, 2];
    const a = ints(
      [M, K],
      Array.from({ length: M * K }, () => Math.floor(rng() * 256)),
      'uint8',
    );
    const b = ints(
      [K, N],
      Array.from({ length: K * N }, () => Math.floor(rng() * 256) - 128),
      'int8',
    );
    const aZp = ints([M], [120, 128, 3], 'uint8');
    const bZp = ints([N], [-3, 5], 'int8');
    const [y] = forward('MatMulInteger', [a, b, aZp, bZp], {});
    const g = uniform([M, N]);
    const [da, db, dza, dzb] = vjpOf('MatMulInteger')(
      { ops, inputs: [a, b, aZp, bZp], outputs: [y!], attrs: {} },
      [g],
      [true, true, true, true],
    ) as HostTensor[];
    const ar = Array.from(a.data, (v, i) => v - aZp.data[Math.floor(i / K)]!);
    const br = Array.from(b.data, (v, i) => v - bZp.data[i % N]!);
    // da = g @ brᵀ, db = arᵀ @ g
    const brT = Array.from({ length: N * K }, (_, i) => br[(i % K) * N + Math.floor(i / K)]!);
    const arT = Array.from({ length: K * M }, (_, i) => ar[(i % M) * K + Math.floor(i / M)]!);
    expect(da!.dtype).toBe('float32');
    expect(da!.shape).toEqual([M, K]);
    expect(db!.shape).toEqual([K, N]);
    expectClose(da!.data, matmul64(g.data, brT, M, N, K), 1e-3, 1e-5, 'da');
    expectClose(db!.data, matmul64(arT, g.data, K, M, N), 1e-3, 1e-5, 'db');
    expect(dza).toBeUndefined();
    expect(dzb).toBeUndefined();
  });

  it('straight-through chain DynamicQuantizeLinear → MatMulInteger → Cast → Mul matches d(x @ W)/dx', () => {
    const [M, K, N] = [3, 6, 4];
    const x = uniform([M, K], -1, 2);
    const W = uniform([K, N]);
    // Per-column asymmetric uint8 weights, as a quantized linear layer stores them.
    const sw: number[] = [];
    const zw: number[] = [];
    for (let n = 0; n < N; n++) {
      let lo = 0,
        hi = 0;
      for (let k = 0; k < K; k++) {
        lo = Math.min(lo, W.data[k * N + n]!);
        hi = Math.max(hi, W.data[k * N + n]!);
      }
      sw.push((hi - lo) / 255);
      zw.push(Math.round(-lo / sw[n]!));
    }
    const qW = ints(
      [K, N],
      Array.from(W.data, (v, i) => Math.min(255, Math.max(0, Math.round(v / sw[i % N]!) + zw[i % N]!))),
      'uint8',
    );
    const zpW = ints([N], zw, 'uint8');
    const scaleW = floatTensor([N], sw);
    const Wdeq = Array.from(qW.data, (q, i) => (q - zw[i % N]!) * Math.fround(sw[i % N]!));

    // Forward.
    const [qx, sx, zx] = forward('DynamicQuantizeLinear', [x], {}) as [HostTensor, HostTensor, HostTensor];
    const [mm] = forward('MatMulInteger', [qx, qW, zx, zpW], {});
    const [c] = forward('Cast', [mm!], { to: 'float32' });
    const [s] = forward('Mul', [sx, scaleW], {});
    const [out] = forward('Mul', [c!, s!], {});
    expectClose(out!.data, matmul64(x.data, W.data, M, K, N), 0.05, 0.05, 'forward ≈ x @ W');

    // Backward, VJP by VJP.
    const G = uniform([M, N]);
    const [gc, gs] = vjpOf('Mul')({ ops, inputs: [c!, s!], outputs: [out!], attrs: {} }, [G], [true, true]);
    const [gmm] = vjpOf('Cast')({ ops, inputs: [mm!], outputs: [c!], attrs: { to: 'float32' } }, [gc], [true]);
    expect(gmm, 'Cast passes a gradient to its int input').toBeDefined();
    const [gqx] = vjpOf('MatMulInteger')({ ops, inputs: [qx, qW, zx, zpW], outputs: [mm!], attrs: {} }, [gmm], [true, false, false, false]);
    const [gsx] = vjpOf('Mul')({ ops, inputs: [sx, scaleW], outputs: [s!], attrs: {} }, [gs], [true, false]);
    const [gx] = vjpOf('DynamicQuantizeLinear')({ ops, inputs: [x], outputs: [qx, sx, zx], attrs: {} }, [gqx, gsx, undefined], [true]);
    expect(F(gx!).dtype).toBe('float32');
    expect(F(gx!).shape).toEqual([M, K]);

    // d/dx (x @ Wdeq) = G @ Wdeqᵀ exactly (up to float32 rounding) ...
    expectClose(F(gx!).data, matmul64(G.data, Wdeq, M, N, K, true), 1e-4, 1e-4, 'dx vs G @ Wdeqᵀ');
    // ... and d/dx (x @ W) = G @ Wᵀ within the weight quantization error.
    expectClose(F(gx!).data, matmul64(G.data, W.data, M, N, K, true), 0.05, 0.05, 'dx vs G @ Wᵀ');
  });

  it('DynamicQuantizeLinear of an all-zero x (scale 0) passes dy through finitely', () => {
    const x = floatTensor([2], [0, 0]);
    const outputs = forward('DynamicQuantizeLinear', [x], {});
    const [dx] = vjpOf('DynamicQuantizeLinear')(
      { ops, inputs: [x], outputs, attrs: {} },
      [floatTensor([2], [1, 2])],
      [true],
    ) as HostTensor[];
    expect(Array.from(dx!.data).every(Number.isFinite)).toBe(true);
  });
});

describe('coverage', () => {
  it('every registered VJP has a numerical or straight-through check', () => {
    for (const c of cases) covered.add(c.op);
    for (const op of ['MatMulInteger', 'DynamicQuantizeLinear']) covered.add(op); // checked above
    expect([...gradients.keys()].filter((op) => !covered.has(op))).toEqual([]);
  });
});
