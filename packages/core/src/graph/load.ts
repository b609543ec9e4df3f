import type { AttrValue } from '../backend/backend.ts';
import { ModelLoadError } from '../errors.ts';
import type { Graph, Node, ValueInfo } from './ir.ts';
import { type DType, type HostTensor, sizeOf, tensor } from '../tensor.ts';
import { decodeModelProto } from '../onnx/wire.ts';

/** Reads an external-data file named in a tensor's `location`, relative to the model file. */
export type ExternalDataReader = (location: string) => Promise<Uint8Array>;

type Long = { toNumber(): number };
type Int64 = number | Long;
const num = (v: Int64 | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const saturate = (v: number) => (v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v);

interface TensorProto {
  dims: Int64[];
  dataType: number;
  floatData: number[];
  int32Data: number[];
  int64Data: Int64[];
  doubleData: number[];
  uint64Data: Int64[];
  rawData?: Uint8Array;
  name: string;
  externalData: { key: string; value: string }[];
  dataLocation?: number;
}

// ONNX TensorProto.DataType → how we store it.
const ELEM: Record<number, { dtype: DType; bytes: number; name: string }> = {
  1: { dtype: 'float32', bytes: 4, name: 'float' },
  2: { dtype: 'uint8', bytes: 1, name: 'uint8' },
  3: { dtype: 'int8', bytes: 1, name: 'int8' },
  4: { dtype: 'int32', bytes: 2, name: 'uint16' },
  5: { dtype: 'int32', bytes: 2, name: 'int16' },
  6: { dtype: 'int32', bytes: 4, name: 'int32' },
  7: { dtype: 'int64', bytes: 8, name: 'int64' },
  9: { dtype: 'bool', bytes: 1, name: 'bool' },
  10: { dtype: 'float32', bytes: 2, name: 'float16' },
  11: { dtype: 'float32', bytes: 8, name: 'double' },
  12: { dtype: 'int64', bytes: 4, name: 'uint32' },
  13: { dtype: 'int64', bytes: 8, name: 'uint64' },
  16: { dtype: 'float32', bytes: 2, name: 'bfloat16' },
};

export function dtypeOfOnnx(elemType: number, what: string): DType {
  const e = ELEM[elemType];
  if (!e) throw new ModelLoadError(`${what}: ONNX data type ${elemType} is not supported`);
  return e.dtype;
}

/** IEEE half-precision bits → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decodeRaw(elemType: number, bytes: Uint8Array, n: number): ArrayLike<number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (elemType) {
      case 1:
        out[i] = view.getFloat32(i * 4, true);
        break;
      case 2:
      case 9:
        out[i] = view.getUint8(i);
        break;
      case 3:
        out[i] = view.getInt8(i);
        break;
      case 4:
        out[i] = view.getUint16(i * 2, true);
        break;
      case 5:
        out[i] = view.getInt16(i * 2, true);
        break;
      case 6:
        out[i] = view.getInt32(i * 4, true);
        break;
      case 7:
        out[i] = saturate(Number(view.getBigInt64(i * 8, true)));
        break;
      case 10:
        out[i] = halfToFloat(view.getUint16(i * 2, true));
        break;
      case 11:
        out[i] = view.getFloat64(i * 8, true);
        break;
      case 12:
        out[i] = saturate(view.getUint32(i * 4, true));
        break;
      case 13:
        out[i] = saturate(Number(view.getBigUint64(i * 8, true)));
        break;
      case 16:
        out[i] = new Float32Array(new Uint32Array([view.getUint16(i * 2, true) << 16]).buffer)[0]!;
        break;
    }
  }
  return out;
}

async function decodeTensor(t: TensorProto, readExternal?: ExternalDataReader): Promise<HostTensor> {
  const what = `tensor "${t.name}"`;
  const elem = ELEM[t.dataType];
  if (!elem) throw new ModelLoadError(`${what}: ONNX data type ${t.dataType} is not supported`);
  const shape = t.dims.map(num);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new ModelLoadError(`${what}: invalid shape [${shape.join(', ')}]`);
  const n = sizeOf(shape);
  let values: ArrayLike<number>;
  if (t.dataLocation === 1) {
    const info = Object.fromEntries(t.externalData.map((e) => [e.key, e.value]));
    if (!info.location) throw new ModelLoadError(`${what}: external data without a location`);
    if (!readExternal) throw new ModelLoadError(`${what}: stored in external file "${info.location}", but no reader was given`);
    const file = await readExternal(info.location);
    const offset = Number(info.offset ?? 0);
    const length = info.length !== undefined ? Number(info.length) : n * elem.bytes;
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < n * elem.bytes) {
      throw new ModelLoadError(
        `${what}: external data offset ${info.offset} / length ${info.length} do not hold shape [${shape.join(', ')}] (${n * elem.bytes} bytes)`,
      );
    }
    if (offset + length > file.byteLength) {
      throw new ModelLoadError(
        `${what}: external file "${info.location}" is truncated (needs ${offset + length} bytes, has ${file.byteLength})`,
      );
    }
    values = decodeRaw(t.dataType, file.subarray(offset, offset + length), n);
  } else if (t.rawData && t.rawData.length > 0) {
    if (t.rawData.length < n * elem.bytes)
      throw new ModelLoadError(`${what}: raw_data holds ${t.rawData.length} bytes, shape needs ${n * elem.bytes}`);
    values =
      t.dataType === 1 && t.rawData.byteOffset % 4 === 0
        ? new Float32Array(t.rawData.buffer, t.rawData.byteOffset, n)
        : decodeRaw(t.dataType, t.rawData, n);
  } else if (t.dataType === 1) {
    values = t.floatData;
  } else if (t.dataType === 11) {
    values = t.doubleData;
  } else if (t.dataType === 7) {
    values = t.int64Data.map((v) => saturate(num(v)));
  } else if (t.dataType === 12 || t.dataType === 13) {
    values = t.uint64Data.map((v) => saturate(num(v)));
  } else if (t.dataType === 10) {
    values = t.int32Data.map(halfToFloat);
  } else if (t.dataType === 16) {
    values = t.int32Data.map((b) => new Float32Array(new Uint32Array([b << 16]).buffer)[0]!);
  } else {
    values = t.int32Data;
  }
  if (values.length !== n) throw new ModelLoadError(`${what}: holds ${values.length} values, shape [${shape.join(', ')}] needs ${n}`);
  // Copy out of the protobuf buffer so the file's bytes can be freed.
  return tensor(elem.dtype, shape, elem.dtype === 'float32' ? Float32Array.from(values) : Int32Array.from(values));
}

interface AttributeProto {
  name: string;
  f: number;
  i: Int64;
  s: Uint8Array;
  t?: TensorProto;
  floats: number[];
  ints: Int64[];
  strings: Uint8Array[];
  type: number;
}
const utf8 = new TextDecoder();

async function decodeAttr(a: AttributeProto, readExternal?: ExternalDataReader): Promise<AttrValue> {
  switch (a.type) {
    case 1:
      return a.f;
    case 2:
      return num(a.i);
    case 3:
      return utf8.decode(a.s);
    case 4:
      return a.t ? decodeTensor(a.t, readExternal) : undefined;
    case 6:
      return [...a.floats];
    case 7:
      return a.ints.map(num);
    case 8:
      return a.strings.map((s) => utf8.decode(s));
    default:
      return undefined; // graphs and sparse tensors: no supported op uses them
  }
}

/** A Constant node's value, from whichever attribute form it uses. */
function constantValue(attrs: Record<string, AttrValue>, nodeName: string): HostTensor {
  const v = attrs.value;
  if (v && typeof v === 'object' && 'data' in v) return v;
  if (typeof attrs.value_float === 'number') return tensor('float32', [], [attrs.value_float]);
  if (typeof attrs.value_int === 'number') return tensor('int64', [], [attrs.value_int]);
  if (Array.isArray(attrs.value_floats)) return tensor('float32', [attrs.value_floats.length], attrs.value_floats as number[]);
  if (Array.isArray(attrs.value_ints)) return tensor('int64', [attrs.value_ints.length], attrs.value_ints as number[]);
  throw new ModelLoadError(`Constant node "${nodeName}" has no supported value attribute`);
}

/** Nodes ordered so each comes after its inputs' producers (depth-first, with an explicit stack: a long chain of nodes must not overflow the call stack). */
function topoSort(nodes: Node[], available: Set<string>): Node[] {
  const producers = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => producers.set(o, i)));
  const done = new Array<boolean>(nodes.length).fill(false);
  const visiting = new Array<boolean>(nodes.length).fill(false);
  const order: Node[] = [];
  for (let root = 0; root < nodes.length; root++) {
    if (done[root]) continue;
    // Each frame: a node and how many of its inputs have been looked at.
    const stack: [number, number][] = [[root, 0]];
    visiting[root] = true;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const [i, next] = frame;
      const inputs = nodes[i]!.inputs;
      if (next < inputs.length) {
        frame[1]++;
        const inp = inputs[next]!;
        if (!inp || available.has(inp)) continue;
        const p = producers.get(inp);
        if (p === undefined || done[p]) continue;
        if (visiting[p]) throw new ModelLoadError(`graph has a cycle through node "${nodes[p]!.name}"`);
        visiting[p] = true;
        stack.push([p, 0]);
      } else {
        stack.pop();
        visiting[i] = false;
        done[i] = true;
        order.push(nodes[i]!);
      }
    }
  }
  return order;
}

