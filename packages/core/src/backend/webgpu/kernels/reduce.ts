// ReduceSum, ReduceMean, ReduceMax over any set of axes; plus the row machinery that the
// row-wise kernels of this family (softmax.ts, layernorm.ts, cumsum.ts) share.
//
// A "row" is the set of elements one output (or one softmax/layernorm/scan line) depends
// on. Each workgroup of WG invocations handles SLOTS rows with LANES invocations per row
// (SLOTS · LANES = WG, both powers of two): the lanes stride through the row, then combine
// their partial results with a tree reduction in workgroup memory. Long rows (768, 3072,
// whole-tensor sums) get all WG lanes; short rows share a workgroup. When the row's
// elements are contiguous the lanes are the fast-varying invocation index (lane k reads
// element k); when they are strided (reducing a leading axis) the slots are, so that
// neighbouring invocations read neighbouring outputs' elements. A few very long rows
// (≥ 65536 elements, fewer than 256 rows) are split into chunks reduced in parallel, then
// the partials are reduced in a second dispatch.
import type { Attrs } from '../../backend.ts';
import { sizeOf, stridesOf } from '../../../tensor.ts';
import { checkInputs } from '../../attrs.ts';
import { reduceGeometry } from '../../shapes/reduce.ts';
import type { Gpu, Param } from '../gpu.ts';
import { type GpuTensor, wgslType } from '../gpuTensor.ts';
import { registerWebGpuKernel } from '../registry.ts';
import { PARAMS, PARAM_WORDS } from '../wgsl.ts';

export interface RowLayout {
  /** Invocations per workgroup. */
  wg: number;
  /** Invocations per row. */
  lanes: number;
  /** Rows per workgroup. */
  slots: number;
  /** Lanes are the fast-varying part of the local invocation index (contiguous rows). */
  lanesFast: boolean;
}

const pow2 = (n: number): number => {
  let p = 1;
  while (p < n) p *= 2;
  return p;
};

/** The largest power of two workgroup size up to 256 that the device allows. */
function workgroupSize(gpu: Gpu): number {
  const max = Math.min(256, gpu.limits.maxComputeInvocationsPerWorkgroup, gpu.limits.maxComputeWorkgroupSizeX);
  let p = 1;
  while (p * 2 <= max) p *= 2;
  return p;
}

/**
 * How to split a workgroup over rows of `extent` elements. `contiguous`: a row's elements
 * are adjacent in memory; otherwise `columns` is how many consecutive rows start at
 * consecutive addresses (rows stride through memory side by side).
 */
export function rowLayout(gpu: Gpu, extent: number, contiguous: boolean, columns = 1): RowLayout {
  const wg = workgroupSize(gpu);
  const lanes = contiguous ? Math.min(wg, pow2(extent)) : Math.min(wg / Math.min(16, pow2(columns), wg), pow2(extent));
  return { wg, lanes, slots: wg / lanes, lanesFast: contiguous };
}

/** Workgroup counts for `rows` rows, as a 2-D grid within the per-dimension limit. */
export function rowGrid(gpu: Gpu, layout: RowLayout, rows: number): [number, number] {
  const groups = Math.ceil(rows / layout.slots);
  const max = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (groups <= max) return [groups, 1];
  const y = Math.ceil(groups / max);
  return [Math.ceil(groups / y), y];
}

/** The params words (the block's last four) that carry the layout. */
const LAYOUT_WORD = PARAM_WORDS - 4;

/**
 * WGSL for a layout: the constant WG (the workgroup size) and accessors of the layout
 * words, which are params rather than constants so that one pipeline serves every row
 * length (compiling a pipeline costs far more than a few integer operations). The entry
 * point header is ROW_MAIN; ROW_PROLOGUE defines `lane`, `slot`, `row` (the global row of
 * this slot: compare with the row count before use, and never return early, the
 * reductions need every invocation at their barriers), LANES (invocations per row), SLOTS
 * (rows per workgroup) and LANE_STRIDE (the distance in local index between lanes k and
 * k + 1 of a row).
 */
export function layoutWgsl(l: RowLayout): string {
  const w = LAYOUT_WORD;
  return /* wgsl */ `
const WG = ${l.wg}u;
fn lanesP() -> u32 { return P(${w}u); }
fn slotsP() -> u32 { return P(${w + 1}u); }
fn laneStrideP() -> u32 { return 1u << P(${w + 2}u); }
fn laneOf(li: u32) -> u32 { return (li >> P(${w + 2}u)) & (P(${w}u) - 1u); }
fn slotOf(li: u32) -> u32 { return (li >> P(${w + 3}u)) & (P(${w + 1}u) - 1u); }
`;
}

