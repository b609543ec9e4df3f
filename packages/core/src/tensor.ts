/**
 * Host tensors: the CPU backend's storage and the currency of planning.
 * Floating types (float32, float16, float64) are held as Float32Array: float16 graphs
 * compute in float32 here. Integer and bool types are held as Int32Array; int64 values
 * outside the int32 range (Slice's INT64_MAX "to the end" sentinels) saturate, which
 * keeps their meaning for every op in the supported set.
 */
export type DType = 'float32' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';
export type TensorData = Float32Array | Int32Array;

export interface HostTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

export const isFloat = (dtype: DType): boolean => dtype === 'float32';

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function tensor(dtype: DType, shape: readonly number[], data?: TensorData | ArrayLike<number>): HostTensor {
  const n = sizeOf(shape);
  let out: TensorData;
  if (data instanceof Float32Array || data instanceof Int32Array) {
    const wantFloat = isFloat(dtype);
    if (wantFloat === data instanceof Float32Array) out = data;
    else out = wantFloat ? Float32Array.from(data) : Int32Array.from(data);
  } else if (data) {
    out = isFloat(dtype) ? Float32Array.from(data) : Int32Array.from(data);
  } else {
    out = isFloat(dtype) ? new Float32Array(n) : new Int32Array(n);
  }
  if (out.length !== n) throw new Error(`tensor: ${out.length} values do not fill shape [${shape.join(', ')}]`);
  return { dtype, shape: [...shape], data: out };
}

export const floatTensor = (shape: readonly number[], data?: ArrayLike<number>) => tensor('float32', shape, data);
export const intTensor = (shape: readonly number[], data?: ArrayLike<number>, dtype: DType = 'int64') => tensor(dtype, shape, data);
export const scalarOf = (t: HostTensor): number => t.data[0]!;

/** Numpy-style broadcast of two shapes; throws naming both shapes when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[], op = 'broadcast'): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of `shape` seen through a broadcast to `outShape` (0 along broadcast axes). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, i) => {
    const j = i - offset;
    return j < 0 || shape[j] === 1 ? 0 : strides[j]!;
  });
}

export const normalizeAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);
export const shapeEquals = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
export const formatShape = (s: readonly number[]) => `[${s.join(', ')}]`;
