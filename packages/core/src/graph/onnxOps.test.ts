// Every entry of the ONNX op table against the CPU reference kernel: each case is written
// as a one-op ONNX model (through the compiler's GraphWriter), run by onnxruntime, and
// compared with cpuBackend.run on the same inputs; each entry's `infer` must give the CPU
// kernel's output dtypes and shapes. A compilable op without a case fails the suite.
import type * as Ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Attrs } from '../backend/backend.ts';
import { cpuBackend } from '../backend/cpu/index.ts';
import { Rng } from '../methods/rng.ts';
import { type OrtRuntime, loadOrt } from '../model/ortRuntime.ts';
import { toHost, toOrt } from '../model/ortTensors.ts';
import { encodeModel } from '../onnx/encode.ts';
import { type DType, type HostTensor, isFloat, sizeOf, tensor } from '../tensor.ts';
import { GraphWriter } from '../compile/gradientModel.ts';
import { OPSET, type Sym, compilableOps, onnxOp } from './onnxOps.ts';

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;
const RTOL = 1e-5;
const ATOL = 1e-6;

const random = new Rng(20240617);
const uniform = (lo: number, hi: number) => lo + (hi - lo) * random.next();
/** Uniform floats in [lo, hi). */
const f = (shape: number[], lo = -1, hi = 1) =>
  tensor(
    'float32',
    shape,
    Array.from({ length: sizeOf(shape) }, () => uniform(lo, hi)),
  );
/** Floats of magnitude in [lo, hi) with random signs (denominators, reciprocals). */
const away = (shape: number[], lo = 0.5, hi = 2) =>
  tensor(
    'float32',
    shape,
    Array.from({ length: sizeOf(shape) }, () => (random.next() < 0.5 ? -1 : 1) * uniform(lo, hi)),
  );
/** Uniform integers in [lo, hi]. */
const int = (shape: number[], lo: number, hi: number, dtype: DType = 'int64') =>
  tensor(
    dtype,
    shape,
    Array.from({ length: sizeOf(shape) }, () => Math.floor(uniform(lo, hi + 1))),
  );
const bools = (shape: number[]) => int(shape, 0, 1, 'bool');
const i64 = (shape: number[], values: number[]) => tensor('int64', shape, values);
const cpu = (op: string, inputs: (HostTensor | undefined)[], attrs: Attrs = {}) => cpuBackend.run(op, inputs as HostTensor[], attrs);

interface Case {
  op: string;
  name: string;
  inputs: (HostTensor | undefined)[];
  attrs?: Attrs;
}

const cases: Case[] = [];
const add = (op: string, name: string, inputs: (HostTensor | undefined)[], attrs: Attrs = {}) =>
  void cases.push({ op, name, inputs, attrs });

