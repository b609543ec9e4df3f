// Helpers shared by the CPU kernels: optional inputs, integer storage and strided
// iteration (attribute and input checks are in ../../attrs.ts). Nothing here registers a kernel.
import { type DType, type HostTensor, type TensorData, isFloat, sizeOf } from '../../../tensor.ts';

/** Input `i`, or undefined where an optional input is absent. */
export const optionalInput = (inputs: readonly (HostTensor | undefined)[], i: number): HostTensor | undefined => inputs[i] ?? undefined;

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
export const newStorage = (dtype: DType, n: number): TensorData => (isFloat(dtype) ? new Float32Array(n) : new Int32Array(n));

/**
 * out[i] = src[offset + Σ_d idx_d · strides[d]] for every index of `shape` in row-major
 * order: the one copy loop behind Transpose, Expand and Slice.
 */
export function stridedCopy(src: TensorData, offset: number, strides: readonly number[], shape: readonly number[], out: TensorData): void {
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

/** Rounds to the nearest integer, ties to even (as nearbyint under FE_TONEAREST). */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
