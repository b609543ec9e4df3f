import type { Attrs, Tensor } from '../backend/backend.ts';
import { batchedMatmul, gemmGeometry } from '../backend/shapes/matmul.ts';
import { convGeometry } from '../backend/shapes/conv.ts';
import { concatGeometry, splitGeometry } from '../backend/shapes/concat.ts';
import { expandGeometry, reshapeShape, transposeGeometry } from '../backend/shapes/movement.ts';
import { gatherGeometry } from '../backend/shapes/gather.ts';
import { reduceGeometry } from '../backend/shapes/reduce.ts';
import { resolveSliceBounds } from '../backend/slice-bounds.ts';
import { ints } from '../gradients/util.ts';
import { ONNX_TYPE } from '../onnx/encode.ts';
import { type DType, type HostTensor, broadcastShapes, normalizeAxis, sizeOf, tensor } from '../tensor.ts';

/** A value of a graph being written: its name, element type and static shape. */
export interface Sym extends Tensor {
  readonly name: string;
}

/** What an op's emitter writes with. */
export interface Emitter {
  /** Append a node; returns the names of its outputs (fresh ones unless `outputs` names them). */
  node(opType: string, inputs: readonly string[], attrs?: Attrs, outputs?: number | readonly string[]): string[];
  /** An initializer holding `t`; returns its name. */
  constant(t: HostTensor): string;
  /**
   * An int64 [n] vector of sizes or bounds. A writer whose batch and sequence sizes are
   * symbolic computes the entries that depend on them from the inputs' shapes at run time.
   */
  ints(values: readonly number[]): string;
  /** The int64 [n] vector 0, 1, ..., n − 1 (n symbolic as in `ints`). */
  range(n: number): string;
}

/**
 * Each of our kernels as standard ONNX nodes (opset 17): its output types and shapes, and
 * the nodes that compute it. Shape-like operands that our kernels take as attributes
 * (Reshape's shape, Slice's bounds, reduction axes) become int64 initializers again; the
 * gradient kernels (SoftmaxGrad, LayerNormalizationGrad, GatherGrad, SliceGrad,
 * ConvInputGrad...) become subgraphs of standard ops.
 */
interface OnnxOp {
  infer(inputs: readonly Sym[], attrs: Attrs): { dtype: DType; shape: number[] }[];
  emit(e: Emitter, inputs: readonly Sym[], attrs: Attrs, outputs: readonly string[]): void;
}

export const OPSET = 17;

const int64s = (e: Emitter, values: readonly number[]) => e.ints(values);
const scalarOf = (e: Emitter, value: number, dtype: DType = 'float32') => e.constant(tensor(dtype, [], [value]));
const one = (e: Emitter, opType: string, inputs: readonly string[], attrs?: Attrs) => e.node(opType, inputs, attrs, 1)[0]!;
const defined = (attrs: Attrs): Attrs => Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined));
/** Reshape to a resolved shape; allowzero, so that a 0 is a zero-size dimension rather than "copy the input's". */
const reshapeAttrs = (shape: readonly number[]): Attrs => (shape.includes(0) ? { allowzero: 1 } : {});
const same =
  (i = 0) =>
  (inputs: readonly Sym[]) => [{ dtype: inputs[i]!.dtype, shape: [...inputs[i]!.shape] }];

const broadcast = (dtype?: DType) => (inputs: readonly Sym[]) => [
  { dtype: dtype ?? inputs[0]!.dtype, shape: inputs.reduce<number[]>((s, t) => broadcastShapes(s, t.shape, 'broadcast'), []) },
];

function reduceAxes(rank: number, attrs: Attrs): number[] {
  const axes = ints(attrs.axes) ?? [];
  return axes.length ? axes.map((a) => normalizeAxis(a, rank)) : [...Array(rank).keys()];
}

/** axes [axis, rank): LayerNormalization's normalised axes. */
const trailingAxes = (axis: number, rank: number) =>
  Array.from({ length: rank - normalizeAxis(axis, rank) }, (_, i) => normalizeAxis(axis, rank) + i);

const table: Record<string, OnnxOp> = {};

function register(op: string, entry: OnnxOp | ((op: string) => OnnxOp)): void {
  table[op] = typeof entry === 'function' ? entry(op) : entry;
}

const plain =
  (infer: OnnxOp['infer']) =>
  (op: string): OnnxOp => ({
    infer,
    emit: (e, inputs, attrs, outputs) =>
      void e.node(
        op,
        inputs.map((i) => i?.name ?? ''),
        defined(attrs),
        outputs,
      ),
  });

