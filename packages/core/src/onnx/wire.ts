import protobuf from 'protobufjs';
import { onnxSchema } from './schema.ts';

/**
 * ONNX protobuf without generated code: protobufjs's reflected types compile their codecs
 * with `Function`, which a page's Content-Security-Policy without 'unsafe-eval' refuses, so
 * the subset in schema.ts is decoded by walking the schema with protobufjs's Reader (and the
 * one message written, with its Writer). Messages come out as protobufjs gives them: field names from the schema,
 * repeated fields as arrays (packed or not), absent scalars as 0 / '' / empty bytes, absent
 * messages undefined, int64/uint64 as numbers (exact up to 2^53). Unknown fields, and
 * fields sent with another wire type than the schema's, are skipped.
 */
type Message = Record<string, unknown>;
interface FieldSpec {
  name: string;
  type: string;
  repeated: boolean;
}
type Schema = Record<string, { fields: Record<string, { type: string; id: number; rule?: string }> }>;

const TYPES = onnxSchema.nested.onnx.nested as unknown as Schema;
const FIELDS = new Map(
  Object.entries(TYPES).map(([message, { fields }]) => [
    message,
    new Map(Object.entries(fields).map(([name, f]) => [f.id, { name, type: f.type, repeated: f.rule === 'repeated' } satisfies FieldSpec])),
  ]),
);

/** Wire type of each scalar: 0 varint, 1 fixed 64-bit, 5 fixed 32-bit, 2 length-delimited. */
const WIRE: Record<string, number> = { int32: 0, int64: 0, uint64: 0, float: 5, double: 1, string: 2, bytes: 2 };
/** Nesting deeper than this is refused (ONNX nests graphs in attributes; a hostile file could nest without end). */
const MAX_DEPTH = 64;

type Long = { toNumber(): number };
const toNumber = (v: number | Long) => (typeof v === 'number' ? v : v.toNumber());

function readScalar(reader: protobuf.Reader, type: string): unknown {
  switch (type) {
    case 'int32':
      return reader.int32();
    case 'int64':
      return toNumber(reader.int64() as unknown as number | Long);
    case 'uint64':
      return toNumber(reader.uint64() as unknown as number | Long);
    case 'float':
      return reader.float();
    case 'double':
      return reader.double();
    case 'string':
      return reader.string();
    case 'bytes':
      return reader.bytes();
  }
  throw new Error(`schema type ${type} has no reader`);
}

function defaultOf(spec: FieldSpec): unknown {
  if (spec.repeated) return [];
  if (FIELDS.has(spec.type)) return undefined;
  return spec.type === 'string' ? '' : spec.type === 'bytes' ? new Uint8Array(0) : 0;
}

function decodeMessage(reader: protobuf.Reader, type: string, end: number, depth: number): Message {
  if (depth > MAX_DEPTH) throw new Error(`messages nested more than ${MAX_DEPTH} deep`);
  const fields = FIELDS.get(type)!;
  const out: Message = {};
  for (const spec of fields.values()) out[spec.name] = defaultOf(spec);
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    const spec = fields.get(tag >>> 3);
    const message = spec && FIELDS.has(spec.type);
    let value: unknown;
    if (spec && message && wire === 2) {
      const length = reader.uint32();
      if (reader.pos + length > end) throw new Error(`${spec.name}: length ${length} runs past its message`);
      value = decodeMessage(reader, spec.type, reader.pos + length, depth + 1);
    } else if (spec && !message && wire === WIRE[spec.type]) {
      value = readScalar(reader, spec.type);
    } else if (spec && !message && spec.repeated && wire === 2) {
      // A packed run of scalars.
      const length = reader.uint32();
      const stop = reader.pos + length;
      if (stop > end) throw new Error(`${spec.name}: length ${length} runs past its message`);
      const list = out[spec.name] as unknown[];
      while (reader.pos < stop) list.push(readScalar(reader, spec.type));
      if (reader.pos !== stop) throw new Error(`${spec.name}: packed values overrun their length`);
      continue;
    } else {
      reader.skipType(wire);
      continue;
    }
    if (spec.repeated) (out[spec.name] as unknown[]).push(value);
    else out[spec.name] = value;
  }
  if (reader.pos !== end) throw new Error(`a field runs past the end of its message (byte ${reader.pos} of ${end})`);
  return out;
}

/** Decode an onnx.ModelProto; throws (a plain Error) on bytes that are not well-formed protobuf. */
export function decodeModelProto(bytes: Uint8Array): Message {
  const reader = protobuf.Reader.create(bytes);
  return decodeMessage(reader, 'ModelProto', reader.len, 0);
}

const fieldId = (message: string, field: string) => TYPES[message]!.fields[field]!.id;

/** A ModelProto holding only a graph with these outputs (appended to a model's bytes, it merges into that model's graph). */
export function encodeGraphOutputs(names: readonly string[]): Uint8Array {
  const lengthDelimited = (message: string, field: string) => (fieldId(message, field) << 3) | 2;
  const writer = protobuf.Writer.create().uint32(lengthDelimited('ModelProto', 'graph')).fork();
  for (const name of names)
    writer.uint32(lengthDelimited('GraphProto', 'output')).fork().uint32(lengthDelimited('ValueInfoProto', 'name')).string(name).ldelim();
  return writer.ldelim().finish();
}
