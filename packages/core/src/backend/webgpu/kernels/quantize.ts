// DequantizeLinear and DynamicQuantizeLinear (uint8), bit-for-bit as the CPU kernels
// (which reproduce onnxruntime's float32 arithmetic).
import type { Attrs } from '../../backend.ts';
import { axisOf, intAttr } from '../../attrs.ts';
import { formatShape, isFloat } from '../../../tensor.ts';
import type { Gpu } from '../gpu.ts';
import type { GpuTensor } from '../gpuTensor.ts';
import { registerWebGpuKernel } from '../registry.ts';
import { ELEMENTWISE_MAIN, LINEAR_INDEX, PARAMS } from '../wgsl.ts';

/**
 * divExact(a, b): a / b correctly rounded to nearest-even, by integer long division of the
 * significands. WGSL only promises 2.5 ULP for f32 '/', and a quotient one ULP off can move
 * round(x / scale) across a .5 boundary, so quantization would differ from onnxruntime (whose
 * division is IEEE). Zeros, subnormals, infinities and NaN, as operands or results, take the
 * native division (only reached for results that round to 0 or are not finite anyway).
 */
export const DIV_EXACT = /* wgsl */ `
fn divExact(a: f32, b: f32) -> f32 {
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  let ea = i32((ua >> 23u) & 0xffu);
  let eb = i32((ub >> 23u) & 0xffu);
  if (ea == 0 || eb == 0 || ea == 255 || eb == 255) { return a / b; }
  var ma = (ua & 0x7fffffu) | 0x800000u;
  let mb = (ub & 0x7fffffu) | 0x800000u;
  var e = ea - eb + 127;
  if (ma < mb) { ma = ma << 1u; e = e - 1; }
  // ma / mb lies in [1, 2): 24 significand bits and a guard bit, the remainder is the sticky bit.
  var q = 0u;
  var r = ma;
  for (var k = 0u; k < 25u; k++) {
    q = q << 1u;
    if (r >= mb) { r = r - mb; q = q | 1u; }
    r = r << 1u;
  }
  // (An exact quotient of two 24-bit significands is never a midpoint, so the even rule is moot.)
  let guard = q & 1u;
  q = q >> 1u;
  if (guard == 1u && (r != 0u || (q & 1u) == 1u)) { q = q + 1u; }
  if (q == 0x1000000u) { q = q >> 1u; e = e + 1; }
  if (e <= 0 || e >= 255) { return a / b; }
  return bitcast<f32>(((ua ^ ub) & 0x80000000u) | (u32(e) << 23u) | (q & 0x7fffffu));
}`;

// y = f32(x − zeroPoint) · scale[c], c = ⌊i / inner⌋ mod dim (dim = inner = 1 for a scalar scale).
// Params: [n, inner, dim].
const dequantizeCode = (zp: boolean) => /* wgsl */ `${PARAMS}${LINEAR_INDEX}
@group(0) @binding(1) var<storage, read> X: array<i32>;
@group(0) @binding(2) var<storage, read> S: array<f32>;
${zp ? '@group(0) @binding(3) var<storage, read> Z: array<i32>;' : ''}
@group(0) @binding(${zp ? 4 : 3}) var<storage, read_write> Y: array<f32>;
${ELEMENTWISE_MAIN} {
  let i = linearIndex(gid, nwg);
  if (i >= P(0u)) { return; }
  let c = (i / P(1u)) % P(2u);
  Y[i] = f32(X[i]${zp ? ' - Z[c]' : ''}) * S[c];
}`;

/** Invocations per workgroup of the min/max reduction (the WebGPU default limit, a power of 2). */
const RED = 256;

/** Reduction of each thread's (lo, hi) over the workgroup, left in smin[0], smax[0]. */
const WORKGROUP_MIN_MAX = /* wgsl */ `
var<workgroup> smin: array<f32, ${RED}>;
var<workgroup> smax: array<f32, ${RED}>;
fn reduceMinMax(lid: u32, lo: f32, hi: f32) {
  smin[lid] = lo;
  smax[lid] = hi;
  workgroupBarrier();
  for (var s = ${RED / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      smin[lid] = min(smin[lid], smin[lid + s]);
      smax[lid] = max(smax[lid], smax[lid + s]);
    }
    workgroupBarrier();
  }
}`;

// Pass 1: workgroup k folds elements k·RED + lid, stepping by groups·RED, into PART[2k], PART[2k+1]
// (starting from 0, as min(0, min x) and max(0, max x) do; NaN is skipped, as on the CPU).
// Params: [n, groups].
const PARTIAL_MIN_MAX = /* wgsl */ `${PARAMS}${WORKGROUP_MIN_MAX}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> PART: array<f32>;
@compute @workgroup_size(${RED})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let n = P(0u);
  let step = P(1u) * ${RED}u;
  var lo = 0.0;
  var hi = 0.0;
  for (var i = wid.x * ${RED}u + lid; i < n; i += step) {
    let v = X[i];
    if (v < lo) { lo = v; }
    if (v > hi) { hi = v; }
  }
  reduceMinMax(lid, lo, hi);
  if (lid == 0u) {
    PART[2u * wid.x] = smin[0];
    PART[2u * wid.x + 1u] = smax[0];
  }
}`;

