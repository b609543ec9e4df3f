// Gather and its gradient GatherGrad (see ../../KERNELS.md).
import type { Attrs } from '../../backend.ts';
import { gatherGeometry, gatherGradGeometry } from '../../shapes/gather.ts';
import type { Gpu } from '../gpu.ts';
import type { GpuTensor } from '../gpuTensor.ts';
import { registerWebGpuKernel } from '../registry.ts';
import { ELEMENTWISE_MAIN, LINEAR_INDEX, PARAMS } from '../wgsl.ts';

/**
 * A shader with one invocation per output element i < n that reads `src` (elements of
 * type `t`) and the indices I, with i = t·inner + j and nIdx, inner, dim in scope before
 * `body`. Params: [n, nIdx, inner, dim].
 */
const gatherCode = (src: string, t: 'u32' | 'f32', body: string) => /* wgsl */ `${PARAMS}${LINEAR_INDEX}
@group(0) @binding(1) var<storage, read> ${src}: array<${t}>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read_write> Y: array<${t}>;
${ELEMENTWISE_MAIN} {
  let i = linearIndex(gid, nwg);
  if (i >= P(0u)) { return; }
  let nIdx = P(1u);
  let inner = P(2u);
  let dim = PI(3u);
  let t = i / inner;
  let j = i - t * inner;
${body}
}`;

function dispatchGather(
  gpu: Gpu,
  code: string,
  src: GpuTensor,
  indices: GpuTensor,
  out: GpuTensor,
  inner: number,
  dim: number,
): GpuTensor[] {
  if (out.size > 0) {
    gpu.dispatch({
      code,
      inputs: [src, indices],
      outputs: [out],
      params: [out.size, indices.size, inner, { i32: dim }],
      invocations: out.size,
    });
  }
  return [out];
}

/**
 * out[o, p, j] = data[o, wrap(indices[p]), j] over outer × nIdx × inner, moved as raw
 * 32-bit words (float and integer data alike).
 * Indices are only known on the GPU, so an out-of-range index cannot throw as on the CPU
 * backend: its slice of the output reads as zeros instead of reading out of bounds.
 */
const GATHER = gatherCode(
  'X',
  'u32',
  /* wgsl */ `
  let o = t / nIdx;
  let p = t - o * nIdx;
  var idx = I[p];
  if (idx < 0) { idx += dim; }
  if (idx < 0 || idx >= dim) { Y[i] = 0u; return; }
  Y[i] = X[(o * u32(dim) + u32(idx)) * inner + j];`,
);

/**
 * GatherGrad without atomics (WGSL has no float atomics): each element (o, r, j) of the
 * data-shaped output sums dy[o, p, j] over the index positions p with wrap(indices[p]) = r,
 * in order of p. O(size(data) · nIdx) work; the index loads are uniform across a
 * workgroup's invocations when inner ≥ 64, so they come from cache.
 */
const GATHER_GRAD = gatherCode(
  'DY',
  'f32',
  /* wgsl */ `
  let o = t / u32(dim);
  let r = i32(t - o * u32(dim));
  let base = o * nIdx * inner + j;
  var acc = 0.0;
  for (var p = 0u; p < nIdx; p++) {
    var idx = I[p];
    if (idx < 0) { idx += dim; }
    if (idx == r) { acc += DY[base + p * inner]; }
  }
  Y[i] = acc;`,
);

/** Registers the WebGPU kernels of gather.ts (called once, by the folder's index). */
export function registerWebGpuGather(): void {
  registerWebGpuKernel('Gather', (gpu, inputs, attrs: Attrs) => {
    if (inputs.length !== 2) throw new Error(`Gather: expects 2 inputs, got ${inputs.length}`);
    const data = inputs[0]!,
      indices = inputs[1]!;
    if (!data || !indices) throw new Error('Gather: an input is missing');
    const { dim, inner, shape } = gatherGeometry(data, indices, attrs);
    return dispatchGather(gpu, GATHER, data, indices, gpu.alloc(data.dtype, shape), inner, dim);
  });
  registerWebGpuKernel('GatherGrad', (gpu, inputs, attrs: Attrs) => {
    const dy = inputs[0],
      indices = inputs[1];
    if (!dy || !indices) throw new Error('GatherGrad: expects inputs dy, indices');
    const { dim, inner, dataShape } = gatherGradGeometry(dy, indices, attrs);
    return dispatchGather(gpu, GATHER_GRAD, dy, indices, gpu.alloc('float32', dataShape), inner, dim);
  });
}
