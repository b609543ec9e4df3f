// LayerNormalization (output Y only) and LayerNormalizationGrad (dx only), normalising
// over axes [axis, rank). One row (normalised block) per slot of a workgroup, reduced in
// workgroup memory (see reduce.ts); mean and variance in two passes over the row, as the
// CPU kernels do, accumulated in f32.
import type { Attrs } from '../../backend.ts';
import { broadcastStrides, shapeEquals, sizeOf } from '../../../tensor.ts';
import { axisOf, checkInputs, expectFloat, fmt, intAttr, numAttr, prod } from '../../attrs.ts';
import type { Gpu, Param } from '../gpu.ts';
import type { GpuTensor } from '../gpuTensor.ts';
import { registerWebGpuKernel } from '../registry.ts';
import { PARAMS } from '../wgsl.ts';
import { COMBINERS, ROW_MAIN, ROW_PROLOGUE, layoutParams, layoutWgsl, offsetFn, rowGrid, rowLayout, workgroupReduce } from './reduce.ts';

/**
 * WGSL `name(j) -> u32`: the index into a tensor of `shape` (broadcasting to the normalised
 * shape) for position j of the normalised block; identity when the layouts agree. Appends
 * the sizes/strides it reads to `params`.
 */
function broadcastIndexFn(name: string, shape: readonly number[], normShape: readonly number[], params: Param[]): string {
  if (sizeOf(shape) === sizeOf(normShape)) return `fn ${name}(j: u32) -> u32 { return j; }`;
  const strides = broadcastStrides(shape, normShape);
  const sizes = normShape.map((d) => params.push(d) - 1);
  const st = strides.map((s) => params.push(s) - 1);
  return offsetFn(name, sizes, st);
}

/** Σ over the row of `term` (a WGSL expression in j, the element's offset), in `v`. */
const rowSum = (v: string, term: string) => /* wgsl */ `
  var ${v} = 0.0;
  if (valid) { for (var k = lane; k < n; k += LANES) { let j = base + k; ${v} += ${term}; } }
  ${v} = rowSum(${v}, li, lane);`;

/** The row statistics: mean, and inv = 1/√(var + ε), var in a second pass. */
const STATS = /* wgsl */ `${rowSum('total', 'X[j]')}
  let mean = total / f32(n);
  ${rowSum('sq', '(X[j] - mean) * (X[j] - mean)')}
  let inv = 1.0 / sqrt(sq / f32(n) + PF(2u));`;

/** Params [rows, n, epsilon, …index maps]. */
function dispatchRows(
  gpu: Gpu,
  inputs: GpuTensor[],
  names: string[],
  out: GpuTensor,
  rows: number,
  n: number,
  params: Param[],
  helpers: string,
  body: string,
): void {
  if (rows === 0 || n === 0) return;
  const layout = rowLayout(gpu, n, true);
  const bindings = inputs.map((_, i) => `@group(0) @binding(${i + 1}) var<storage, read> ${names[i]}: array<f32>;`);
  gpu.dispatch({
    code: /* wgsl */ `${PARAMS}${layoutWgsl(layout)}${COMBINERS}
${workgroupReduce('rowSum', 'f32', 'addF')}
${helpers}
${bindings.join('\n')}
@group(0) @binding(${inputs.length + 1}) var<storage, read_write> Y: array<f32>;
${ROW_MAIN} {${ROW_PROLOGUE}
  let valid = row < P(0u);
  let n = P(1u);
  let base = row * n;
${body}
}`,
    inputs,
    outputs: [out],
    params: layoutParams(layout, params),
    workgroups: rowGrid(gpu, layout, rows),
  });
}

