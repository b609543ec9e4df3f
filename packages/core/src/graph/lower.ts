import type { Attrs, AttrValue } from '../backend/backend.ts';
import { UnsupportedOpError } from '../errors.ts';
import { dtypeOfOnnx } from './load.ts';
import { type HostTensor, broadcastShapes, normalizeAxis } from '../tensor.ts';
import type { Node } from './ir.ts';

/** A node turned into a kernel call: which of its inputs the kernel takes, with what attributes. */
export interface Lowered {
  op: string;
  inputs: number[];
  attrs: Attrs;
}

export interface LowerContext {
  node: Node;
  opset: number;
  /** Values of the node's inputs from the plan's host evaluation (undefined: absent input). */
  values: readonly (HostTensor | undefined)[];
  /** Read input i as host integers; it must be plan-time known (not data-dependent). */
  ints(i: number): number[] | undefined;
}

type Lowering = (ctx: LowerContext) => Lowered;

const attr = (n: Node, name: string, dflt?: AttrValue) => n.attrs[name] ?? dflt;
const same =
  (op: string, extra: Attrs = {}): Lowering =>
  (c) => ({
    op,
    inputs: c.node.inputs.map((_, i) => i),
    attrs: { ...c.node.attrs, ...extra },
  });
const reshapeTo = (shape: number[]): Lowered => ({ op: 'Reshape', inputs: [0], attrs: { shape } });

function unsupported(c: LowerContext, detail: string): never {
  throw new UnsupportedOpError(c.node.opType, c.node.name, c.opset, detail);
}

function reduce(op: string): Lowering {
  return (c) => {
    // Before opset 18 (13 for ReduceSum) axes are an attribute; after, an optional input.
    const axes = (attr(c.node, 'axes') as number[] | undefined) ?? c.ints(1) ?? [];
    const keepdims = attr(c.node, 'keepdims', 1) as number;
    if (axes.length === 0 && attr(c.node, 'noop_with_empty_axes', 0)) return { op: 'Identity', inputs: [0], attrs: {} };
    return { op, inputs: [0], attrs: { axes, keepdims } };
  };
}

function squeezeShape(shape: readonly number[], axes: number[] | undefined): number[] {
  if (!axes) return shape.filter((d) => d !== 1);
  const drop = new Set(axes.map((a) => normalizeAxis(a, shape.length)));
  return shape.filter((_, i) => !drop.has(i));
}

function unsqueezeShape(shape: readonly number[], axes: number[]): number[] {
  const rank = shape.length + axes.length;
  const at = new Set(axes.map((a) => normalizeAxis(a, rank)));
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : shape[j++]!);
  return out;
}

