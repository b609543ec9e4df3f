// Movement kernels: Reshape, Expand, Transpose, Concat, Split, Slice, SliceGrad, and the
// shape producers Shape, ConstantOfShape and Range (see ../../KERNELS.md).
//
// Every copy moves raw 32-bit words (array<u32>), so one shader serves float32 and the
// integer/bool storages alike and copies are bit-exact (NaN payloads included). Every
// kernel writes a new tensor: buffers are pooled and released per tensor, so an output
// never aliases its input (the CPU kernels may return their input; here that would be a
// double release).
import type { Attrs } from '../../backend.ts';
import { type HostTensor, sizeOf, tensor } from '../../../tensor.ts';
import { checkInputs, fmt } from '../../attrs.ts';
import { concatGeometry, splitGeometry } from '../../shapes/concat.ts';
import { expandGeometry, reshapeShape, shapeDims, transposeGeometry } from '../../shapes/movement.ts';
import { sliceGradBounds, sliceView } from '../../slice-bounds.ts';
import type { Gpu, Param } from '../gpu.ts';
import type { GpuTensor } from '../gpuTensor.ts';
import { registerWebGpuKernel } from '../registry.ts';
import { ELEMENTWISE_MAIN, LINEAR_INDEX, PARAMS, PARAM_WORDS } from '../wgsl.ts';

/**
 * Merge the dimensions of a strided read that walk memory contiguously (stride[d] =
 * stride[d+1]·shape[d+1]) and drop dimensions of size 1: fewer index divisions per
 * element and fewer parameter words, same offsets.
 */
function coalesce(shape: readonly number[], strides: readonly number[]): { shape: number[]; strides: number[] } {
  const s: number[] = [];
  const t: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = s.length - 1;
    if (last >= 0 && t[last] === strides[d]! * shape[d]!) {
      s[last]! *= shape[d]!;
      t[last] = strides[d]!;
    } else {
      s.push(shape[d]!);
      t.push(strides[d]!);
    }
  }
  return { shape: s, strides: t };
}

/**
 * out[i] = X[offset + Σ_d idx_d(i) · strides[d]] over the row-major indices of `shape`:
 * Expand, Transpose and Slice. Params: [n, offset, shape…, strides…] (offset and strides i32).
 */
function stridedRead(
  op: string,
  gpu: Gpu,
  x: GpuTensor,
  outShape: readonly number[],
  offset: number,
  strides: readonly number[],
): GpuTensor {
  const out = gpu.alloc(x.dtype, outShape);
  if (out.size === 0) return out;
  const c = coalesce(outShape, strides);
  const rank = c.shape.length;
  if (2 + 2 * rank > PARAM_WORDS) throw new Error(`${op}: rank ${outShape.length} is too large for the webgpu backend (${fmt(outShape)})`);
  gpu.dispatch({
    code: /* wgsl */ `${PARAMS}${LINEAR_INDEX}
@group(0) @binding(1) var<storage, read> X: array<u32>;
@group(0) @binding(2) var<storage, read_write> Y: array<u32>;
${ELEMENTWISE_MAIN} {
  let i = linearIndex(gid, nwg);
  if (i >= P(0u)) { return; }
  var rem = i;
  var off = PI(1u);
  for (var d = ${rank}i - 1; d >= 0; d--) {
    let dim = P(2u + u32(d));
    off += i32(rem % dim) * PI(${2 + rank}u + u32(d));
    rem = rem / dim;
  }
  Y[i] = X[u32(off)];
}`,
    inputs: [x],
    outputs: [out],
    params: [out.size, { i32: offset }, ...c.shape, ...c.strides.map((s) => ({ i32: s }))],
    invocations: out.size,
  });
  return out;
}

/**
 * Y[dstOff + o·dstRow + j] = X[srcOff + o·srcRow + j] for i = o·block + j < n: copies `n`
 * words as rows of `block` (Reshape, Concat's pieces, Split's pieces).
 */
const BLOCK_COPY = /* wgsl */ `${PARAMS}${LINEAR_INDEX}
@group(0) @binding(1) var<storage, read> X: array<u32>;
@group(0) @binding(2) var<storage, read_write> Y: array<u32>;
${ELEMENTWISE_MAIN} {
  let i = linearIndex(gid, nwg);
  if (i >= P(0u)) { return; }
  let block = P(1u);
  let o = i / block;
  let j = i - o * block;
  Y[P(4u) + o * P(5u) + j] = X[P(2u) + o * P(3u) + j];
}`;

function blockCopy(
  gpu: Gpu,
  x: GpuTensor,
  out: GpuTensor,
  n: number,
  block: number,
  srcOff: number,
  srcRow: number,
  dstOff: number,
  dstRow: number,
): void {
  if (n === 0 || block === 0) return;
  gpu.dispatch({ code: BLOCK_COPY, inputs: [x], outputs: [out], params: [n, block, srcOff, srcRow, dstOff, dstRow], invocations: n });
}

