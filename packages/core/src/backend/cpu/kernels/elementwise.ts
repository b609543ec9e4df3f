// Elementwise kernels: every binary op runs one numpy-broadcasting loop with a function
// from a table, every unary op one plain loop. Float results are computed in float64
// and rounded once to float32 on store; integer results go through intConverter.
import {
  type DType,
  type HostTensor,
  type TensorData,
  broadcastShapes,
  broadcastStrides,
  isFloat,
  sizeOf,
  tensor,
} from '../../../tensor.ts';
import { registerCpuKernel } from '../registry.ts';
import { erf } from './erf.ts';
import { checkInputs, expectSameDtype, fmt } from '../../attrs.ts';
import { toStorage } from './util.ts';

type Fn2 = (a: number, b: number) => number;
type Out = Float32Array | Int32Array | Float64Array;

/**
 * out[i] = f(a[...], b[...]) over `shape`, reading a and b through (broadcast) strides.
 * Fast paths for equal shapes and a scalar side; otherwise an odometer over the outer
 * dimensions with a plain inner loop over the last one.
 */
export function broadcastBinary(
  f: Fn2,
  a: TensorData,
  aStrides: readonly number[],
  b: TensorData,
  bStrides: readonly number[],
  shape: readonly number[],
  out: Out,
): void {
  const n = sizeOf(shape);
  if (n === 0) return;
  const r = shape.length;
  if (r === 0) {
    out[0] = f(a[0]!, b[0]!);
    return;
  }
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
    return;
  }
  if (a.length === n && b.length === 1) {
    const bv = b[0]!;
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, bv);
    return;
  }
  if (a.length === 1 && b.length === n) {
    const av = a[0]!;
    for (let i = 0; i < n; i++) out[i] = f(av, b[i]!);
    return;
  }
  const inner = shape[r - 1]!;
  const sa = aStrides[r - 1]!;
  const sb = bStrides[r - 1]!;
  const idx = new Array<number>(r).fill(0);
  let offA = 0;
  let offB = 0;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0; j < inner; j++) out[o + j] = f(a[offA + j * sa]!, b[offB + j * sb]!);
    for (let d = r - 2; d >= 0; d--) {
      offA += aStrides[d]!;
      offB += bStrides[d]!;
      if (++idx[d]! < shape[d]!) break;
      offA -= aStrides[d]! * shape[d]!;
      offB -= bStrides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

interface BinarySpec {
  f: Fn2;
  /** Replaces f when the inputs are integers. */
  fInt?: Fn2;
  /** Output dtype 'bool' (comparisons and logic) instead of the inputs' dtype. */
  bool?: boolean;
  /** Inputs must be bool (And, Or, Xor). */
  boolIn?: boolean;
  /** The second input may have another dtype (Pow's exponent). */
  mixed?: boolean;
}

const binaryOps: Record<string, BinarySpec> = {
  Add: { f: (a, b) => a + b },
  Sub: { f: (a, b) => a - b },
  Mul: { f: (a, b) => a * b },
  Div: {
    f: (a, b) => a / b,
    fInt: (a, b) => {
      if (b === 0) throw new Error('Div: integer division by zero');
      return Math.trunc(a / b);
    },
  },
  Pow: { f: (a, b) => a ** b, mixed: true },
  Max: { f: (a, b) => Math.max(a, b) },
  Min: { f: (a, b) => Math.min(a, b) },
  Equal: { f: (a, b) => (a === b ? 1 : 0), bool: true },
  Less: { f: (a, b) => (a < b ? 1 : 0), bool: true },
  Greater: { f: (a, b) => (a > b ? 1 : 0), bool: true },
  LessOrEqual: { f: (a, b) => (a <= b ? 1 : 0), bool: true },
  GreaterOrEqual: { f: (a, b) => (a >= b ? 1 : 0), bool: true },
  And: { f: (a, b) => (a !== 0 && b !== 0 ? 1 : 0), bool: true, boolIn: true },
  Or: { f: (a, b) => (a !== 0 || b !== 0 ? 1 : 0), bool: true, boolIn: true },
  Xor: { f: (a, b) => ((a !== 0) !== (b !== 0) ? 1 : 0), bool: true, boolIn: true },
};

function binary(op: string, spec: BinarySpec, a: HostTensor, b: HostTensor): HostTensor {
  if (!spec.mixed) expectSameDtype(op, a, b);
  if (spec.boolIn && a.dtype !== 'bool') {
    throw new Error(`${op}: inputs must be bool, got ${a.dtype} ${fmt(a.shape)} and ${b.dtype} ${fmt(b.shape)}`);
  }
  const shape = broadcastShapes(a.shape, b.shape, op);
  const dtype: DType = spec.bool ? 'bool' : a.dtype;
  const n = sizeOf(shape);
  const float = isFloat(dtype);
  // Integer arithmetic lands in float64 first so that int64 can saturate rather than wrap.
  const out: Out = float ? new Float32Array(n) : spec.bool ? new Int32Array(n) : new Float64Array(n);
  const f = !isFloat(a.dtype) && spec.fInt ? spec.fInt : spec.f;
  broadcastBinary(f, a.data, broadcastStrides(a.shape, shape), b.data, broadcastStrides(b.shape, shape), shape, out);
  return tensor(dtype, shape, out instanceof Float64Array ? toStorage(dtype, out) : out);
}

type Fn1 = (x: number) => number;
interface UnarySpec {
  f: Fn1;
  /** Which input dtypes the op accepts. */
  accepts: 'float' | 'numeric' | 'bool';
}

const unaryOps: Record<string, UnarySpec> = {
  Neg: { f: (x) => -x, accepts: 'numeric' },
  Abs: { f: (x) => Math.abs(x), accepts: 'numeric' },
  Relu: { f: (x) => (x < 0 ? 0 : x), accepts: 'numeric' },
  Sqrt: { f: (x) => Math.sqrt(x), accepts: 'float' },
  Exp: { f: (x) => Math.exp(x), accepts: 'float' },
  Log: { f: (x) => Math.log(x), accepts: 'float' },
  Erf: { f: erf, accepts: 'float' },
  Tanh: { f: (x) => Math.tanh(x), accepts: 'float' },
  Sigmoid: {
    f: (x) => {
      if (x >= 0) return 1 / (1 + Math.exp(-x));
      const e = Math.exp(x);
      return e / (1 + e);
    },
    accepts: 'float',
  },
  Reciprocal: { f: (x) => 1 / x, accepts: 'float' },
  Floor: { f: (x) => Math.floor(x), accepts: 'float' },
  Ceil: { f: (x) => Math.ceil(x), accepts: 'float' },
  Sin: { f: (x) => Math.sin(x), accepts: 'float' },
  Cos: { f: (x) => Math.cos(x), accepts: 'float' },
  Not: { f: (x) => (x === 0 ? 1 : 0), accepts: 'bool' },
};

/** Registers the CPU kernels of elementwise.ts (called once, by the folder's index). */
export function registerCpuElementwise(): void {
  for (const [op, spec] of Object.entries(binaryOps)) {
    // Max and Min are variadic in ONNX; the others take exactly two inputs.
    const variadic = op === 'Max' || op === 'Min';
    registerCpuKernel(op, (inputs) => {
      checkInputs(op, inputs, variadic ? 1 : 2, variadic ? Infinity : 2);
      let acc = inputs[0]!;
      for (let i = 1; i < inputs.length; i++) acc = binary(op, spec, acc, inputs[i]!);
      return [acc];
    });
  }
  for (const [op, spec] of Object.entries(unaryOps)) {
    registerCpuKernel(op, (inputs) => {
      checkInputs(op, inputs, 1);
      const x = inputs[0]!;
      const float = isFloat(x.dtype);
      const ok = spec.accepts === 'float' ? float : spec.accepts === 'bool' ? x.dtype === 'bool' : x.dtype !== 'bool';
      if (!ok) throw new Error(`${op}: unsupported input dtype ${x.dtype} ${fmt(x.shape)}`);
      const n = x.data.length;
      const src = x.data;
      const f = spec.f;
      const out = float ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = f(src[i]!);
      return [tensor(x.dtype, x.shape, out instanceof Float64Array ? toStorage(x.dtype, out) : out)];
    });
  }
  registerCpuKernel('Identity', (inputs) => {
    checkInputs('Identity', inputs, 1);
    return [inputs[0]!];
  });
}
