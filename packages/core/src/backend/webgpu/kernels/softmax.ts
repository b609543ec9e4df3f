// Softmax and LogSoftmax along one axis (opset-13 semantics, max-subtracted), and their
// gradient kernels SoftmaxGrad and LogSoftmaxGrad. One row (the elements along the axis
// for one outer × inner position) per slot of a workgroup, reduced in workgroup memory
// (see reduce.ts).
import type { Attrs } from '../../backend.ts';
import { shapeEquals } from '../../../tensor.ts';
import { axisOf, checkInputs, expectFloat, fmt, intAttr, numAttr, splitAround } from '../../attrs.ts';
import type { Gpu } from '../gpu.ts';
import type { GpuTensor } from '../gpuTensor.ts';
import { registerWebGpuKernel } from '../registry.ts';
import { PARAMS } from '../wgsl.ts';
import { COMBINERS, ROW_MAIN, ROW_PROLOGUE, layoutParams, layoutWgsl, rowGrid, rowLayout, workgroupReduce } from './reduce.ts';

/**
 * Params: [rows, n, inner, −∞, zero]; row r covers offsets base + k·inner (k < n) with
 * base = ⌊r / inner⌋·n·inner + r mod inner. `zero` ≠ 0 writes zeros (gradients of a scalar).
 */
const ROW_BASE = /* wgsl */ `
fn rowBase(r: u32) -> u32 { let inner = P(2u); return (r / inner) * P(1u) * inner + r % inner; }`;

function dispatchRows(
  gpu: Gpu,
  inputs: GpuTensor[],
  out: GpuTensor,
  outer: number,
  n: number,
  inner: number,
  body: string,
  zero = false,
): void {
  const rows = outer * inner;
  if (rows === 0 || n === 0) return;
  const layout = rowLayout(gpu, n, inner === 1, inner);
  const bindings = inputs.map((_, i) => `@group(0) @binding(${i + 1}) var<storage, read> ${'XD'[i]}: array<f32>;`);
  gpu.dispatch({
    code: /* wgsl */ `${PARAMS}${layoutWgsl(layout)}${COMBINERS}${ROW_BASE}
${workgroupReduce('rowMax', 'f32', 'maxF')}
${workgroupReduce('rowSum', 'f32', 'addF')}
${bindings.join('\n')}
@group(0) @binding(${inputs.length + 1}) var<storage, read_write> Y: array<f32>;
${ROW_MAIN} {${ROW_PROLOGUE}
  let valid = row < P(0u);
  let n = P(1u);
  let step = P(2u);
  let base = rowBase(row);
${body}
}`,
    inputs,
    outputs: [out],
    params: layoutParams(layout, [rows, n, inner, { f32: -Infinity }, zero ? 1 : 0]),
    workgroups: rowGrid(gpu, layout, rows),
  });
}

function softmaxKernel(op: string, log: boolean) {
  registerWebGpuKernel(op, (gpu, inputs, attrs: Attrs) => {
    checkInputs(op, inputs, 1);
    const x = inputs[0]!;
    expectFloat(op, x, 'input');
    const axis = axisOf(op, intAttr(op, attrs, 'axis', -1), x.shape);
    const [outer, n, inner] = splitAround(x.shape, axis);
    const out = gpu.alloc('float32', x.shape);
    // (x − max) − log Σ, not x − (max + log Σ): the latter rounds at the scale of max.
    const write = log ? '(X[j] - m) - logSum' : 'exp(X[j] - m) / s';
    dispatchRows(
      gpu,
      [x],
      out,
      outer,
      n,
      inner,
      /* wgsl */ `
  var m = PF(3u);
  if (valid) { for (var k = lane; k < n; k += LANES) { m = maxF(m, X[base + k * step]); } }
  m = rowMax(m, li, lane);
  var s = 0.0;
  if (valid) { for (var k = lane; k < n; k += LANES) { s += exp(X[base + k * step] - m); } }
  s = rowSum(s, li, lane);
  let logSum = log(s);
  if (valid) {
    for (var k = lane; k < n; k += LANES) {
      let j = base + k * step;
      Y[j] = ${write};
    }
  }`,
    );
    return [out];
  });
}

/**
 * SoftmaxGrad(y, dy; axis):    dx = y ⊙ (dy − Σ_axis dy ⊙ y)
 * LogSoftmaxGrad(y, dy; axis): dx = dy − exp(y) Σ_axis dy
 */
function gradKernel(op: 'SoftmaxGrad' | 'LogSoftmaxGrad') {
  registerWebGpuKernel(op, (gpu, inputs, attrs: Attrs) => {
    const [y, dy] = inputs;
    if (!y || !dy) throw new Error(`${op}: expects inputs y, dy`);
    expectFloat(op, y, 'y');
    expectFloat(op, dy, 'dy');
    if (!shapeEquals(dy.shape, y.shape)) throw new Error(`${op}: dy has shape ${fmt(dy.shape)}, expected ${fmt(y.shape)}`);
    const out = gpu.alloc('float32', y.shape);
    // Softmax of a scalar is constant 1 and LogSoftmax constant 0: dx = 0.
    const scalar = y.shape.length === 0;
    const [outer, n, inner] = scalar ? [1, 1, 1] : splitAround(y.shape, axisOf(op, numAttr(op, attrs, 'axis', -1), y.shape));
    const term = op === 'SoftmaxGrad' ? 'D[j] * X[j]' : 'D[j]';
    const write = op === 'SoftmaxGrad' ? 'X[j] * (D[j] - s)' : 'D[j] - exp(X[j]) * s';
    dispatchRows(
      gpu,
      [y, dy],
      out,
      outer,
      n,
      inner,
      /* wgsl */ `
  var s = 0.0;
  if (valid) { for (var k = lane; k < n; k += LANES) { let j = base + k * step; s += ${term}; } }
  s = rowSum(s, li, lane);
  if (valid) {
    for (var k = lane; k < n; k += LANES) {
      let j = base + k * step;
      Y[j] = select(${write}, 0.0, P(4u) != 0u);
    }
  }`,
      scalar,
    );
    return [out];
  });
}

/** Registers the WebGPU kernels of softmax.ts (called once, by the folder's index). */
export function registerWebGpuSoftmax(): void {
  softmaxKernel('Softmax', false);
  softmaxKernel('LogSoftmax', true);
  gradKernel('SoftmaxGrad');
  gradKernel('LogSoftmaxGrad');
}