// ---- elementwise ----
add('Add', 'broadcast [2,3,4] + [3,1]', [f([2, 3, 4]), f([3, 1])]);
add('Add', 'int64 with a scalar', [int([2, 3], -50, 50), int([], -5, 5)]);
add('Sub', 'broadcast [4] - [2,1,4]', [f([4]), f([2, 1, 4])]);
add('Sub', 'int32', [int([3, 4], -50, 50, 'int32'), int([3, 4], -50, 50, 'int32')]);
add('Mul', 'scalar * [2,3]', [f([]), f([2, 3])]);
add('Mul', 'int64 broadcast', [int([2, 1], -9, 9), int([1, 3], -9, 9)]);
add('Div', 'float, denominators away from 0', [f([2, 3, 4]), away([3, 4])]);
add('Div', 'int64 truncates toward zero', [i64([6], [7, -7, 7, -7, 0, 9]), i64([6], [2, 2, -2, -2, 3, -4])]);
add('Pow', 'positive base, broadcast exponent', [f([2, 3], 0.5, 2), f([3], -2, 2)]);
add('Pow', 'scalar exponent', [f([4], 0.1, 3), tensor('float32', [], [2])]);
add('Max', 'broadcast', [f([2, 3]), f([3])]);
add('Max', 'three inputs', [f([2, 3]), f([1, 3]), f([2, 1])]);
add('Min', 'broadcast', [f([3, 1]), f([1, 4])]);
add('Min', 'int64', [int([5], -9, 9), int([5], -9, 9)]);
{
  const a = f([2, 4]);
  const b = tensor(
    'float32',
    [2, 4],
    Array.from(a.data, (v, i) => (i % 3 === 0 ? v : -v)),
  );
  add('Equal', 'float, some equal', [a, b]);
}
add('Equal', 'int64 broadcast', [int([3, 4], 0, 3), int([4], 0, 3)]);
add('Less', 'float broadcast', [f([2, 3]), f([3])]);
add('Less', 'int32 with ties', [int([8], 0, 2, 'int32'), int([8], 0, 2, 'int32')]);
add('Greater', 'float broadcast', [f([3, 1]), f([1, 4])]);
add('Greater', 'int64 with ties', [int([8], 0, 2), int([8], 0, 2)]);
add('LessOrEqual', 'int64 with ties', [int([2, 4], 0, 2), int([4], 0, 2)]);
add('GreaterOrEqual', 'int64 with ties', [int([2, 4], 0, 2), int([2, 1], 0, 2)]);
add('GreaterOrEqual', 'float', [f([5]), f([5])]);
add('And', 'broadcast', [bools([2, 4]), bools([4])]);
add('Or', 'broadcast', [bools([3, 1]), bools([1, 3])]);
add('Xor', 'same shape', [bools([6]), bools([6])]);

add('Neg', 'float', [f([2, 3])]);
add('Neg', 'int64', [int([5], -9, 9)]);
add('Abs', 'float', [f([2, 3])]);
add('Abs', 'int32', [int([5], -9, 9, 'int32')]);
add('Sqrt', 'positive', [f([3, 4], 0, 4)]);
add('Exp', 'float', [f([3, 4], -3, 3)]);
add('Log', 'positive', [f([3, 4], 0.01, 5)]);
add('Erf', 'float', [f([3, 4], -3, 3)]);
add('Tanh', 'float', [f([3, 4], -3, 3)]);
add('Relu', 'float', [f([3, 4])]);
add('Sigmoid', 'float', [f([3, 4], -5, 5)]);
add('Reciprocal', 'away from 0', [away([3, 4])]);
add('Floor', 'float', [f([3, 4], -3, 3)]);
add('Ceil', 'float', [f([3, 4], -3, 3)]);
add('Sin', 'float', [f([3, 4], -3, 3)]);
add('Cos', 'float', [f([3, 4], -3, 3)]);
add('Not', 'bool', [bools([2, 3])]);
add('Identity', 'float', [f([2, 3])]);
add('Identity', 'int64 scalar', [int([], -9, 9)]);
for (const axis of [0, 1, -1]) {
  add('Softmax', `axis ${axis}`, [f([3, 4, 5], -3, 3)], { axis });
  add('LogSoftmax', `axis ${axis}`, [f([3, 4, 5], -3, 3)], { axis });
}

add('Where', 'broadcast cond [2,1,4], x [3,1], y scalar', [bools([2, 1, 4]), f([3, 1]), f([])]);
add('Where', 'int64, broadcast x', [bools([3, 4]), int([4], -9, 9), int([3, 4], -9, 9)]);