// Pass 2, one workgroup: the global min and max, then
//   scale = max == min ? 1 : (max − min) / 255,  zp = round_half_even(clamp(0 − min / scale, 0, 255)).
// Params: [groups].
const SCALE_ZERO_POINT = /* wgsl */ `${PARAMS}${DIV_EXACT}${WORKGROUP_MIN_MAX}
@group(0) @binding(1) var<storage, read> PART: array<f32>;
@group(0) @binding(2) var<storage, read_write> S: array<f32>;
@group(0) @binding(3) var<storage, read_write> Z: array<i32>;
@compute @workgroup_size(${RED})
fn main(@builtin(local_invocation_index) lid: u32) {
  let groups = P(0u);
  var lo = 0.0;
  var hi = 0.0;
  for (var k = lid; k < groups; k += ${RED}u) {
    lo = min(lo, PART[2u * k]);
    hi = max(hi, PART[2u * k + 1u]);
  }
  reduceMinMax(lid, lo, hi);
  if (lid == 0u) {
    let mn = smin[0];
    let mx = smax[0];
    var scale = 1.0;
    if (mx != mn) { scale = divExact(mx - mn, 255.0); }
    S[0] = scale;
    Z[0] = i32(round(clamp(0.0 - divExact(mn, scale), 0.0, 255.0)));
  }
}`;

// Pass 3: y = clamp(round_half_even(x / scale) + zp, 0, 255). WGSL's round() is half-to-even.
// Params: [n].
const QUANTIZE = /* wgsl */ `${PARAMS}${LINEAR_INDEX}${DIV_EXACT}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> S: array<f32>;
@group(0) @binding(3) var<storage, read> Z: array<i32>;
@group(0) @binding(4) var<storage, read_write> Y: array<i32>;
${ELEMENTWISE_MAIN} {
  let i = linearIndex(gid, nwg);
  if (i >= P(0u)) { return; }
  let q = round(divExact(X[i], S[0])) + f32(Z[0]);
  Y[i] = i32(clamp(q, 0.0, 255.0));
}`;

/** Registers the WebGPU kernels of quantize.ts (called once, by the folder's index). */
export function registerWebGpuQuantize(): void {
  registerWebGpuKernel('DequantizeLinear', (gpu: Gpu, inputs: readonly GpuTensor[], attrs: Attrs): GpuTensor[] => {
    const op = 'DequantizeLinear';
    if (inputs.length < 2 || inputs.length > 3) throw new Error(`${op}: expects 2 to 3 inputs, got ${inputs.length}`);
    const x = inputs[0],
      scale = inputs[1],
      zp = inputs[2] ?? undefined;
    if (!x || !scale) throw new Error(`${op}: input ${x ? 1 : 0} is missing`);
    if (isFloat(x.dtype)) throw new Error(`${op}: x must be an integer tensor, got ${x.dtype} ${formatShape(x.shape)}`);
    if (!isFloat(scale.dtype)) throw new Error(`${op}: scale must be float32, got ${scale.dtype} ${formatShape(scale.shape)}`);
    if (zp && (zp.dtype !== x.dtype || zp.size !== scale.size)) {
      throw new Error(
        `${op}: zero point ${zp.dtype} ${formatShape(zp.shape)} must match x's dtype ${x.dtype} and scale ${formatShape(scale.shape)}`,
      );
    }
    if (intAttr(op, attrs, 'block_size', 0) !== 0) throw new Error(`${op}: blocked quantization is not supported`);
    let inner = 1;
    let dim = 1;
    if (!(scale.size === 1 && scale.shape.length <= 1)) {
      if (scale.shape.length !== 1)
        throw new Error(`${op}: scale ${formatShape(scale.shape)} must be a scalar or 1-D (x ${formatShape(x.shape)})`);
      const axis = axisOf(op, intAttr(op, attrs, 'axis', 1), x.shape);
      dim = x.shape[axis]!;
      if (scale.size !== dim) {
        throw new Error(`${op}: scale ${formatShape(scale.shape)} must have ${dim} elements for axis ${axis} of x ${formatShape(x.shape)}`);
      }
      inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    }
    const out = gpu.alloc('float32', x.shape);
    gpu.dispatch({
      code: dequantizeCode(!!zp),
      inputs: zp ? [x, scale, zp] : [x, scale],
      outputs: [out],
      params: [out.size, Math.max(inner, 1), Math.max(dim, 1)],
      invocations: out.size,
    });
    return [out];
  });
  registerWebGpuKernel('DynamicQuantizeLinear', (gpu: Gpu, inputs: readonly GpuTensor[]): GpuTensor[] => {
    const op = 'DynamicQuantizeLinear';
    if (inputs.length !== 1) throw new Error(`${op}: expects 1 inputs, got ${inputs.length}`);
    const x = inputs[0];
    if (!x) throw new Error(`${op}: input 0 is missing`);
    if (!isFloat(x.dtype)) throw new Error(`${op}: x must be float32, got ${x.dtype} ${formatShape(x.shape)}`);
    const n = x.size;
    // At most RED partial results, so that one workgroup reduces them in one step each.
    const groups = Math.max(1, Math.min(RED, Math.ceil(n / RED)));
    const partial = gpu.alloc('float32', [2 * groups]);
    const y = gpu.alloc('uint8', x.shape);
    const scale = gpu.alloc('float32', []);
    const zeroPoint = gpu.alloc('uint8', []);
    gpu.dispatch({ code: PARTIAL_MIN_MAX, inputs: [x], outputs: [partial], params: [n, groups], workgroups: [groups] });
    gpu.dispatch({ code: SCALE_ZERO_POINT, inputs: [partial], outputs: [scale, zeroPoint], params: [groups], workgroups: [1] });
    gpu.dispatch({ code: QUANTIZE, inputs: [x, scale, zeroPoint], outputs: [y], params: [n], invocations: n });
    // Later users of the buffer are recorded (or, for uploads, submitted) after these dispatches.
    gpu.release(partial);
    return [y, scale, zeroPoint];
  });
}
