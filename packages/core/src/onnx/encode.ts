import protobuf from 'protobufjs';
import type { AttrValue } from '../backend/backend.ts';
import type { DType, HostTensor } from '../tensor.ts';

/**
 * Writes an ONNX ModelProto (the subset a compiled graph needs: nodes with int, float,
 * string, tensor and list attributes; initializers as raw little-endian data; inputs and
 * outputs with their element types and static or symbolic dimensions). Field numbers are
 * those of onnx.proto3.
 */

/** TensorProto.DataType of each host dtype. */
export const ONNX_TYPE: Record<DType, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9 };

export interface EncodedNode {
  opType: string;
  domain?: string;
  /** Attributes typed float / floats (default: the usual float attribute names). */
  floatAttrs?: readonly string[];
  inputs: readonly string[];
  outputs: readonly string[];
  attrs?: Readonly<Record<string, AttrValue>>;
  name?: string;
}

export interface EncodedValue {
  name: string;
  dtype: DType;
  /** Static sizes, symbolic names, or null for an unknown size. */
  shape: readonly (number | string | null)[];
}

export interface EncodedModel {
  nodes: readonly EncodedNode[];
  initializers: ReadonlyMap<string, HostTensor>;
  inputs: readonly EncodedValue[];
  outputs: readonly EncodedValue[];
  opset: number;
}

const LEN = 2;
const VARINT = 0;
const FIXED32 = 5;
const tag = (field: number, wire: number) => (field << 3) | wire;

/** Element bytes of a host tensor stored as `dtype`, little-endian. */
export function rawData(t: HostTensor): Uint8Array {
  const n = t.data.length;
  switch (t.dtype) {
    case 'float32': {
      const f = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
      return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
    }
    case 'int64': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = BigInt(t.data[i]!);
      return new Uint8Array(out.buffer);
    }
    case 'int32': {
      const out = Int32Array.from(t.data);
      return new Uint8Array(out.buffer);
    }
    case 'int8':
      return new Uint8Array(Int8Array.from(t.data).buffer);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(t.data);
  }
}

function writeTensor(w: protobuf.Writer, name: string, t: HostTensor): void {
  for (const d of t.shape) w.uint32(tag(1, VARINT)).int64(d);
  w.uint32(tag(2, VARINT)).int32(ONNX_TYPE[t.dtype]);
  w.uint32(tag(8, LEN)).string(name);
  w.uint32(tag(9, LEN)).bytes(rawData(t));
}

function isHostTensor(v: AttrValue): v is HostTensor {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'data' in v;
}

/** AttributeProto: name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, strings 9, type 20. */
function writeAttribute(w: protobuf.Writer, name: string, v: AttrValue, floatNames: ReadonlySet<string>): void {
  w.uint32(tag(1, LEN)).string(name);
  if (typeof v === 'number' || typeof v === 'boolean') {
    const n = Number(v);
    if (floatNames.has(name)) w.uint32(tag(2, FIXED32)).float(n).uint32(tag(20, VARINT)).int32(1);
    else w.uint32(tag(3, VARINT)).int64(n).uint32(tag(20, VARINT)).int32(2);
  } else if (typeof v === 'string') {
    w.uint32(tag(4, LEN)).bytes(new TextEncoder().encode(v)).uint32(tag(20, VARINT)).int32(3);
  } else if (isHostTensor(v)) {
    w.uint32(tag(5, LEN)).fork();
    writeTensor(w, '', v);
    w.ldelim().uint32(tag(20, VARINT)).int32(4);
  } else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
    for (const s of v as string[]) w.uint32(tag(9, LEN)).bytes(new TextEncoder().encode(s));
    w.uint32(tag(20, VARINT)).int32(8);
  } else if (Array.isArray(v)) {
    if (floatNames.has(name)) {
      for (const x of v as number[]) w.uint32(tag(7, FIXED32)).float(x);
      w.uint32(tag(20, VARINT)).int32(6);
    } else {
      for (const x of v as number[]) w.uint32(tag(8, VARINT)).int64(x);
      w.uint32(tag(20, VARINT)).int32(7);
    }
  } else {
    throw new Error(`attribute "${name}" has no ONNX encoding: ${JSON.stringify(v)}`);
  }
}

/** Attributes ONNX types as float (every other number is an int). */
const FLOAT_ATTRIBUTES = new Set(['epsilon', 'alpha', 'beta', 'gamma', 'value_float', 'value_floats', 'ratio', 'min', 'max']);

function writeNode(w: protobuf.Writer, node: EncodedNode, index: number): void {
  for (const i of node.inputs) w.uint32(tag(1, LEN)).string(i);
  for (const o of node.outputs) w.uint32(tag(2, LEN)).string(o);
  w.uint32(tag(3, LEN)).string(node.name ?? `n${index}_${node.opType}`);
  w.uint32(tag(4, LEN)).string(node.opType);
  if (node.domain) w.uint32(tag(7, LEN)).string(node.domain);
  const floats = node.floatAttrs ? new Set(node.floatAttrs) : FLOAT_ATTRIBUTES;
  for (const [name, v] of Object.entries(node.attrs ?? {})) {
    if (v === undefined) continue;
    w.uint32(tag(5, LEN)).fork();
    writeAttribute(w, name, v, floats);
    w.ldelim();
  }
}

/** ValueInfoProto { name 1, type 2: TypeProto { tensor_type 1: { elem_type 1, shape 2: { dim 1: { dim_value 1 | dim_param 2 } } } } } */
function writeValueInfo(w: protobuf.Writer, v: EncodedValue): void {
  w.uint32(tag(1, LEN)).string(v.name);
  w.uint32(tag(2, LEN)).fork();
  w.uint32(tag(1, LEN)).fork();
  w.uint32(tag(1, VARINT)).int32(ONNX_TYPE[v.dtype]);
  w.uint32(tag(2, LEN)).fork();
  for (const d of v.shape) {
    w.uint32(tag(1, LEN)).fork();
    if (typeof d === 'number') w.uint32(tag(1, VARINT)).int64(d);
    else if (typeof d === 'string') w.uint32(tag(2, LEN)).string(d);
    w.ldelim();
  }
  w.ldelim().ldelim().ldelim();
}

/** The model's bytes: ir_version 8, the default opset at `opset`, one graph. */
export function encodeModel(model: EncodedModel): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(tag(1, VARINT)).int64(8); // ir_version
  w.uint32(tag(2, LEN)).string('glassbox');
  w.uint32(tag(8, LEN)).fork().uint32(tag(1, LEN)).string('').uint32(tag(2, VARINT)).int64(model.opset).ldelim();
  w.uint32(tag(7, LEN)).fork();
  model.nodes.forEach((node, i) => {
    w.uint32(tag(1, LEN)).fork();
    writeNode(w, node, i);
    w.ldelim();
  });
  w.uint32(tag(2, LEN)).string('glassbox_gradients');
  for (const [name, t] of model.initializers) {
    w.uint32(tag(5, LEN)).fork();
    writeTensor(w, name, t);
    w.ldelim();
  }
  for (const v of model.inputs) {
    w.uint32(tag(11, LEN)).fork();
    writeValueInfo(w, v);
    w.ldelim();
  }
  for (const v of model.outputs) {
    w.uint32(tag(12, LEN)).fork();
    writeValueInfo(w, v);
    w.ldelim();
  }
  w.ldelim();
  return w.finish();
}