// ---- products ----
add('MatMul', 'batched [2,3,4] x [4,5]', [f([2, 3, 4]), f([4, 5])]);
add('MatMul', 'broadcast batch [2,1,3,4] x [3,4,2]', [f([2, 1, 3, 4]), f([3, 4, 2])]);
add('MatMul', '1-D left [4] x [2,4,3]', [f([4]), f([2, 4, 3])]);
add('Gemm', 'plain', [f([3, 4]), f([4, 5])]);
add('Gemm', 'transA, transB, alpha, beta, C [N]', [f([4, 3]), f([5, 4]), f([5])], { transA: 1, transB: 1, alpha: 0.5, beta: 2 });
add('Gemm', 'C [M,1]', [f([3, 4]), f([4, 2]), f([3, 1])], { beta: 0.25 });
add('Conv', 'stride 2, pads 1, bias', [f([1, 3, 7, 7]), f([4, 3, 3, 3]), f([4])], {
  strides: [2, 2],
  pads: [1, 1, 1, 1],
  dilations: [1, 1],
  group: 1,
});
add('Conv', 'group 2, dilation 2, asymmetric pads', [f([2, 4, 7, 6]), f([6, 2, 3, 3])], {
  strides: [2, 1],
  pads: [1, 2, 2, 1],
  dilations: [2, 1],
  group: 2,
});
add('Conv', 'defaults', [f([1, 2, 5, 5]), f([3, 2, 2, 2])]);

// ---- quantization ----
add('DynamicQuantizeLinear', 'mixed signs', [f([3, 5], -2, 3)]);
add('DynamicQuantizeLinear', 'all positive', [f([4, 4], 0.5, 4)]);
add('DynamicQuantizeLinear', 'all zero', [tensor('float32', [2, 3])]);
{
  const [q, scale, zp] = cpu('DynamicQuantizeLinear', [f([3, 4], -1, 2)]) as [HostTensor, HostTensor, HostTensor];
  add('DequantizeLinear', 'uint8 from DynamicQuantizeLinear', [q, scale, zp]);
  add('MatMulInteger', 'uint8 x uint8 with scalar zero points', [q, int([4, 5], 0, 255, 'uint8'), zp, int([], 0, 255, 'uint8')]);
}
add('DequantizeLinear', 'int8 per axis 1', [int([2, 3, 4], -128, 127, 'int8'), f([3], 0.01, 0.1), int([3], -10, 10, 'int8')], { axis: 1 });
add('DequantizeLinear', 'uint8 per axis -1', [int([3, 4], 0, 255, 'uint8'), f([4], 0.01, 0.1), int([4], 0, 255, 'uint8')], { axis: -1 });
add('DequantizeLinear', 'int32, no zero point', [int([5], -1000, 1000, 'int32'), tensor('float32', [], [0.125])], { axis: 1 });
add('MatMulInteger', 'uint8 x int8, no zero points, batched', [int([2, 3, 4], 0, 255, 'uint8'), int([4, 5], -128, 127, 'int8')]);
add('MatMulInteger', 'uint8 x uint8, per-column b zero point', [
  int([3, 4], 0, 255, 'uint8'),
  int([4, 5], 0, 255, 'uint8'),
  int([], 0, 255, 'uint8'),
  int([5], 0, 255, 'uint8'),
]);

// ---- shape producers (output shape from the plan) ----
add('Range', 'float', [tensor('float32', [], [0.5]), tensor('float32', [], [3.7]), tensor('float32', [], [0.4])]);
add('Range', 'int64, negative delta', [i64([], [10]), i64([], [1]), i64([], [-3])]);
add('Range', 'int32, empty', [tensor('int32', [], [5]), tensor('int32', [], [5]), tensor('int32', [], [1])]);
add('ConstantOfShape', 'float value', [i64([2], [2, 3])], { value: tensor('float32', [1], [1.5]) });
add('ConstantOfShape', 'int64 value', [i64([3], [1, 2, 2])], { value: tensor('int64', [1], [7]) });
add('ConstantOfShape', 'default value (float 0)', [i64([1], [4])]);

