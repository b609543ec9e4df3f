// Helpers shared by the CPU kernels: input/attribute checks, integer storage and
// strided iteration. Nothing here registers a kernel.
import type { AttrValue, Attrs } from '../../backend.ts';
import {
  type DType,
  type HostTensor,
  type TensorData,
  formatShape,
  isFloat,
  normalizeAxis,
  shapeEquals,
  sizeOf,
} from '../../../tensor.ts';

export const fmt = formatShape;

/** Throws unless inputs min..max are given and the first `min` are present. */
export function checkInputs(op: string, inputs: readonly (HostTensor | undefined)[], min: number, max = min): void {
  const n = inputs.length;
  if (n < min || n > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new Error(`${op}: expects ${want} inputs, got ${n}`);
  }
  for (let i = 0; i < min; i++) {
    if (!inputs[i]) throw new Error(`${op}: input ${i} is missing`);
  }
}

/** Input `i`, or undefined where an optional input is absent. */
export const optionalInput = (inputs: readonly (HostTensor | undefined)[], i: number): HostTensor | undefined =>
  inputs[i] ?? undefined;

function attrNumbers(v: AttrValue): number[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return [v];
  if (typeof v === 'boolean') return [v ? 1 : 0];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  if (typeof v === 'object' && !Array.isArray(v) && 'data' in v) return Array.from(v.data);
  return undefined;
}

/** A numeric attribute (a number, a boolean or a one-element tensor). */
export function numAttr(op: string, attrs: Attrs, name: string, def?: number): number {
  const v = attrs[name];
  if (v === undefined) {
    if (def === undefined) throw new Error(`${op}: attribute ${name} is required`);
    return def;
  }
  const xs = attrNumbers(v);
  if (!xs || xs.length !== 1) throw new Error(`${op}: attribute ${name} must be a number, got ${JSON.stringify(v)}`);
  return xs[0]!;
}

/** An integer attribute. */
export function intAttr(op: string, attrs: Attrs, name: string, def?: number): number {
  const x = numAttr(op, attrs, name, def);
  if (!Number.isInteger(x)) throw new Error(`${op}: attribute ${name} must be an integer, got ${x}`);
  return x;
}

/** An integer-list attribute (a number[] or a 1-D tensor); `def` when absent. */
export function intsAttr(op: string, attrs: Attrs, name: string, def?: readonly number[]): number[] {
  const v = attrs[name];
  if (v === undefined) {
    if (def === undefined) throw new Error(`${op}: attribute ${name} is required`);
    return [...def];
  }
  const xs = attrNumbers(v);
  if (!xs || !xs.every((x) => Number.isInteger(x))) {
    throw new Error(`${op}: attribute ${name} must be a list of integers, got ${JSON.stringify(v)}`);
  }
  return [...xs];
}

/** Normalises a possibly negative axis and checks it lies in [0, rank). */
export function axisOf(op: string, axis: number, shape: readonly number[]): number {
  const a = normalizeAxis(axis, shape.length);
  if (a < 0 || a >= shape.length) {
    throw new Error(`${op}: axis ${axis} out of range for shape ${fmt(shape)}`);
  }
  return a;
}

export function expectFloat(op: string, t: HostTensor, what = 'input'): void {
  if (!isFloat(t.dtype)) throw new Error(`${op}: ${what} must be float32, got ${t.dtype} ${fmt(t.shape)}`);
}

export function expectInteger(op: string, t: HostTensor, what = 'input'): void {
  if (isFloat(t.dtype)) throw new Error(`${op}: ${what} must be an integer tensor, got ${t.dtype} ${fmt(t.shape)}`);
}

/** Throws unless `t` has exactly `shape`. */
export function expectShape(op: string, t: HostTensor, shape: readonly number[], what = 'input'): void {
  if (!shapeEquals(t.shape, shape)) throw new Error(`${op}: ${what} has shape ${fmt(t.shape)}, expected ${fmt(shape)}`);
}

export function expectSameDtype(op: string, a: HostTensor, b: HostTensor): void {
  if (a.dtype !== b.dtype) {
    throw new Error(`${op}: input dtypes differ (${a.dtype} ${fmt(a.shape)} and ${b.dtype} ${fmt(b.shape)})`);
  }
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Maps a JS number to the value an integer dtype's Int32Array storage holds: truncation
 * toward zero, then int64/int32 saturate at the int32 range (NaN → 0), int8/uint8 wrap
 * as two's complement does, bool is v ≠ 0.
 */
export function intConverter(dtype: DType): (v: number) => number {
  switch (dtype) {
    case 'bool':
      return (v) => (v !== 0 ? 1 : 0);
    case 'int8':
      return (v) => (Number.isFinite(v) ? (Math.trunc(v) << 24) >> 24 : 0);
    case 'uint8':
      return (v) => (Number.isFinite(v) ? Math.trunc(v) & 255 : 0);
    case 'int32':
    case 'int64':
      return (v) => (v !== v ? 0 : Math.max(INT32_MIN, Math.min(INT32_MAX, Math.trunc(v))));
    default:
      throw new Error(`intConverter: ${dtype} is not an integer type`);
  }
}

/** Storage for `dtype` holding `values` (converted as intConverter says for integer types). */
export function toStorage(dtype: DType, values: ArrayLike<number>): TensorData {
  if (isFloat(dtype)) return values instanceof Float32Array ? values : Float32Array.from(values);
  const conv = intConverter(dtype);
  const out = new Int32Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = conv(values[i]!);
  return out;
}

/** A new zeroed array of `dtype`'s storage kind. */
export const newStorage = (dtype: DType, n: number): TensorData =>
  isFloat(dtype) ? new Float32Array(n) : new Int32Array(n);

/**
 * out[i] = src[offset + Σ_d idx_d · strides[d]] for every index of `shape` in row-major
 * order: the one copy loop behind Transpose, Expand and Slice.
 */
export function stridedCopy(
  src: TensorData,
  offset: number,
  strides: readonly number[],
  shape: readonly number[],
  out: TensorData,
): void {
  const n = sizeOf(shape);
  if (n === 0) return;
  const r = shape.length;
  if (r === 0) {
    out[0] = src[offset]!;
    return;
  }
  const inner = shape[r - 1]!;
  const s = strides[r - 1]!;
  const idx = new Array<number>(r).fill(0);
  let off = offset;
  for (let o = 0; o < n; o += inner) {
    if (s === 1) for (let j = 0; j < inner; j++) out[o + j] = src[off + j]!;
    else for (let j = 0; j < inner; j++) out[o + j] = src[off + j * s]!;
    for (let d = r - 2; d >= 0; d--) {
      off += strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      off -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/** Product of shape[from..to). */
export function prod(shape: readonly number[], from = 0, to = shape.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i]!;
  return n;
}

/** The outer × axis × inner split of a shape around one axis. */
export function splitAround(shape: readonly number[], axis: number): [outer: number, n: number, inner: number] {
  return [prod(shape, 0, axis), shape[axis]!, prod(shape, axis + 1)];
}

/** Rounds to the nearest integer, ties to even (as nearbyint under FE_TONEAREST). */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