/** Registers the WebGPU kernels of layernorm.ts (called once, by the folder's index). */
export function registerWebGpuLayernorm(): void {
  registerWebGpuKernel('LayerNormalization', (gpu, inputs, attrs: Attrs) => {
    const op = 'LayerNormalization';
    checkInputs(op, inputs, 2, 3);
    const x = inputs[0]!,
      scale = inputs[1]!,
      bias = inputs[2] ?? undefined;
    expectFloat(op, x, 'x');
    expectFloat(op, scale, 'scale');
    if (bias) expectFloat(op, bias, 'bias');
    const axis = axisOf(op, intAttr(op, attrs, 'axis', -1), x.shape);
    const eps = numAttr(op, attrs, 'epsilon', 1e-5);
    const normShape = x.shape.slice(axis);
    const check = (t: GpuTensor, what: string) => {
      const ok =
        t.shape.length <= normShape.length && t.shape.every((d, i) => d === 1 || d === normShape[normShape.length - t.shape.length + i]);
      if (!ok)
        throw new Error(`${op}: ${what} ${fmt(t.shape)} does not broadcast to the normalised shape ${fmt(normShape)} of x ${fmt(x.shape)}`);
    };
    check(scale, 'scale');
    if (bias) check(bias, 'bias');
    const n = sizeOf(normShape);
    const rows = prod(x.shape, 0, axis);
    const out = gpu.alloc('float32', x.shape);
    const params: Param[] = [rows, n, { f32: eps }];
    const helpers = [broadcastIndexFn('scaleAt', scale.shape, normShape, params)];
    if (bias) helpers.push(broadcastIndexFn('biasAt', bias.shape, normShape, params));
    const y = `(X[j] - mean) * inv * S[scaleAt(k)]${bias ? ' + B[biasAt(k)]' : ''}`;
    dispatchRows(
      gpu,
      bias ? [x, scale, bias] : [x, scale],
      ['X', 'S', 'B'],
      out,
      rows,
      n,
      params,
      helpers.join('\n'),
      /* wgsl */ `${STATS}
    if (valid) { for (var k = lane; k < n; k += LANES) { let j = base + k; Y[j] = ${y}; } }`,
    );
    return [out];
  });
  /**
   * LayerNormalizationGrad(x, scale, dy; axis, epsilon) → dx for y = (x − μ)/σ · scale (+ bias):
   * with ĝ = dy · scale and x̂ = (x − μ)/σ, dx = (1/σ)(ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)).
   */
  registerWebGpuKernel('LayerNormalizationGrad', (gpu, inputs, attrs: Attrs) => {
    const op = 'LayerNormalizationGrad';
    const [x, scale, dy] = inputs;
    if (!x || !scale || !dy) throw new Error(`${op}: expects inputs x, scale, dy`);
    expectFloat(op, x, 'x');
    expectFloat(op, scale, 'scale');
    expectFloat(op, dy, 'dy');
    if (!shapeEquals(dy.shape, x.shape)) throw new Error(`${op}: dy has shape ${fmt(dy.shape)}, expected ${fmt(x.shape)}`);
    const axis = axisOf(op, numAttr(op, attrs, 'axis', -1), x.shape);
    const eps = numAttr(op, attrs, 'epsilon', 1e-5);
    const normShape = x.shape.slice(axis);
    const fits =
      scale.shape.length <= normShape.length &&
      scale.shape.every((d, i) => d === 1 || d === normShape[normShape.length - scale.shape.length + i]);
    if (!fits) throw new Error(`${op}: scale ${fmt(scale.shape)} does not broadcast to ${fmt(normShape)}`);
    const n = sizeOf(normShape);
    const rows = prod(x.shape, 0, axis);
    const out = gpu.alloc('float32', x.shape);
    const params: Param[] = [rows, n, { f32: eps }];
    const helpers = broadcastIndexFn('scaleAt', scale.shape, normShape, params);
    dispatchRows(
      gpu,
      [x, scale, dy],
      ['X', 'S', 'D'],
      out,
      rows,
      n,
      params,
      helpers,
      /* wgsl */ `${STATS}
    ${rowSum('mg', 'D[j] * S[scaleAt(k)]')}
    ${rowSum('mgx', 'D[j] * S[scaleAt(k)] * (X[j] - mean) * inv')}
    let a = mg / f32(n);
    let b = mgx / f32(n);
    if (valid) {
      for (var k = lane; k < n; k += LANES) {
        let j = base + k;
        Y[j] = inv * (D[j] * S[scaleAt(k)] - a - (X[j] - mean) * inv * b);
      }
    }`,
    );
    return [out];
  });
}