// ---- movement ----
add('Cast', 'float -> int64 truncates', [tensor('float32', [6], [-2.7, -0.5, 0, 0.5, 2.7, 100.9])], { to: 'int64' });
add('Cast', 'float -> int32', [f([2, 3], -50, 50)], { to: 'int32' });
add('Cast', 'float -> bool (with zeros)', [tensor('float32', [5], [0, 1.5, -0, -3, 0.001])], { to: 'bool' });
add('Cast', 'float -> float32', [f([2, 3])], { to: 'float32' });
add('Cast', 'float -> uint8', [f([2, 3], 0, 255)], { to: 'uint8' });
add('Cast', 'float -> int8', [f([2, 3], -100, 100)], { to: 'int8' });
add('Cast', 'int64 -> float32', [int([2, 3], -1000, 1000)], { to: 'float32' });
add('Cast', 'int32 -> int64', [int([4], -1000, 1000, 'int32')], { to: 'int64' });
add('Cast', 'int64 -> bool', [i64([4], [0, 3, -1, 0])], { to: 'bool' });
add('Cast', 'bool -> float32', [bools([5])], { to: 'float32' });
add('Cast', 'bool -> int64', [bools([5])], { to: 'int64' });
add('Reshape', '[2,3,4] -> [6,4]', [f([2, 3, 4])], { shape: [6, 4] });
add('Reshape', 'int64 to a scalar', [int([1, 1], -9, 9)], { shape: [] });
add('Reshape', 'empty [1,12,0,4] -> [12,0,4]', [tensor('float32', [1, 12, 0, 4])], { shape: [12, 0, 4] });
add('Expand', '[3,1] -> [2,3,4]', [f([3, 1])], { shape: [2, 3, 4] });
add('Expand', 'int64 scalar -> [2,2]', [int([], -9, 9)], { shape: [2, 2] });
add('Transpose', 'perm [2,0,1]', [f([2, 3, 4])], { perm: [2, 0, 1] });
add('Transpose', 'default perm, int64', [int([2, 3, 4], -9, 9)]);
add('Concat', 'axis 1, three inputs', [f([2, 1, 3]), f([2, 4, 3]), f([2, 2, 3])], { axis: 1 });
add('Concat', 'an empty input', [f([2, 0, 3]), f([2, 2, 3])], { axis: 1 });
add('Concat', 'axis -1, int64', [int([2, 2], -9, 9), int([2, 3], -9, 9)], { axis: -1 });
add('Gather', 'axis 0, negative and repeated indices', [f([5, 3]), i64([2, 3], [0, -1, 4, 4, -5, 2])], { axis: 0 });
add('Gather', 'axis 1, scalar index', [f([2, 4, 3]), i64([], [-2])], { axis: 1 });
add('Gather', 'int64 data, int32 indices, axis -1', [int([3, 4], -9, 9), tensor('int32', [3], [3, 0, -4])], { axis: -1 });
add('LayerNormalization', 'axis -1, scale and bias', [f([2, 3, 5]), f([5]), f([5])], { axis: -1, epsilon: 1e-5 });
add('LayerNormalization', 'axis 1 of rank 3, no bias', [f([2, 4, 5]), f([4, 5])], { axis: 1, epsilon: 1e-3 });
add('Slice', 'negative step, INT32_MIN end', [f([4, 5])], { starts: [-1, 1], ends: [INT32_MIN, 4], axes: [0, 1], steps: [-1, 2] });
add('Slice', 'INT32_MAX end, no axes or steps', [int([3, 4], -9, 9)], { starts: [1], ends: [INT32_MAX] });
add('Slice', 'empty', [f([3, 4])], { starts: [3], ends: [1], axes: [1], steps: [1] });
add('Slice', 'steps 2 and -2, negative axis', [f([3, 6, 7])], { starts: [10, 0], ends: [-10, INT32_MAX], axes: [-1, 1], steps: [-2, 2] });
add('Split', 'axis 1, sizes [1,3,2]', [f([2, 6, 3])], { axis: 1, split: [1, 3, 2] });
add('Split', 'axis -1, int64, a zero-size piece', [int([2, 4], -9, 9)], { axis: -1, split: [0, 4] });
add('Split', 'num_outputs 3 of 7', [f([7, 2])], { axis: 0, num_outputs: 3 });

