// Gather and its gradient GatherGrad (see ../../KERNELS.md).
import type { Attrs } from '../../backend.ts';
import { formatShape, isFloat, sizeOf } from '../../../tensor.ts';
import { axisOf, intAttr, intsAttr, numAttr } from '../../cpu/kernels/util.ts';
import type { GpuTensor } from '../gpuTensor.ts';
import { registerWebGpuKernel } from '../registry.ts';
import { ELEMENTWISE_MAIN, LINEAR_INDEX, PARAMS } from '../wgsl.ts';

const fmt = formatShape;

/**
 * out[o, p, j] = data[o, wrap(indices[p]), j] over outer × nIdx × inner, moved as raw
 * 32-bit words (float and integer data alike). Params: [n, nIdx, inner, dim].
 * Indices are only known on the GPU, so an out-of-range index cannot throw as on the CPU
 * backend: its slice of the output reads as zeros instead of reading out of bounds.
 */
const GATHER = /* wgsl */ `${PARAMS}${LINEAR_INDEX}
@group(0) @binding(1) var<storage, read> X: array<u32>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read_write> Y: array<u32>;
${ELEMENTWISE_MAIN} {
  let i = linearIndex(gid, nwg);
  if (i >= P(0u)) { return; }
  let nIdx = P(1u);
  let inner = P(2u);
  let dim = PI(3u);
  let t = i / inner;
  let j = i - t * inner;
  let o = t / nIdx;
  let p = t - o * nIdx;
  var idx = I[p];
  if (idx < 0) { idx += dim; }
  if (idx < 0 || idx >= dim) { Y[i] = 0u; return; }
  Y[i] = X[(o * u32(dim) + u32(idx)) * inner + j];
}`;

registerWebGpuKernel('Gather', (gpu, inputs, attrs: Attrs) => {
  if (inputs.length !== 2) throw new Error(`Gather: expects 2 inputs, got ${inputs.length}`);
  const data = inputs[0]!, indices = inputs[1]!;
  if (!data || !indices) throw new Error('Gather: an input is missing');
  if (isFloat(indices.dtype)) throw new Error(`Gather: indices must be an integer tensor, got ${indices.dtype} ${fmt(indices.shape)}`);
  const axis = axisOf('Gather', intAttr('Gather', attrs, 'axis', 0), data.shape);
  const dim = data.shape[axis]!;
  const inner = sizeOf(data.shape.slice(axis + 1));
  const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  const out = gpu.alloc(data.dtype, shape);
  if (out.size > 0) {
    gpu.dispatch({ code: GATHER, inputs: [data, indices], outputs: [out], params: [out.size, indices.size, inner, { i32: dim }], invocations: out.size });
  }
  return [out];
});

/**
 * GatherGrad without atomics (WGSL has no float atomics): each element (o, r, j) of the
 * data-shaped output sums dy[o, p, j] over the index positions p with wrap(indices[p]) = r,
 * in order of p. O(size(data) · nIdx) work; the index loads are uniform across a
 * workgroup's invocations when inner ≥ 64, so they come from cache.
 * Params: [n, nIdx, inner, dim].
 */
const GATHER_GRAD = /* wgsl */ `${PARAMS}${LINEAR_INDEX}
@group(0) @binding(1) var<storage, read> DY: array<f32>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;
${ELEMENTWISE_MAIN} {
  let i = linearIndex(gid, nwg);
  if (i >= P(0u)) { return; }
  let nIdx = P(1u);
  let inner = P(2u);
  let dim = PI(3u);
  let t = i / inner;
  let j = i - t * inner;
  let o = t / u32(dim);
  let r = i32(t - o * u32(dim));
  let base = o * nIdx * inner + j;
  var acc = 0.0;
  for (var p = 0u; p < nIdx; p++) {
    var idx = I[p];
    if (idx < 0) { idx += dim; }
    if (idx == r) { acc += DY[base + p * inner]; }
  }
  Y[i] = acc;
}`;

registerWebGpuKernel('GatherGrad', (gpu, inputs, attrs: Attrs) => {
  const op = 'GatherGrad';
  const dy = inputs[0], indices = inputs[1];
  if (!dy || !indices) throw new Error(`${op}: expects inputs dy, indices`);
  if (!isFloat(dy.dtype)) throw new Error(`${op}: dy must be float32, got ${dy.dtype} ${fmt(dy.shape)}`);
  if (isFloat(indices.dtype)) throw new Error(`${op}: indices must be an integer tensor, got ${indices.dtype} ${fmt(indices.shape)}`);
  const dataShape = intsAttr(op, attrs, 'dataShape');
  const axis = axisOf(op, numAttr(op, attrs, 'axis', 0), dataShape);
  const expected = [...dataShape.slice(0, axis), ...indices.shape, ...dataShape.slice(axis + 1)];
  if (expected.length !== dy.shape.length || expected.some((d, i) => d !== dy.shape[i])) {
    throw new Error(`${op}: dy has shape ${fmt(dy.shape)}, expected ${fmt(expected)}`);
  }
  const dim = dataShape[axis]!;
  const inner = sizeOf(dataShape.slice(axis + 1));
  const out = gpu.alloc('float32', dataShape);
  if (out.size > 0) {
    gpu.dispatch({ code: GATHER_GRAD, inputs: [dy, indices], outputs: [out], params: [out.size, indices.size, inner, { i32: dim }], invocations: out.size });
  }
  return [out];
});