for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min']) register(op, plain(broadcast()));
for (const op of ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor']) register(op, plain(broadcast('bool')));
for (const op of [
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
  'Softmax',
  'LogSoftmax',
]) {
  register(op, plain(same()));
}
register(
  'Where',
  plain((inputs) => [{ dtype: inputs[1]!.dtype, shape: broadcast()(inputs)[0]!.shape }]),
);
register(
  'MatMul',
  plain((inputs) => [{ dtype: 'float32', shape: batchedMatmul('MatMul', inputs[0]!, inputs[1]!).shape }]),
);
register(
  'MatMulInteger',
  plain((inputs) => [{ dtype: 'int32', shape: batchedMatmul('MatMulInteger', inputs[0]!, inputs[1]!).shape }]),
);
register(
  'Transpose',
  plain((inputs, attrs) => [{ dtype: inputs[0]!.dtype, shape: transposeGeometry(inputs[0]!, attrs).shape }]),
);
register(
  'Concat',
  plain((inputs, attrs) => [{ dtype: inputs[0]!.dtype, shape: concatGeometry(inputs, attrs).shape }]),
);
register(
  'Gather',
  plain((inputs, attrs) => [{ dtype: inputs[0]!.dtype, shape: gatherGeometry(inputs[0]!, inputs[1]!, attrs).shape }]),
);
register('LayerNormalization', plain(same()));
register(
  'Gemm',
  plain(([a, b, c], attrs) => {
    const { M, N } = gemmGeometry(a!, b!, c, attrs);
    return [{ dtype: 'float32', shape: [M, N] }];
  }),
);
register(
  'Conv',
  plain(([x, w], attrs) => {
    const { N, M, Ho, Wo } = convGeometry('Conv', x!.shape, w!.shape, attrs);
    return [{ dtype: 'float32', shape: [N, M, Ho, Wo] }];
  }),
);
register(
  'DequantizeLinear',
  plain((inputs) => [{ dtype: 'float32', shape: [...inputs[0]!.shape] }]),
);
register(
  'DynamicQuantizeLinear',
  plain((inputs) => [
    { dtype: 'uint8', shape: [...inputs[0]!.shape] },
    { dtype: 'float32', shape: [] },
    { dtype: 'uint8', shape: [] },
  ]),
);
register(
  'Range',
  plain(() => {
    throw new Error('Range: output shape comes from the plan');
  }),
);
register(
  'ConstantOfShape',
  plain(() => {
    throw new Error('ConstantOfShape: output shape comes from the plan');
  }),
);

register('Cast', {
  infer: (inputs, attrs) => [{ dtype: attrs.to as DType, shape: [...inputs[0]!.shape] }],
  emit: (e, [x], attrs, outputs) => void e.node('Cast', [x!.name], { to: ONNX_TYPE[attrs.to as DType] }, outputs),
});
register('Reshape', {
  infer: ([x], attrs) => [{ dtype: x!.dtype, shape: reshapeShape(x!, attrs) }],
  emit: (e, [x], attrs, outputs) => {
    const shape = ints(attrs.shape)!;
    e.node('Reshape', [x!.name, int64s(e, shape)], reshapeAttrs(shape), outputs);
  },
});
register('Expand', {
  infer: ([x], attrs) => [{ dtype: x!.dtype, shape: expandGeometry(x!, attrs).shape }],
  emit: (e, [x], attrs, outputs) => void e.node('Expand', [x!.name, int64s(e, ints(attrs.shape)!)], {}, outputs),
});
register('Slice', {
  infer: ([x], attrs) => [
    { dtype: x!.dtype, shape: resolveSliceBounds(x!.shape, attrs.starts, attrs.ends, attrs.axes, attrs.steps).shape },
  ],
  emit: (e, [x], attrs, outputs) => {
    const starts = ints(attrs.starts)!;
    const axes = ints(attrs.axes) ?? starts.map((_, i) => i);
    const steps = ints(attrs.steps) ?? starts.map(() => 1);
    e.node('Slice', [x!.name, int64s(e, starts), int64s(e, ints(attrs.ends)!), int64s(e, axes), int64s(e, steps)], {}, outputs);
  },
});
register('Split', {
  infer: ([x], attrs) => splitGeometry(x!, attrs).shapes.map((shape) => ({ dtype: x!.dtype, shape })),
  emit: (e, [x], attrs, outputs) => {
    const { axis, split } = splitGeometry(x!, attrs);
    e.node('Split', [x!.name, int64s(e, split)], { axis }, outputs);
  },
});
register('ReduceSum', {
  infer: ([x], attrs) => [{ dtype: x!.dtype, shape: reduceGeometry('ReduceSum', x!, attrs).outShape }],
  emit: (e, [x], attrs, outputs) => {
    const keepdims = Number(attrs.keepdims ?? 1);
    e.node('ReduceSum', [x!.name, int64s(e, reduceAxes(x!.shape.length, attrs))], { keepdims }, outputs);
  },
});
for (const op of ['ReduceMean', 'ReduceMax']) {
  register(op, {
    infer: ([x], attrs) => [{ dtype: x!.dtype, shape: reduceGeometry(op, x!, attrs).outShape }],
    emit: (e, [x], attrs, outputs) =>
      void e.node(op, [x!.name], { axes: reduceAxes(x!.shape.length, attrs), keepdims: Number(attrs.keepdims ?? 1) }, outputs),
  });
}
register('CumSum', {
  infer: same(),
  emit: (e, [x], attrs, outputs) =>
    void e.node(
      'CumSum',
      [x!.name, e.constant(tensor('int64', [], [Number(attrs.axis)]))],
      { exclusive: Number(attrs.exclusive ?? 0), reverse: Number(attrs.reverse ?? 0) },
      outputs,
    ),
});

// y = softmax(x): dx = y · (g − Σ g·y)
register('SoftmaxGrad', {
  infer: same(),
  emit: (e, [y, g], attrs, outputs) => {
    const axes = int64s(e, [normalizeAxis(Number(attrs.axis ?? -1), y!.shape.length)]);
    const s = one(e, 'ReduceSum', [one(e, 'Mul', [g!.name, y!.name]), axes], { keepdims: 1 });
    e.node('Mul', [y!.name, one(e, 'Sub', [g!.name, s])], {}, outputs);
  },
});
// y = log softmax(x): dx = g − exp(y) · Σ g
register('LogSoftmaxGrad', {
  infer: same(),
  emit: (e, [y, g], attrs, outputs) => {
    const axes = int64s(e, [normalizeAxis(Number(attrs.axis ?? -1), y!.shape.length)]);
    const s = one(e, 'ReduceSum', [g!.name, axes], { keepdims: 1 });
    e.node('Sub', [g!.name, one(e, 'Mul', [one(e, 'Exp', [y!.name]), s])], {}, outputs);
  },
});
// x̂ = (x − μ)·r, r = 1/√(σ² + ε), over axes [axis, rank); gs = g·scale: dx = r · (gs − mean(gs) − x̂ · mean(gs·x̂))
register('LayerNormalizationGrad', {
  infer: same(),
  emit: (e, [x, scale, g], attrs, outputs) => {
    const axes = trailingAxes(Number(attrs.axis ?? -1), x!.shape.length);
    const mean = (v: string) => one(e, 'ReduceMean', [v], { axes, keepdims: 1 });
    const centred = one(e, 'Sub', [x!.name, mean(x!.name)]);
    const variance = mean(one(e, 'Mul', [centred, centred]));
    const eps = scalarOf(e, Number(attrs.epsilon ?? 1e-5));
    const r = one(e, 'Reciprocal', [one(e, 'Sqrt', [one(e, 'Add', [variance, eps])])]);
    const xhat = one(e, 'Mul', [centred, r]);
    const gs = one(e, 'Mul', [g!.name, scale!.name]);
    const inner = one(e, 'Sub', [one(e, 'Sub', [gs, mean(gs)]), one(e, 'Mul', [xhat, mean(one(e, 'Mul', [gs, xhat]))])]);
    e.node('Mul', [r, inner], {}, outputs);
  },
});
// zeros(dataShape) with dy added at the indices along axis: a one-hot matrix [n, dim] contracted with dy [outer, n, inner].
register('GatherGrad', {
  infer: (_inputs, attrs) => [{ dtype: 'float32', shape: ints(attrs.dataShape)! }],
  emit: (e, [dy, indices], attrs, outputs) => {
    const dataShape = ints(attrs.dataShape)!;
    const axis = normalizeAxis(Number(attrs.axis ?? 0), dataShape.length);
    const dim = dataShape[axis]!;
    const n = sizeOf(indices!.shape);
    const outer = sizeOf(dataShape.slice(0, axis));
    const inner = sizeOf(dataShape.slice(axis + 1));
    const idx = one(e, 'Reshape', [one(e, 'Cast', [indices!.name], { to: ONNX_TYPE.int64 }), int64s(e, [n, 1])], reshapeAttrs([n, 1]));
    const zero = scalarOf(e, 0, 'int64');
    const wrapped = one(e, 'Where', [one(e, 'Less', [idx, zero]), one(e, 'Add', [idx, e.ints([dim])]), idx]);
    const positions = one(e, 'Reshape', [e.range(dim), e.ints([1, dim])]);
    const hot = one(e, 'Cast', [one(e, 'Equal', [wrapped, positions])], { to: ONNX_TYPE.float32 });
    const dy3 = one(e, 'Reshape', [dy!.name, int64s(e, [outer, n, inner])], reshapeAttrs([outer, n, inner]));
    const dx = one(e, 'MatMul', [one(e, 'Transpose', [hot], { perm: [1, 0] }), dy3]);
    e.node('Reshape', [dx, int64s(e, dataShape)], reshapeAttrs(dataShape), outputs);
  },
});
// g scattered back where Slice read: each strided axis through a 0/1 matrix, then zero padding around the block.
register('SliceGrad', {
  infer: (_inputs, attrs) => [{ dtype: 'float32', shape: ints(attrs.inputShape)! }],
  emit: (e, [g], attrs, outputs) => {
    const inputShape = ints(attrs.inputShape)!;
    const rank = inputShape.length;
    const { starts, steps, shape } = resolveSliceBounds(inputShape, attrs.starts, attrs.ends, attrs.axes, attrs.steps, 'SliceGrad');
    let value = g!.name;
    const current = [...shape];
    const begin = [...starts];
    for (let a = 0; a < rank; a++) {
      if (steps[a] === 1 || shape[a] === 0) continue;
      const dim = inputShape[a]!;
      const select = new Float32Array(shape[a]! * dim);
      for (let k = 0; k < shape[a]!; k++) select[k * dim + starts[a]! + k * steps[a]!] = 1;
      const perm = [...Array(rank).keys()];
      perm[a] = rank - 1;
      perm[rank - 1] = a;
      const moved = one(e, 'Transpose', [value], { perm });
      const spread = one(e, 'MatMul', [moved, e.constant(tensor('float32', [shape[a]!, dim], select))]);
      value = one(e, 'Transpose', [spread], { perm });
      current[a] = dim;
      begin[a] = 0;
    }
    const pads = [...begin, ...current.map((d, a) => inputShape[a]! - begin[a]! - d)];
    if (pads.every((p) => p === 0)) e.node('Identity', [value], {}, outputs);
    else e.node('Pad', [value, int64s(e, pads), scalarOf(e, 0)], { mode: 'constant' }, outputs);
  },
});
// The transposed convolution of dy with w. Its full output covers input rows [−pt, full − pt):
// rows past the input's end are cropped (a bottom pad the forward did read), and input rows
// and columns the forward never reached (stride leftovers) get zeros.
register('ConvInputGrad', {
  infer: (_inputs, attrs) => [{ dtype: 'float32', shape: ints(attrs.inputShape)! }],
  emit: (e, [dy, w], attrs, outputs) => {
    const [, , H, W] = ints(attrs.inputShape)!;
    const strides = ints(attrs.strides) ?? [1, 1];
    const pads = ints(attrs.pads) ?? [0, 0, 0, 0];
    const dilations = ints(attrs.dilations) ?? [1, 1];
    const group = Number(attrs.group ?? 1);
    const [, , KH, KW] = w!.shape;
    const [, , OH, OW] = dy!.shape;
    const full = (o: number, s: number, k: number, d: number) => s * (o - 1) + (k - 1) * d + 1;
    const pastH = full(OH!, strides[0]!, KH!, dilations[0]!) - pads[0]! - H!;
    const pastW = full(OW!, strides[1]!, KW!, dilations[1]!) - pads[1]! - W!;
    const crop = [pads[0]!, pads[1]!, Math.max(pastH, 0), Math.max(pastW, 0)];
    const dx = one(e, 'ConvTranspose', [dy!.name, w!.name], { strides, pads: crop, dilations, group });
    const extra = [0, 0, 0, 0, 0, 0, Math.max(-pastH, 0), Math.max(-pastW, 0)];
    if (extra.every((p) => p === 0)) e.node('Identity', [dx], {}, outputs);
    else e.node('Pad', [dx, int64s(e, extra), scalarOf(e, 0)], { mode: 'constant' }, outputs);
  },
});

/** The ONNX form of one of our kernels, or undefined when the compiler has none. */
export function onnxOp(op: string): OnnxOp | undefined {
  return table[op];
}

export const compilableOps = (): string[] => Object.keys(table);