// ---- reductions and scans ----
add('ReduceSum', 'axes [1], keepdims 0', [f([2, 3, 4])], { axes: [1], keepdims: 0 });
add('ReduceSum', 'all axes, keepdims 0', [f([2, 3, 4])], { axes: [], keepdims: 0 });
add('ReduceSum', 'all axes (absent), keepdims 1', [f([2, 3])]);
add('ReduceSum', 'a scalar', [f([])], { keepdims: 0 });
add('ReduceSum', 'negative axes, int64', [int([2, 3, 4], -9, 9)], { axes: [-1, 0], keepdims: 1 });
add('ReduceMean', 'axes [0,2], keepdims 1', [f([2, 3, 4])], { axes: [0, 2], keepdims: 1 });
add('ReduceMean', 'all axes, keepdims 0', [f([3, 4])], { axes: [], keepdims: 0 });
add('ReduceMax', 'axis -1, keepdims 0', [f([2, 3, 4])], { axes: [-1], keepdims: 0 });
add('ReduceMax', 'int32, all axes', [int([3, 4], -99, 99, 'int32')], { keepdims: 0 });
add('CumSum', 'axis 0', [f([3, 4])], { axis: 0 });
add('CumSum', 'axis -1, exclusive', [f([2, 3, 4])], { axis: -1, exclusive: 1 });
add('CumSum', 'axis 1, reverse', [f([2, 3, 4])], { axis: 1, reverse: 1 });
add('CumSum', 'int32, axis 0', [int([3, 2], -9, 9, 'int32')], { axis: 0 });
add('CumSum', 'exclusive and reverse, int64', [int([2, 5], -9, 9)], { axis: 1, exclusive: 1, reverse: 1 });

// ---- gradient kernels ----
for (const axis of [0, 1, -1]) {
  const x = f([3, 4, 5], -3, 3);
  const y = cpu('Softmax', [x], { axis })[0]!;
  add('SoftmaxGrad', `axis ${axis}`, [y, f([3, 4, 5])], { axis });
  const ly = cpu('LogSoftmax', [x], { axis })[0]!;
  add('LogSoftmaxGrad', `axis ${axis}`, [ly, f([3, 4, 5])], { axis });
}
add('LayerNormalizationGrad', 'axis -1 of rank 3', [f([2, 3, 5]), f([5]), f([2, 3, 5])], { axis: -1, epsilon: 1e-5 });
add('LayerNormalizationGrad', 'axis 1 of rank 3, scale [4,5]', [f([2, 4, 5]), f([4, 5]), f([2, 4, 5])], { axis: 1, epsilon: 1e-3 });
add('LayerNormalizationGrad', 'axis 1 of rank 3, scale [1,5] broadcast', [f([2, 4, 5]), f([1, 5]), f([2, 4, 5])], { axis: 1 });
add('LayerNormalizationGrad', 'axis 1 of rank 3, scale [5] broadcast', [f([2, 4, 5]), f([5]), f([2, 4, 5])], { axis: 1 });

function gatherGrad(name: string, dataShape: number[], indices: HostTensor, axis: number) {
  const dyShape = cpu('Gather', [tensor('float32', dataShape), indices], { axis })[0]!.shape;
  add('GatherGrad', name, [f([...dyShape]), indices], { axis, dataShape });
}
gatherGrad('axis 0, negative and repeated indices', [5, 3], i64([2, 3], [0, -1, 4, 4, -5, 0]), 0);
gatherGrad('axis 1, int32 indices', [2, 4, 3], tensor('int32', [2, 3], [1, 3, 1, -1, 0, 1]), 1);
gatherGrad('axis 0, scalar index', [5, 2], i64([], [-2]), 0);
gatherGrad('axis 1, scalar index', [2, 4, 3], i64([], [3]), 1);
gatherGrad('axis -1, all the same index', [3, 4], i64([4], [2, 2, 2, 2]), -1);
gatherGrad('empty indices', [5, 3], i64([0], []), 0);