/** `params` padded, with the layout words appended (the kernel's own words come first). */
export function layoutParams(l: RowLayout, params: readonly Param[]): Param[] {
  if (params.length > LAYOUT_WORD) throw new Error(`kernel needs ${params.length} parameter words, ${LAYOUT_WORD} are free`);
  const log2 = (n: number) => Math.round(Math.log2(n));
  const [laneShift, slotShift] = l.lanesFast ? [0, log2(l.lanes)] : [log2(l.slots), 0];
  return [...params, ...new Array<number>(LAYOUT_WORD - params.length).fill(0), l.lanes, l.slots, laneShift, slotShift];
}

export const ROW_MAIN = /* wgsl */ `@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>)`;

/** First lines of a ROW_MAIN body. */
export const ROW_PROLOGUE = /* wgsl */ `
  let LANES = lanesP();
  let SLOTS = slotsP();
  let LANE_STRIDE = laneStrideP();
  let lane = laneOf(li);
  let slot = slotOf(li);
  let row = (wid.x + wid.y * nwg.x) * SLOTS + slot;`;

/**
 * WGSL function `name(v, li, lane) -> type`: combines the values of one row's lanes with
 * `combine` (a WGSL function name of two arguments) and returns the result to every lane.
 * Must be called in uniform control flow (it has barriers).
 */
export function workgroupReduce(name: string, type: 'f32' | 'i32', combine: string): string {
  return /* wgsl */ `
var<workgroup> ${name}_shared: array<${type}, WG>;
fn ${name}(v: ${type}, li: u32, lane: u32) -> ${type} {
  let stride = laneStrideP();
  ${name}_shared[li] = v;
  workgroupBarrier();
  for (var s = lanesP() / 2u; s > 0u; s = s / 2u) {
    if (lane < s) { ${name}_shared[li] = ${combine}(${name}_shared[li], ${name}_shared[li + s * stride]); }
    workgroupBarrier();
  }
  let r = ${name}_shared[li - lane * stride];
  workgroupBarrier();
  return r;
}`;
}

/**
 * add and max for f32 and i32; maxF propagates NaN, as the CPU kernels do. NaN is tested on
 * the bits: compilers may fold `b != b` to false (SwiftShader does).
 */
export const COMBINERS = /* wgsl */ `
fn addF(a: f32, b: f32) -> f32 { return a + b; }
fn addI(a: i32, b: i32) -> i32 { return a + b; }
fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn maxF(a: f32, b: f32) -> f32 { return select(a, b, b > a || isNan(b)); }
fn maxI(a: i32, b: i32) -> i32 { return max(a, b); }
`;

/**
 * WGSL `name(i: u32) -> u32`: the offset Σ_d c_d · stride_d of index i of a row-major
 * shape whose sizes and strides are the params words at sizes[d] and strides[d].
 */
export function offsetFn(name: string, sizes: readonly number[], strides: readonly number[]): string {
  const lines: string[] = [];
  for (let d = sizes.length - 1; d >= 0; d--) {
    if (d === 0) lines.push(`off += rem * P(${strides[d]}u);`);
    else lines.push(`{ let c = rem % P(${sizes[d]}u); rem = rem / P(${sizes[d]}u); off += c * P(${strides[d]}u); }`);
  }
  return /* wgsl */ `
fn ${name}(i: u32) -> u32 {
  var rem = i;
  var off = 0u;
  ${lines.join('\n  ')}
  return off;
}`;
}

type Kind = 'sum' | 'mean' | 'max';

function reduceKernel(op: string, kind: Kind) {
  registerWebGpuKernel(op, (gpu, inputs, attrs: Attrs) => {
    checkInputs(op, inputs, 1);
    const x = inputs[0]!;
    // noop_with_empty_axes: no axis is reduced, and the "reduction" below is a copy.
    const { reduced, keptShape, outShape } = reduceGeometry(op, x, attrs);
    const r = x.shape.length;
    const out = gpu.alloc(x.dtype, outShape);
    const rows = sizeOf(keptShape);
    if (rows === 0) return [out];

    // Merge neighbouring dims of the same kind (size-1 dims vanish): [sizes, strides] of the
    // kept dims (which index the output) and of the reduced dims (which index a row).
    const strides = stridesOf(x.shape);
    const kept: [number, number][] = [];
    const red: [number, number][] = [];
    let last: 'k' | 'r' | undefined;
    for (let d = 0; d < r; d++) {
      if (x.shape[d] === 1) continue;
      const type = reduced[d] ? 'r' : 'k';
      const list = type === 'r' ? red : kept;
      if (type === last) {
        const g = list[list.length - 1]!;
        g[0] *= x.shape[d]!;
        g[1] = strides[d]!;
      } else list.push([x.shape[d]!, strides[d]!]);
      last = type;
    }
    const R = red.reduce((p, [s]) => p * s, 1);
    // Few long rows (whole-tensor sums): split each row into chunks reduced by their own
    // workgroups into partials [chunks, rows], then reduce those.
    const chunks = R >= SPLIT_EXTENT && rows < SPLIT_ROWS ? Math.max(1, Math.min(Math.ceil(R / 8192), Math.floor(512 / rows))) : 1;
    if (chunks === 1) {
      dispatchReduce(gpu, x, out, kept, red, kind, R, 1);
    } else {
      const partial = gpu.alloc(x.dtype, [chunks, rows]);
      dispatchReduce(gpu, x, partial, kept, red, kind === 'mean' ? 'sum' : kind, 1, chunks);
      dispatchReduce(gpu, partial, out, rows > 1 ? [[rows, 1]] : [], [[chunks, rows]], kind, R, 1);
      gpu.release(partial);
    }
    return [out];
  });
}