const lowerings: Record<string, Lowering> = {
  Reshape: (c) => {
    const inShape = c.values[0]!.shape;
    const spec = c.ints(1)!;
    const allowZero = attr(c.node, 'allowzero', 0);
    const shape = spec.map((d, i) => (d === 0 && !allowZero ? inShape[i]! : d));
    const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const total = inShape.reduce((p, d) => p * d, 1);
    return reshapeTo(shape.map((d) => (d === -1 ? total / known : d)));
  },
  Flatten: (c) => {
    const s = c.values[0]!.shape;
    const axis = normalizeAxis(attr(c.node, 'axis', 1) as number, s.length);
    const outer = s.slice(0, axis).reduce((p, d) => p * d, 1);
    return reshapeTo([outer, s.slice(axis).reduce((p, d) => p * d, 1)]);
  },
  Squeeze: (c) => reshapeTo(squeezeShape(c.values[0]!.shape, (attr(c.node, 'axes') as number[]) ?? c.ints(1))),
  Unsqueeze: (c) => reshapeTo(unsqueezeShape(c.values[0]!.shape, (attr(c.node, 'axes') as number[]) ?? c.ints(1)!)),
  Expand: (c) => ({ op: 'Expand', inputs: [0], attrs: { shape: broadcastShapes(c.values[0]!.shape, c.ints(1)!, 'Expand') } }),
  Slice: (c) => {
    if (c.opset < 10) {
      const { starts, ends, axes } = c.node.attrs;
      return { op: 'Slice', inputs: [0], attrs: { starts, ends, axes } };
    }
    return { op: 'Slice', inputs: [0], attrs: { starts: c.ints(1), ends: c.ints(2), axes: c.ints(3), steps: c.ints(4) } };
  },
  Split: (c) => {
    const shape = c.values[0]!.shape;
    const axis = normalizeAxis(attr(c.node, 'axis', 0) as number, shape.length);
    let split = (attr(c.node, 'split') as number[] | undefined) ?? c.ints(1);
    if (!split) {
      const parts = (attr(c.node, 'num_outputs') as number | undefined) ?? c.node.outputs.length;
      const size = Math.ceil(shape[axis]! / parts);
      split = Array.from({ length: parts }, (_, i) => Math.min(size, shape[axis]! - i * size));
    }
    return { op: 'Split', inputs: [0], attrs: { axis, split } };
  },
  ReduceMean: reduce('ReduceMean'),
  ReduceSum: reduce('ReduceSum'),
  ReduceMax: reduce('ReduceMax'),
  CumSum: (c) => ({
    op: 'CumSum',
    inputs: [0],
    attrs: { axis: c.ints(1)![0]!, exclusive: attr(c.node, 'exclusive', 0), reverse: attr(c.node, 'reverse', 0) },
  }),
  Cast: (c) => ({ op: 'Cast', inputs: [0], attrs: { to: dtypeOfOnnx(attr(c.node, 'to') as number, `Cast node "${c.node.name}"`) } }),
  Softmax: (c) => softmaxLike(c, 'Softmax'),
  LogSoftmax: (c) => softmaxLike(c, 'LogSoftmax'),
  Dropout: () => ({ op: 'Identity', inputs: [0], attrs: {} }),
  Conv: (c) => {
    const autoPad = attr(c.node, 'auto_pad', 'NOTSET');
    if (autoPad !== 'NOTSET' && autoPad !== 'VALID') unsupported(c, `auto_pad ${autoPad}`);
    if (c.values[0]!.shape.length !== 4) unsupported(c, 'only 2-D convolutions are supported');
    return {
      op: 'Conv',
      inputs: c.node.inputs.map((_, i) => i),
      attrs: {
        strides: attr(c.node, 'strides', [1, 1]) as number[],
        pads: attr(c.node, 'pads', [0, 0, 0, 0]) as number[],
        dilations: attr(c.node, 'dilations', [1, 1]) as number[],
        group: attr(c.node, 'group', 1) as number,
      },
    };
  },
  LayerNormalization: (c) => ({
    op: 'LayerNormalization',
    inputs: c.node.inputs.map((_, i) => i),
    attrs: { axis: attr(c.node, 'axis', -1) as number, epsilon: attr(c.node, 'epsilon', 1e-5) as number },
  }),
  Gemm: same('Gemm'),
  Gather: (c) => ({ op: 'Gather', inputs: [0, 1], attrs: { axis: attr(c.node, 'axis', 0) as number } }),
  DequantizeLinear: (c) => ({
    op: 'DequantizeLinear',
    inputs: c.node.inputs.map((_, i) => i),
    attrs: { axis: attr(c.node, 'axis', 1) as number },
  }),
  Shape: (c) => ({
    op: 'Shape',
    inputs: [0],
    attrs: { start: attr(c.node, 'start', 0) as number, end: attr(c.node, 'end') as number | undefined },
  }),
  ConstantOfShape: (c) => ({ op: 'ConstantOfShape', inputs: [0], attrs: { value: attr(c.node, 'value') as HostTensor | undefined } }),
};

function softmaxLike(c: LowerContext, op: string): Lowered {
  const rank = c.values[0]!.shape.length;
  const axis = normalizeAxis(attr(c.node, 'axis', c.opset >= 13 ? -1 : 1) as number, rank);
  // Before opset 13 Softmax flattened everything from `axis` on; the same as ours only for the last axis.
  if (c.opset < 13 && axis !== rank - 1) unsupported(c, `opset-${c.opset} Softmax over axis ${axis} of a rank-${rank} input`);
  return { op, inputs: [0], attrs: { axis } };
}

/** Ops whose ONNX form is exactly the kernel's: inputs and attributes pass through. */
const PASS_THROUGH = [
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Max',
  'Min',
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'And',
  'Or',
  'Xor',
  'Where',
  'Neg',
  'Abs',
  'Sqrt',
  'Exp',
  'Log',
  'Erf',
  'Tanh',
  'Relu',
  'Sigmoid',
  'Reciprocal',
  'Floor',
  'Ceil',
  'Sin',
  'Cos',
  'Not',
  'Identity',
  'MatMul',
  'MatMulInteger',
  'Transpose',
  'Concat',
  'DynamicQuantizeLinear',
  'Range',
];
for (const op of PASS_THROUGH) lowerings[op] = same(op);

export const supportedOps = (): string[] => Object.keys(lowerings);

export function isSupported(node: Node): boolean {
  return (node.domain === '' || node.domain === 'ai.onnx') && node.opType in lowerings;
}

export function lower(ctx: LowerContext): Lowered {
  const fn = isSupported(ctx.node) ? lowerings[ctx.node.opType] : undefined;
  if (!fn) throw new UnsupportedOpError(ctx.node.opType, ctx.node.name, ctx.opset, ctx.node.domain ? `domain ${ctx.node.domain}` : '');
  return fn(ctx);
}
