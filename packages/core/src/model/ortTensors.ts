import type * as Ort from 'onnxruntime-web';
import { GlassboxError } from '../errors.ts';
import { halfToFloat } from '../graph/load.ts';
import { type DType, type HostTensor, tensor } from '../tensor.ts';

/** Our host values as the typed array each onnxruntime tensor type takes. */
export const FEEDS: Partial<Record<Ort.Tensor.Type, (data: ArrayLike<number>) => Ort.Tensor.DataType>> = {
  float32: (d) => (d instanceof Float32Array ? d : Float32Array.from(d)),
  int64: (d) => BigInt64Array.from(Array.from(d, BigInt)),
  int32: (d) => Int32Array.from(d),
  int8: (d) => Int8Array.from(d),
  uint8: (d) => Uint8Array.from(d),
  bool: (d) => Uint8Array.from(d),
};

/** How an onnxruntime output type is held here (floats compute in float32, as our runtime's do). */
const HOST: Partial<Record<Ort.Tensor.Type, DType>> = {
  float32: 'float32',
  float16: 'float32',
  float64: 'float32',
  int64: 'int64',
  uint64: 'int64',
  uint32: 'int64',
  int32: 'int32',
  int16: 'int32',
  uint16: 'int32',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

export function toHost(name: string, t: Ort.Tensor): HostTensor {
  const dtype = HOST[t.type];
  if (!dtype) throw new GlassboxError('ort_output', `onnxruntime output "${name}" has type ${t.type}, which Glassbox does not read`);
  const data = t.data as ArrayLike<number | bigint>;
  if (t.type === 'float16' && data instanceof Uint16Array) return tensor(dtype, t.dims, Array.from(data, halfToFloat));
  if (data instanceof Float32Array) return tensor(dtype, t.dims, data.slice());
  return tensor(dtype, t.dims, typeof data[0] === 'bigint' ? Array.from(data, Number) : (data as ArrayLike<number>));
}

/** A host tensor as an onnxruntime tensor of its own type. */
export function toOrt(ort: typeof Ort, t: HostTensor, type: Ort.Tensor.Type = t.dtype): Ort.Tensor {
  const make = FEEDS[type];
  if (!make) throw new GlassboxError('ort_input', `onnxruntime input of type ${type} is not supported`);
  return new ort.Tensor(type as 'float32', make(t.data) as Float32Array, t.shape);
}