interface ValueInfoProto {
  name: string;
  type?: { tensorType?: { elemType: number; shape?: { dim: { dimValue?: Int64; dimParam?: string }[] } } };
}

function valueInfo(v: ValueInfoProto): ValueInfo {
  const tt = v.type?.tensorType;
  return {
    name: v.name,
    dtype: tt ? dtypeOfOnnx(tt.elemType, `value "${v.name}"`) : 'float32',
    shape: (tt?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? num(d.dimValue) : null)),
  };
}

/** Decode an .onnx file into the runtime's graph IR. */
export async function loadOnnx(bytes: Uint8Array, readExternal?: ExternalDataReader): Promise<Graph> {
  let model: { opsetImport: { domain: string; version: Int64 }[]; graph?: unknown };
  try {
    model = decodeModelProto(bytes) as unknown as typeof model;
  } catch (e) {
    throw new ModelLoadError(`not a valid ONNX file (${bytes.byteLength} bytes): ${(e as Error).message}`);
  }
  const g = model.graph as
    | {
        node: { input: string[]; output: string[]; name: string; opType: string; domain: string; attribute: AttributeProto[] }[];
        initializer: TensorProto[];
        input: ValueInfoProto[];
        output: ValueInfoProto[];
      }
    | undefined;
  if (!g || g.node.length === 0) throw new ModelLoadError(`ONNX file (${bytes.byteLength} bytes) holds no graph`);
  const opsetEntry = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  const opset = opsetEntry ? num(opsetEntry.version) : 1;

  const initializers = new Map<string, HostTensor>();
  for (const t of g.initializer) initializers.set(t.name, await decodeTensor(t, readExternal));

  const nodes: Node[] = [];
  for (const [i, n] of g.node.entries()) {
    const attrs: Record<string, AttrValue> = {};
    for (const a of n.attribute) attrs[a.name] = await decodeAttr(a, readExternal);
    const name = n.name || `${n.opType}_${i}`;
    if (n.opType === 'Constant' && (n.domain === '' || n.domain === 'ai.onnx')) {
      initializers.set(n.output[0]!, constantValue(attrs, name));
      continue;
    }
    const floatAttrs = n.attribute.filter((a) => a.type === 1 || a.type === 6).map((a) => a.name);
    nodes.push({
      name,
      opType: n.opType,
      domain: n.domain,
      inputs: [...n.input],
      outputs: [...n.output],
      attrs,
      ...(floatAttrs.length > 0 && { floatAttrs }),
    });
  }
  const inputs = g.input.filter((v) => !initializers.has(v.name)).map(valueInfo);
  const available = new Set([...initializers.keys(), ...inputs.map((i) => i.name)]);
  const otherFloat = (type: number | undefined) => type === 10 || type === 11 || type === 16;
  const otherFloats =
    g.initializer.some((t) => otherFloat(t.dataType)) ||
    [...g.input, ...g.output].some((v) => otherFloat(v.type?.tensorType?.elemType)) ||
    g.node.some((n) => n.attribute.some((a) => a.name === 'to' && otherFloat(num(a.i))));
  return { nodes: topoSort(nodes, available), initializers, inputs, outputs: g.output.map(valueInfo), opset, otherFloats };
}