/** Registers the WebGPU kernels of movement.ts (called once, by the folder's index). */
export function registerWebGpuMovement(): void {
  registerWebGpuKernel('Reshape', (gpu, inputs, attrs: Attrs) => {
    checkInputs('Reshape', inputs, 1);
    const x = inputs[0]!;
    const out = gpu.alloc(x.dtype, reshapeShape(x, attrs));
    blockCopy(gpu, x, out, x.size, x.size, 0, 0, 0, 0);
    return [out];
  });
  registerWebGpuKernel('Expand', (gpu, inputs, attrs: Attrs) => {
    checkInputs('Expand', inputs, 1);
    const x = inputs[0]!;
    const { shape, strides } = expandGeometry(x, attrs);
    return [stridedRead('Expand', gpu, x, shape, 0, strides)];
  });
  registerWebGpuKernel('Transpose', (gpu, inputs, attrs: Attrs) => {
    checkInputs('Transpose', inputs, 1);
    const x = inputs[0]!;
    const { shape, strides } = transposeGeometry(x, attrs);
    return [stridedRead('Transpose', gpu, x, shape, 0, strides)];
  });
  /** Concat: one block copy per input into its slice of the output (any number of inputs). */
  registerWebGpuKernel('Concat', (gpu, inputs, attrs: Attrs) => {
    checkInputs('Concat', inputs, 1, Infinity);
    const { axis, shape } = concatGeometry(inputs, attrs);
    const total = shape[axis]!;
    const inner = sizeOf(shape.slice(axis + 1));
    const out = gpu.alloc(inputs[0]!.dtype, shape);
    let pos = 0;
    for (const t of inputs) {
      const block = t.shape[axis]! * inner;
      blockCopy(gpu, t, out, t.size, block, 0, block, pos, total * inner);
      pos += block;
    }
    return [out];
  });
  registerWebGpuKernel('Split', (gpu, inputs, attrs: Attrs) => {
    checkInputs('Split', inputs, 1);
    const x = inputs[0]!;
    const { split, shapes, dim, inner } = splitGeometry(x, attrs);
    let at = 0;
    return shapes.map((shape, i) => {
      const out = gpu.alloc(x.dtype, shape);
      const block = split[i]! * inner;
      blockCopy(gpu, x, out, out.size, block, at, dim * inner, 0, block);
      at += block;
      return out;
    });
  });
  registerWebGpuKernel('Slice', (gpu, inputs, attrs: Attrs) => {
    checkInputs('Slice', inputs, 1);
    const x = inputs[0]!;
    const { shape, offset, strides } = sliceView(x.shape, attrs);
    return [stridedRead('Slice', gpu, x, shape, offset, strides)];
  });
  /**
   * SliceGrad in one pass over the input-shaped output: element c of the input gets
   * dy[q] when, on every axis, c_d = start_d + q_d·step_d with 0 ≤ q_d < size_d, else 0.
   * Params: [n, rank, inputShape…, starts…, steps…, sizes…] (starts and steps i32).
   */
  registerWebGpuKernel('SliceGrad', (gpu, inputs, attrs: Attrs) => {
    const op = 'SliceGrad';
    const dy = inputs[0];
    if (!dy) throw new Error(`${op}: expects input dy`);
    const { inputShape, bounds: b } = sliceGradBounds(dy, attrs);
    const out = gpu.alloc('float32', inputShape);
    if (out.size === 0) return [out];
    const rank = inputShape.length;
    if (1 + 4 * rank > PARAM_WORDS) throw new Error(`${op}: rank ${rank} is too large for the webgpu backend (${fmt(inputShape)})`);
    gpu.dispatch({
      code: /* wgsl */ `${PARAMS}${LINEAR_INDEX}
  @group(0) @binding(1) var<storage, read> DY: array<f32>;
  @group(0) @binding(2) var<storage, read_write> Y: array<f32>;
  ${ELEMENTWISE_MAIN} {
    let i = linearIndex(gid, nwg);
    if (i >= P(0u)) { return; }
    var rem = i;
    var src = 0i;
    var mult = 1i;
    var hit = true;
    for (var d = ${rank}i - 1; d >= 0; d--) {
      let dim = P(1u + u32(d));
      let t = i32(rem % dim) - PI(${1 + rank}u + u32(d));
      rem = rem / dim;
      let step = PI(${1 + 2 * rank}u + u32(d));
      let size = PI(${1 + 3 * rank}u + u32(d));
      let q = t / step;
      hit = hit && q * step == t && q >= 0 && q < size;
      src += q * mult;
      mult *= size;
    }
    if (hit) { Y[i] = DY[u32(src)]; } else { Y[i] = 0.0; }
  }`,
      inputs: [dy],
      outputs: [out],
      params: [out.size, ...inputShape, ...[...b.starts, ...b.steps, ...b.shape].map((v) => ({ i32: v }))] as Param[],
      invocations: out.size,
    });
    return [out];
  });
  /** Shape: known on the host from the input's shape; uploaded. */
  registerWebGpuKernel('Shape', (gpu, inputs, attrs: Attrs) => {
    checkInputs('Shape', inputs, 1);
    const dims = shapeDims(inputs[0]!, attrs);
    return [gpu.upload(tensor('int64', [dims.length], dims))];
  });
  // ConstantOfShape and Range take shape-like inputs whose values decide the output shape;
  // the planner folds them on the host, and a GPU tensor's values cannot be read synchronously.
  registerWebGpuKernel('ConstantOfShape', (_gpu, inputs, attrs: Attrs) => {
    const value = attrs.value as HostTensor | undefined;
    throw new Error(
      `ConstantOfShape: not supported on the webgpu backend (shape input ${inputs[0] ? fmt(inputs[0].shape) : 'missing'}, value ${value?.dtype ?? 'float32'}): ` +
        "its output shape is the shape input's values, which cannot be read synchronously from GPU memory; it is expected to be folded at plan time",
    );
  });
  registerWebGpuKernel('Range', (_gpu, inputs) => {
    throw new Error(
      `Range: not supported on the webgpu backend (inputs ${inputs.map((t) => `${t.dtype} ${fmt(t.shape)}`).join(', ')}): ` +
        'its output length depends on the input values, which cannot be read synchronously from GPU memory; it is expected to be folded at plan time',
    );
  });
}
