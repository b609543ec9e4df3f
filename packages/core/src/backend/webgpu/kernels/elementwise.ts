// Elementwise kernels: binary ops with numpy broadcasting, Where, unary ops, Cast.
import type { Attrs } from '../../backend.ts';
import { type DType, broadcastShapes, broadcastStrides, isFloat } from '../../../tensor.ts';
import type { Gpu, Param } from '../gpu.ts';
import { type GpuTensor, wgslType } from '../gpuTensor.ts';
import { registerWebGpuKernel } from '../registry.ts';
import { ELEMENTWISE_MAIN, LINEAR_INDEX, PARAMS } from '../wgsl.ts';

/**
 * WGSL for "output element i reads input k at offset(k, i)" under broadcasting: params are
 * [n, rank, outShape…, strides of input 0…, strides of input 1…, …].
 */
export function broadcastIndexing(inputs: number, rank: number): string {
  const offsets = Array.from({ length: inputs }, (_, k) => `o${k}`);
  return /* wgsl */ `
fn offsets(i: u32) -> array<u32, ${Math.max(inputs, 1)}> {
  var rem = i;
  var o = array<u32, ${Math.max(inputs, 1)}>();
  for (var d = ${rank}i - 1; d >= 0; d--) {
    let dim = P(2u + u32(d));
    let c = rem % dim;
    rem = rem / dim;
    ${offsets.map((_, k) => `o[${k}] += c * P(2u + ${rank}u * ${k + 1}u + u32(d));`).join('\n    ')}
  }
  return o;
}`;
}

export function broadcastParams(outShape: readonly number[], shapes: readonly (readonly number[])[]): Param[] {
  const n = outShape.reduce((p, d) => p * d, 1);
  return [n, outShape.length, ...outShape, ...shapes.flatMap((s) => broadcastStrides(s, outShape))];
}

const BINARY: Record<string, { f32?: string; i32?: string; out?: DType }> = {
  Add: { f32: 'a + b', i32: 'a + b' },
  Sub: { f32: 'a - b', i32: 'a - b' },
  Mul: { f32: 'a * b', i32: 'a * b' },
  Div: { f32: 'a / b', i32: 'a / b' },
  // WGSL pow is undefined for a < 0; ONNX follows C pow (integer exponents of negatives are fine).
  Pow: { f32: 'powSigned(a, b)' },
  Max: { f32: 'max(a, b)', i32: 'max(a, b)' },
  Min: { f32: 'min(a, b)', i32: 'min(a, b)' },
  Equal: { f32: 'select(0, 1, a == b)', i32: 'select(0, 1, a == b)', out: 'bool' },
  Less: { f32: 'select(0, 1, a < b)', i32: 'select(0, 1, a < b)', out: 'bool' },
  Greater: { f32: 'select(0, 1, a > b)', i32: 'select(0, 1, a > b)', out: 'bool' },
  LessOrEqual: { f32: 'select(0, 1, a <= b)', i32: 'select(0, 1, a <= b)', out: 'bool' },
  GreaterOrEqual: { f32: 'select(0, 1, a >= b)', i32: 'select(0, 1, a >= b)', out: 'bool' },
  And: { i32: 'select(0, 1, a != 0 && b != 0)', out: 'bool' },
  Or: { i32: 'select(0, 1, a != 0 || b != 0)', out: 'bool' },
  Xor: { i32: 'select(0, 1, (a != 0) != (b != 0))', out: 'bool' },
};

const POW_SIGNED = /* wgsl */ `
fn powSigned(a: f32, b: f32) -> f32 {
  if (a >= 0.0) { if (b == 0.0) { return 1.0; } return pow(a, b); }
  if (b == round(b)) {
    let m = pow(-a, b);
    return select(m, -m, (i32(b) & 1) == 1);
  }
  let zero = a - a;
  return zero / zero; // NaN, made at run time (a constant NaN is a WGSL compile error)
}`;

function binaryKernel(op: string, spec: (typeof BINARY)[string]) {
  return (gpu: Gpu, [a, b]: readonly GpuTensor[]): GpuTensor[] => {
    if (!a || !b) throw new Error(`${op}: expects 2 inputs`);
    const t = wgslType(a.dtype);
    const expr = spec[t];
    if (!expr) throw new Error(`${op}: ${a.dtype} inputs are not supported`);
    const shape = broadcastShapes(a.shape, b.shape, op);
    const outDtype = spec.out ?? a.dtype;
    const out = gpu.alloc(outDtype, shape);
    const rank = shape.length;
    gpu.dispatch({
      code: /* wgsl */ `${PARAMS}${LINEAR_INDEX}${POW_SIGNED}${broadcastIndexing(2, rank)}
@group(0) @binding(1) var<storage, read> A: array<${t}>;
@group(0) @binding(2) var<storage, read> B: array<${wgslType(b.dtype)}>;
@group(0) @binding(3) var<storage, read_write> Y: array<${wgslType(outDtype)}>;
${ELEMENTWISE_MAIN} {
  let i = linearIndex(gid, nwg);
  if (i >= P(0u)) { return; }
  let o = offsets(i);
  let a = A[o[0]];
  let b = B[o[1]];
  Y[i] = ${expr};
}`,
      inputs: [a, b],
      outputs: [out],
      params: broadcastParams(shape, [a.shape, b.shape]),
      invocations: out.size,
    });
    return [out];
  };
}