function sliceGrad(name: string, inputShape: number[], attrs: { starts: number[]; ends: number[]; axes?: number[]; steps?: number[] }) {
  const dyShape = cpu('Slice', [tensor('float32', inputShape)], attrs)[0]!.shape;
  add('SliceGrad', name, [f([...dyShape])], { inputShape, ...attrs });
}
sliceGrad('negative step, INT32_MIN end; step 2', [4, 5], { starts: [-1, 1], ends: [INT32_MIN, 4], axes: [0, 1], steps: [-1, 2] });
sliceGrad('steps -2 and -1 from out-of-range starts', [3, 4, 5], { starts: [10, -2], ends: [-10, 0], axes: [2, 1], steps: [-2, -1] });
sliceGrad('INT32_MAX end, no axes or steps', [3, 4], { starts: [1], ends: [INT32_MAX] });
sliceGrad('steps 2 and 3 to INT32_MAX', [6, 7], { starts: [0, 1], ends: [INT32_MAX, INT32_MAX], axes: [0, 1], steps: [2, 3] });
sliceGrad('step -2 from INT32_MAX to INT32_MIN', [7], { starts: [INT32_MAX], ends: [INT32_MIN], axes: [0], steps: [-2] });
sliceGrad('step -3 ending before the first', [2, 8], { starts: [6], ends: [0], axes: [1], steps: [-3] });
sliceGrad('empty, step 1', [3, 4], { starts: [3], ends: [1], axes: [1], steps: [1] });
sliceGrad('empty, step -1', [5, 2], { starts: [0], ends: [3], axes: [0], steps: [-1] });
sliceGrad('empty, step 2 on another axis', [4, 6], { starts: [2, 0], ends: [2, 6], axes: [0, 1], steps: [1, 2] });
sliceGrad('whole tensor', [2, 3], { starts: [0], ends: [INT32_MAX], axes: [1], steps: [1] });
sliceGrad('offsets only (padding)', [4, 5, 3], { starts: [1, -4], ends: [3, -1], axes: [0, 1] });

function convInputGrad(
  name: string,
  x: number[],
  w: number[],
  attrs: { strides?: number[]; pads?: number[]; dilations?: number[]; group?: number },
) {
  const weights = f(w);
  const dyShape = cpu('Conv', [tensor('float32', x), weights], attrs)[0]!.shape;
  add('ConvInputGrad', name, [f([...dyShape]), weights], { inputShape: x, ...attrs });
}
convInputGrad('H=7, kernel 3, stride 2, pads 1', [1, 2, 7, 7], [3, 2, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] });
convInputGrad('H=8, kernel 3, stride 2, no pads: last row never read', [1, 2, 8, 8], [3, 2, 3, 3], { strides: [2, 2], pads: [0, 0, 0, 0] });
convInputGrad('H=8, kernel 3, stride 2, pads 1: bottom pad unused, last row read', [1, 2, 8, 8], [3, 2, 3, 3], {
  strides: [2, 2],
  pads: [1, 1, 1, 1],
});
convInputGrad('H=9, W=10, kernel 2, stride 3, pads [0,1,2,0]', [1, 1, 9, 10], [2, 1, 2, 2], { strides: [3, 3], pads: [0, 1, 2, 0] });
convInputGrad('dilation 2, group 2, asymmetric pads', [2, 4, 7, 6], [6, 2, 3, 3], {
  strides: [2, 1],
  pads: [1, 2, 2, 1],
  dilations: [2, 1],
  group: 2,
});
convInputGrad('dilation 2 both axes, stride 2', [1, 2, 9, 8], [2, 2, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1], dilations: [2, 2] });
convInputGrad('depthwise, stride not dividing', [1, 3, 5, 5], [3, 1, 2, 3], {
  strides: [2, 2],
  pads: [0, 1, 0, 0],
  dilations: [1, 2],
  group: 3,
});
convInputGrad('ViT patch (stride = kernel)', [1, 3, 8, 8], [4, 3, 4, 4], { strides: [4, 4], pads: [0, 0, 0, 0] });
convInputGrad('defaults', [1, 2, 4, 4], [3, 2, 3, 3], {});

/** Ops whose output shape the compiler takes from the plan (their `infer` throws). */
const PLAN_SHAPED = new Set(['Range', 'ConstantOfShape']);

