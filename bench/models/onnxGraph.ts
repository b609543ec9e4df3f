/**
 * A small ONNX graph writer for the benchmark models: nodes named the way PyTorch's exporter
 * names them (`<scope>/<Op>[_k]`, output `<name>_output_0`), float32 initializers, int64 and
 * float32 Constant nodes, and the ModelProto bytes (opset 14, IR 7) through protobufjs.
 */
import { onnxSchema } from '@glassbox/core/runtime';
import protobuf from 'protobufjs';

const FLOAT = 1;
const INT64 = 7;
const ModelProto = protobuf.Root.fromJSON(onnxSchema as unknown as protobuf.INamespace).lookupType('onnx.ModelProto');

type TensorProto = { dims: number[]; dataType: number; rawData: Uint8Array; name?: string };
/** An integer is an INT attribute, an array INTS, a tensor TENSOR (no float attributes are needed). */
export type Attr = number | number[] | TensorProto;
export interface ValueInfo {
  name: string;
  elemType: 'float32' | 'int64';
  dims: (number | string)[];
}

const bytesOf = (a: Float32Array | BigInt64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** An int64 tensor: a scalar for a number, else 1-D. */
export function int64Tensor(values: number | number[], dims = typeof values === 'number' ? [] : [values.length]): TensorProto {
  return { dims, dataType: INT64, rawData: bytesOf(BigInt64Array.from([values].flat(), BigInt)) };
}

function attribute(name: string, value: Attr): object {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not an integer`);
    return { name, type: 2, i: value };
  }
  if (Array.isArray(value)) return { name, type: 7, ints: value };
  return { name, type: 4, t: value };
}

export class OnnxGraph {
  private readonly nodes: object[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly used = new Map<string, number>();

  /** Add a node; returns its output's name (`output` names it, e.g. the graph output). */
  op(scope: string, opType: string, inputs: string[], attrs: Record<string, Attr> = {}, output?: string): string {
    const key = `${scope}/${opType}`;
    const k = this.used.get(key) ?? 0;
    this.used.set(key, k + 1);
    const name = k === 0 ? key : `${key}_${k}`;
    const out = output ?? `${name}_output_0`;
    this.nodes.push({ name, opType, input: inputs, output: [out], attribute: Object.entries(attrs).map(([n, v]) => attribute(n, v)) });
    return out;
  }

  /** A Constant node holding int64 values (a scalar for a number). */
  int64(scope: string, values: number | number[]): string {
    return this.op(scope, 'Constant', [], { value: int64Tensor(values) });
  }

  /** A Constant node holding one float32 scalar. */
  float(scope: string, value: number): string {
    return this.op(scope, 'Constant', [], { value: { dims: [], dataType: FLOAT, rawData: bytesOf(Float32Array.of(value)) } });
  }

  /** A float32 initializer. */
  weight(name: string, dims: number[], data: Float32Array): string {
    if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${name}: ${data.length} values for dims [${dims}]`);
    this.initializers.push({ name, dims, dataType: FLOAT, rawData: bytesOf(data) });
    return name;
  }

  encode(inputs: ValueInfo[], outputs: ValueInfo[]): Uint8Array {
    const valueInfo = (v: ValueInfo) => ({
      name: v.name,
      type: {
        tensorType: {
          elemType: v.elemType === 'float32' ? FLOAT : INT64,
          shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        },
      },
    });
    const model = {
      irVersion: 7,
      opsetImport: [{ domain: '', version: 14 }],
      producerName: 'glassbox bench/models',
      graph: {
        name: 'main_graph',
        node: this.nodes,
        initializer: this.initializers,
        input: inputs.map(valueInfo),
        output: outputs.map(valueInfo),
      },
    };
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }
}
