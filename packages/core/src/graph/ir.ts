import type { AttrValue } from '../backend/backend.ts';
import type { DType, HostTensor } from '../tensor.ts';

export interface Node {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  /** Input value names; '' marks an absent optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** Names of the attributes the file types as float or floats (to write the node back exactly). */
  readonly floatAttrs?: readonly string[];
}

export interface ValueInfo {
  readonly name: string;
  readonly dtype: DType;
  /** Static dims as numbers, symbolic dims as their name, unknown as null. */
  readonly shape: readonly (number | string | null)[];
}

export interface Graph {
  /** Nodes in topological order. Constant nodes have become initializers. */
  readonly nodes: readonly Node[];
  readonly initializers: ReadonlyMap<string, HostTensor>;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** Version of the default ("ai.onnx") opset. */
  readonly opset: number;
  /** Whether the file holds float types other than float32 (float16, bfloat16, double), which the IR holds as float32. */
  readonly otherFloats?: boolean;
}