const symsOf = (inputs: readonly (HostTensor | undefined)[]) =>
  inputs.map((t, i) => (t ? { name: `input${i}`, dtype: t.dtype, shape: [...t.shape] } : undefined));

/** The case as a one-op model: its inputs as graph inputs, the op's outputs as graph outputs. */
function oneOpModel(c: Case, want: HostTensor[]): { bytes: Uint8Array; outputs: string[] } {
  const w = new GraphWriter();
  const syms = symsOf(c.inputs);
  let outs: Sym[];
  if (PLAN_SHAPED.has(c.op)) {
    outs = want.map((t, i) => ({ name: `output${i}`, dtype: t.dtype, shape: [...t.shape] }));
    onnxOp(c.op)!.emit(
      w,
      syms as Sym[],
      c.attrs ?? {},
      outs.map((o) => o.name),
    );
  } else {
    outs = w.run(c.op, syms as Sym[], c.attrs ?? {});
  }
  const inputs = syms.filter((s) => s !== undefined);
  const bytes = encodeModel({ nodes: w.nodes, initializers: w.initializers, inputs, outputs: outs, opset: OPSET });
  return { bytes, outputs: outs.map((o) => o.name) };
}

function expectClose(got: HostTensor, want: HostTensor, what: string) {
  expect(got.dtype, `${what} dtype`).toBe(want.dtype);
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  if (!isFloat(want.dtype)) {
    expect(Array.from(got.data), `${what} values`).toEqual(Array.from(want.data));
    return;
  }
  let worst = -Infinity;
  let at = -1;
  for (let i = 0; i < want.data.length; i++) {
    const excess = Math.abs(got.data[i]! - want.data[i]!) - (ATOL + RTOL * Math.abs(want.data[i]!));
    if (!(excess <= worst)) [worst, at] = [excess, i];
  }
  if (at >= 0 && !(worst <= 0)) {
    expect.fail(
      `${what}: element ${at} is ${got.data[at]}, the CPU kernel's ${want.data[at]} (beyond ${RTOL} relative + ${ATOL} absolute)`,
    );
  }
}

let runtime: OrtRuntime;
beforeAll(async () => {
  runtime = await loadOrt();
});

async function runOrt(c: Case, want: HostTensor[]): Promise<HostTensor[]> {
  const { ort, flavour } = runtime;
  const { bytes, outputs } = oneOpModel(c, want);
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [flavour === 'node' ? 'cpu' : 'wasm'],
    logSeverityLevel: 3,
    graphOptimizationLevel: 'all',
  });
  try {
    const feeds: Record<string, Ort.Tensor> = {};
    c.inputs.forEach((t, i) => {
      if (t) feeds[`input${i}`] = toOrt(ort, t);
    });
    const result = await session.run(feeds);
    return outputs.map((name) => toHost(name, result[name]!));
  } finally {
    await session.release();
  }
}

describe('onnxOps', () => {
  it('has a case for every compilable op', () => {
    const covered = new Set(cases.map((c) => c.op));
    expect(compilableOps().filter((op) => !covered.has(op))).toEqual([]);
    expect([...covered].filter((op) => !onnxOp(op))).toEqual([]);
  });

  for (const c of cases) {
    describe(`${c.op}: ${c.name}`, () => {
      const want = cpu(c.op, c.inputs, c.attrs);

      it("infers the CPU kernel's output dtypes and shapes", () => {
        const infer = () => onnxOp(c.op)!.infer(symsOf(c.inputs) as Sym[], c.attrs ?? {});
        if (PLAN_SHAPED.has(c.op)) expect(infer).toThrow(/comes from the plan/);
        else expect(infer()).toEqual(want.map((t) => ({ dtype: t.dtype, shape: [...t.shape] })));
      });

      it('runs on onnxruntime as the CPU kernel computes', async () => {
        const got = await runOrt(c, want);
        expect(got.length).toBe(want.length);
        got.forEach((t, i) => expectClose(t, want[i]!, `output ${i}`));
      });
    });
  }
});