/** Rows at least this long, when there are fewer than SPLIT_ROWS of them, are split. */
const SPLIT_EXTENT = 1 << 16;
const SPLIT_ROWS = 256;

/**
 * out[v] for v < rows · chunks, with o = v mod rows and c = ⌊v / rows⌋: the `kind`
 * reduction of chunk c (of ⌈R / chunks⌉ elements) of row o, where output index o picks the
 * row's base offset through the kept dims and reduced index k its element through the
 * reduced dims ([size, stride] pairs). Mean divides by `divisor`.
 */
function dispatchReduce(
  gpu: Gpu,
  x: GpuTensor,
  out: GpuTensor,
  kept: readonly (readonly [number, number])[],
  red: readonly (readonly [number, number])[],
  kind: Kind,
  divisor: number,
  chunks: number,
): void {
  const rows = kept.reduce((p, [s]) => p * s, 1);
  const R = red.reduce((p, [s]) => p * s, 1);
  const len = Math.ceil(R / chunks);
  const contiguous = red.length > 0 && red[red.length - 1]![1] === 1;
  const layout = rowLayout(gpu, len, contiguous, kept.length ? kept[kept.length - 1]![0] : 1);
  const t = wgslType(x.dtype);
  const f = t === 'f32';
  const init = kind === 'max' ? (f ? { f32: -Infinity } : { i32: -2147483648 }) : 0;
  const params: Param[] = [rows * chunks, rows, R, len, divisor, init];
  const word = (v: number) => params.push(v) - 1;
  const keptWords = kept.map(([s, st]) => [word(s), word(st)] as const);
  const redWords = red.map(([s, st]) => [word(s), word(st)] as const);
  const combine = kind === 'max' ? (f ? 'maxF' : 'maxI') : f ? 'addF' : 'addI';
  let result = 'acc';
  // (An integer division by zero gives the dividend in WGSL; select keeps the CPU's 0.)
  if (kind === 'mean') result = f ? 'acc / f32(P(4u))' : 'select(acc / i32(P(4u)), 0, P(4u) == 0u)';
  gpu.dispatch({
    code: /* wgsl */ `${PARAMS}${layoutWgsl(layout)}${COMBINERS}${workgroupReduce('rowReduce', t, combine)}
${offsetFn(
  'baseOf',
  keptWords.map((w) => w[0]),
  keptWords.map((w) => w[1]),
)}
${offsetFn(
  'redOf',
  redWords.map((w) => w[0]),
  redWords.map((w) => w[1]),
)}
@group(0) @binding(1) var<storage, read> X: array<${t}>;
@group(0) @binding(2) var<storage, read_write> Y: array<${t}>;
${ROW_MAIN} {${ROW_PROLOGUE}
  let valid = row < P(0u);
  var acc: ${t} = ${f ? 'PF(5u)' : 'PI(5u)'};
  if (valid) {
    let rows = P(1u);
    let base = baseOf(row % rows);
    let start = (row / rows) * P(3u);
    let end = min(P(2u), start + P(3u));
    for (var k = start + lane; k < end; k += LANES) { acc = ${combine}(acc, X[base + redOf(k)]); }
  }
  acc = rowReduce(acc, li, lane);
  if (valid && lane == 0u) { Y[row] = ${result}; }
}`,
    inputs: [x],
    outputs: [out],
    params: layoutParams(layout, params),
    workgroups: rowGrid(gpu, layout, rows * chunks),
  });
}

/** Registers the WebGPU kernels of reduce.ts (called once, by the folder's index). */
export function registerWebGpuReduce(): void {
  reduceKernel('ReduceSum', 'sum');
  reduceKernel('ReduceMean', 'mean');
  reduceKernel('ReduceMax', 'max');
}