const UNARY_F32: Record<string, string> = {
  Neg: '-x',
  Abs: 'abs(x)',
  Sqrt: 'sqrt(x)',
  Exp: 'exp(x)',
  Log: 'log(x)',
  Erf: 'erf(x)',
  Tanh: 'tanhSafe(x)',
  Relu: 'select(x, 0.0, x < 0.0)',
  Sigmoid: '1.0 / (1.0 + exp(-x))',
  Reciprocal: '1.0 / x',
  Floor: 'floor(x)',
  Ceil: 'ceil(x)',
  Sin: 'sin(x)',
  Cos: 'cos(x)',
  Identity: 'x',
};
const UNARY_I32: Record<string, string> = { Neg: '-x', Abs: 'abs(x)', Identity: 'x', Not: 'select(1, 0, x != 0)' };

/**
 * erf with |error| < 1.2e-7 (Numerical Recipes' erfc Chebyshev fit), evaluated in f32; and
 * tanh through exp, since some adapters' tanh overflows to NaN for large |x|.
 */
const MATH = /* wgsl */ `
fn erf(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let r = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
          t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(1.0 - r, r - 1.0, x < 0.0);
}
fn tanhSafe(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}`;

/** Y[i] = `expr` of x = X[i] for every element of x, into `out` (of x's size); `prelude` holds WGSL functions `expr` calls. */
function mapElements(gpu: Gpu, x: GpuTensor, out: GpuTensor, expr: string, prelude = ''): GpuTensor[] {
  gpu.dispatch({
    code: /* wgsl */ `${PARAMS}${LINEAR_INDEX}${prelude}
@group(0) @binding(1) var<storage, read> X: array<${wgslType(x.dtype)}>;
@group(0) @binding(2) var<storage, read_write> Y: array<${wgslType(out.dtype)}>;
${ELEMENTWISE_MAIN} {
  let i = linearIndex(gid, nwg);
  if (i >= P(0u)) { return; }
  let x = X[i];
  Y[i] = ${expr};
}`,
    inputs: [x],
    outputs: [out],
    params: [out.size],
    invocations: out.size,
  });
  return [out];
}

function unaryKernel(op: string) {
  return (gpu: Gpu, [x]: readonly GpuTensor[]): GpuTensor[] => {
    if (!x) throw new Error(`${op}: expects 1 input`);
    const expr = (wgslType(x.dtype) === 'f32' ? UNARY_F32 : UNARY_I32)[op];
    if (!expr) throw new Error(`${op}: ${x.dtype} input is not supported`);
    return mapElements(gpu, x, gpu.alloc(x.dtype, x.shape), expr, MATH);
  };
}

/** Registers the WebGPU kernels of elementwise.ts (called once, by the folder's index). */
export function registerWebGpuElementwise(): void {
  for (const [op, spec] of Object.entries(BINARY)) registerWebGpuKernel(op, binaryKernel(op, spec));
  registerWebGpuKernel('Where', (gpu, [cond, x, y]) => {
    if (!cond || !x || !y) throw new Error('Where: expects 3 inputs');
    const shape = broadcastShapes(broadcastShapes(cond.shape, x.shape, 'Where'), y.shape, 'Where');
    const out = gpu.alloc(x.dtype, shape);
    const t = wgslType(x.dtype);
    gpu.dispatch({
      code: /* wgsl */ `${PARAMS}${LINEAR_INDEX}${broadcastIndexing(3, shape.length)}
  @group(0) @binding(1) var<storage, read> C: array<i32>;
  @group(0) @binding(2) var<storage, read> X: array<${t}>;
  @group(0) @binding(3) var<storage, read> Z: array<${t}>;
  @group(0) @binding(4) var<storage, read_write> Y: array<${t}>;
  ${ELEMENTWISE_MAIN} {
    let i = linearIndex(gid, nwg);
    if (i >= P(0u)) { return; }
    let o = offsets(i);
    Y[i] = select(Z[o[2]], X[o[1]], C[o[0]] != 0);
  }`,
      inputs: [cond, x, y],
      outputs: [out],
      params: broadcastParams(shape, [cond.shape, x.shape, y.shape]),
      invocations: out.size,
    });
    return [out];
  });
  for (const op of new Set([...Object.keys(UNARY_F32), ...Object.keys(UNARY_I32)])) registerWebGpuKernel(op, unaryKernel(op));
  /** Cast: float→int truncates toward zero and saturates at the int32 range; →bool is x ≠ 0. */
  registerWebGpuKernel('Cast', (gpu, [x], attrs: Attrs) => {
    if (!x) throw new Error('Cast: expects 1 input');
    const to = attrs.to as DType;
    const out = gpu.alloc(to, x.shape);
    const from = wgslType(x.dtype);
    let expr: string;
    if (to === 'bool') expr = from === 'f32' ? 'select(0, 1, x != 0.0)' : 'select(0, 1, x != 0)';
    else if (isFloat(to)) expr = from === 'f32' ? 'x' : 'f32(x)';
    else if (from === 'f32') expr = 'i32(clamp(trunc(x), -2147483648.0, 2147483520.0))';
    else if (to === 'uint8') expr = 'x & 255';
    else if (to === 'int8') expr = '((x & 255) ^ 128) - 128';
    else expr = 'x';
    return mapElements(gpu, x, out, expr);
  });
}
