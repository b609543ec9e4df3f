// MatMul, Gemm and MatMulInteger on one tiled, register-blocked matrix-product shader.
//
// Every call is out[b][i][j] = alpha · Σ_k A_b(i,k)·B_b(k,j) + beta · C(i,j) (C optional) for
// strided A (M×K) and B (K×N): transposed operands are just other strides, and batches
// (broadcast as numpy does) are offsets found per workgroup. A workgroup of WX×WY
// invocations computes a BM×BN output tile (BM = WY·TM, BN = WX·TN), stepping over K in
// slices of BK: the slices of A and B are staged in workgroup memory, and every
// invocation keeps a TM×TN block of accumulators in registers. Products of few rows use
// narrow tiles that stage only A and read B directly. Sizes, strides, alpha/beta and
// which optional inputs are present are parameters, so there is one shader per element
// type and tile shape (six in all; each takes SwiftShader about a second to compile).
// Integer products
// (MatMul on int tensors, MatMulInteger) accumulate in i32, which wraps as int32 storage
// does and is exact for 8-bit operands.
import type { Attrs } from '../../backend.ts';
import { type DType, sizeOf } from '../../../tensor.ts';
import { checkInputs } from '../../attrs.ts';
import { batchedMatmul, checkMatMulDtypes, gemmGeometry, matMulIntegerZeroPoints } from '../../shapes/matmul.ts';
import type { Gpu, Param } from '../gpu.ts';
import { type GpuTensor, wgslType } from '../gpuTensor.ts';
import { registerWebGpuKernel } from '../registry.ts';
import { PARAMS } from '../wgsl.ts';

/** A tile shape: WX×WY invocations, each computing TM rows × TN columns; BK is the K slice. TM and TN are multiples of 4. */
export interface MatmulTile {
  wx: number;
  wy: number;
  tm: number;
  tn: number;
  bk: number;
  /** Read B straight from global memory (each element is used by one invocation when few rows share a tile). */
  direct?: boolean;
}

/**
 * The tile for many rows: 64×64 outputs per workgroup of 64, 8×8 per invocation, K in
 * slices of 8 (4 KiB of workgroup memory). On SwiftShader 8×8 blocks beat 4×4 ones
 * (16×16 invocations, 64×64 or 128×128 tiles) by 1.5–2×: every workgroup-memory read is a
 * gather there, so reads per multiply-add decide.
 */
export const TILE_MANY_ROWS: MatmulTile = { wx: 8, wy: 8, tm: 8, tn: 8, bk: 8 };
/**
 * For up to 32 rows (a few tokens against a weight matrix): 8×128 tiles of 32 invocations,
 * A staged in slices of 32, B read directly (each element feeds only one invocation).
 */
export const TILE_FEW_ROWS: MatmulTile = { wx: 32, wy: 1, tm: 8, tn: 4, bk: 32, direct: true };
/** For up to 4 rows (matrix-vector products): as TILE_FEW_ROWS with 4×128 tiles. */
export const TILE_MATVEC: MatmulTile = { wx: 32, wy: 1, tm: 4, tn: 4, bk: 32, direct: true };

export const tileFor = (M: number): MatmulTile => (M <= 4 ? TILE_MATVEC : M <= 32 ? TILE_FEW_ROWS : TILE_MANY_ROWS);

// Parameter words.
const P_M = 0,
  P_N = 1,
  P_K = 2,
  P_ARS = 3,
  P_ACS = 4,
  P_BRS = 5,
  P_BCS = 6,
  P_TILES_N = 7,
  P_TILES_M = 8,
  P_TOTAL = 9;
const P_ALPHA = 10,
  P_BETA = 11,
  P_CRS = 12,
  P_CCS = 13,
  P_FLAGS = 14,
  P_ZA = 15,
  P_ZB = 16,
  P_RB = 17,
  P_BATCH = 18;
/** Flag bits: which operand axis is contiguous (to stage it in runs), and which optional inputs are bound. */
const A_K_FAST = 1,
  B_K_FAST = 2,
  HAS_C = 4,
  HAS_ZA = 8,
  HAS_ZB = 16;
/** Batch dimensions the params block holds after merging (18 + 3·rank words ≤ 64). */
const MAX_BATCH_RANK = 15;

const shaders = new Map<string, string>();

/**
 * The shader for an element type and tile. f32 has the Gemm epilogue alpha·acc + beta·C
 * (C bound, and read when HAS_C); i32 subtracts MatMulInteger's zero points as it stages A
 * and B (ZA / ZB bound, and used when HAS_ZA / HAS_ZB). Absent optional inputs are bound
 * to A or B; their values are never used.
 */
export function matmulShader(t: 'f32' | 'i32', tile: MatmulTile): string {
  const key = `${t} ${JSON.stringify(tile)}`;
  let code = shaders.get(key);
  if (!code) shaders.set(key, (code = buildShader(t, tile)));
  return code;
}

function buildShader(t: 'f32' | 'i32', tile: MatmulTile): string {
  const { wx, wy, tm, tn, bk } = tile;
  const BM = wy * tm,
    BN = wx * tn,
    threads = wx * wy;
  const TM4 = tm / 4,
    TN4 = tn / 4;
  if (tm % 4 || tn % 4 || (BM * bk) % threads || (BN * bk) % threads || threads > 256) {
    throw new Error(`MatMul: bad tile ${JSON.stringify(tile)}`);
  }
  const vec = `vec4<${t}>`;
  const zero = `${t}(0)`;
  const f = t === 'f32';
  const bindings = f
    ? ['A: array<f32>', 'B: array<f32>', 'C: array<f32>']
    : ['A: array<i32>', 'B: array<i32>', 'ZA: array<i32>', 'ZB: array<i32>'];
  const decls = bindings.map((b, i) => `@group(0) @binding(${i + 1}) var<storage, read> ${b};`);
  decls.push(`@group(0) @binding(${bindings.length + 1}) var<storage, read_write> Y: array<${t}>;`);
  const direct = !!tile.direct;
  const LA = (BM * bk) / threads,
    LB = direct ? 0 : (BN * bk) / threads;

  // Staging plan, fixed over the K loop: element e = lid + l·threads of a slice is (m, k) of
  // A's and (k, n) of B's, consecutive invocations taking consecutive elements along the
  // operand's contiguous axis. Out-of-range elements read any in-bounds value (WGSL clamps)
  // and are replaced by zero.
  const plan: string[] = [];
  const stage: string[] = [];
  for (let l = 0; l < LA; l++) {
    plan.push(
      `let ae${l} = lid + ${l * threads}u;`,
      `let am${l} = select(ae${l} % ${BM}u, ae${l} / ${bk}u, aKFast);`,
      `let ak${l} = select(ae${l} / ${BM}u, ae${l} % ${bk}u, aKFast);`,
      `let aSrc${l} = aOff + (m0 + am${l}) * aRs + ak${l} * aCs;`,
      `let aOk${l} = m0 + am${l} < M;`,
      `let aDst${l} = ak${l} * ${BM}u + am${l};`,
    );
    if (!f) plan.push(`let az${l} = select(0, ZA[(m0 + am${l}) * P(${P_ZA}u)], (flags & ${HAS_ZA}u) != 0u);`);
    stage.push(`As[aDst${l}] = select(${zero}, A[aSrc${l} + k0 * aCs]${f ? '' : ` - az${l}`}, aOk${l} && k0 + ak${l} < K);`);
  }
  for (let l = 0; l < LB; l++) {
    plan.push(
      `let be${l} = lid + ${l * threads}u;`,
      `let bn${l} = select(be${l} % ${BN}u, be${l} / ${bk}u, bKFast);`,
      `let bk${l} = select(be${l} / ${BN}u, be${l} % ${bk}u, bKFast);`,
      `let bSrc${l} = bOff + bk${l} * bRs + (n0 + bn${l}) * bCs;`,
      `let bOk${l} = n0 + bn${l} < N;`,
      `let bDst${l} = bk${l} * ${BN}u + bn${l};`,
    );
    if (!f) plan.push(`let bz${l} = select(0, ZB[(n0 + bn${l}) * P(${P_ZB}u)], (flags & ${HAS_ZB}u) != 0u);`);
    stage.push(`Bs[bDst${l}] = select(${zero}, B[bSrc${l} + k0 * bRs]${f ? '' : ` - bz${l}`}, bOk${l} && k0 + bk${l} < K);`);
  }

  // Invocation (tx, ty) owns rows (p·WY + ty)·4 + c and columns (q·WX + tx)·4 + e: its vec4
  // reads of a slice row are interleaved with its neighbours'.
  const accs: string[] = [];
  const inner: string[] = [];
  const stores: string[] = [];
  const quad = (arr: string, i: string) => `${vec}(${[0, 1, 2, 3].map((c) => `${arr}[${i} + ${c}u]`).join(', ')})`;
  for (let p = 0; p < TM4; p++) inner.push(`let a${p} = ${quad('As', `kk * ${BM}u + ${p * wy * 4}u + ty * 4u`)};`);
  if (direct) {
    // Columns past N read any in-bounds value; their sums are never stored.
    inner.push('let bRow = bOff + (k0 + kk) * bRs;');
    for (let q = 0; q < TN4; q++) {
      const cols = [0, 1, 2, 3].map((e) => `B[bRow + bc${q * 4 + e}]`).join(', ');
      inner.push(`let b${q} = vec4<${t}>(${cols})${f ? '' : ` - bz${q}`};`);
      for (let e = 0; e < 4; e++) plan.push(`let bc${q * 4 + e} = (n0 + ${q * wx * 4 + e}u + tx * 4u) * bCs;`);
      if (!f) {
        const zs = [0, 1, 2, 3].map((e) => `ZB[(n0 + ${q * wx * 4 + e}u + tx * 4u) * P(${P_ZB}u)]`).join(', ');
        plan.push(`let bz${q} = select(vec4<i32>(0), vec4<i32>(${zs}), (flags & ${HAS_ZB}u) != 0u);`);
      }
    }
  } else {
    for (let q = 0; q < TN4; q++) inner.push(`let b${q} = ${quad('Bs', `kk * ${BN}u + ${q * wx * 4}u + tx * 4u`)};`);
  }
  for (let p = 0; p < TM4; p++) {
    for (let c = 0; c < 4; c++) {
      const r = p * 4 + c;
      for (let q = 0; q < TN4; q++) {
        accs.push(`var acc${r}_${q} = ${vec}(${zero});`);
        inner.push(`acc${r}_${q} += ${vec}(a${p}.${'xyzw'[c]}) * b${q};`);
      }
      stores.push(`if (row0 + ${p * wy * 4 + c}u < M) {`, `  let y = yOff + (row0 + ${p * wy * 4 + c}u) * N;`);
      if (f) stores.push(`  let c = (row0 + ${p * wy * 4 + c}u) * cRs;`);
      for (let q = 0; q < TN4; q++) {
        for (let e = 0; e < 4; e++) {
          const col = `col0 + ${q * wx * 4 + e}u`;
          const value = f ? `epilogue(acc${r}_${q}.${'xyzw'[e]}, c + (${col}) * cCs)` : `acc${r}_${q}.${'xyzw'[e]}`;
          stores.push(`  if (${col} < N) { Y[y + ${col}] = ${value}; }`);
        }
      }
      stores.push('}');
    }
  }

  return /* wgsl */ `${PARAMS}
${decls.join('\n')}
var<workgroup> As: array<${t}, ${BM * bk}>;
${direct ? '' : `var<workgroup> Bs: array<${t}, ${BN * bk}>;`}
${
  f
    ? `
fn epilogue(acc: f32, c: u32) -> f32 {
  if ((P(${P_FLAGS}u) & ${HAS_C}u) != 0u) { return PF(${P_ALPHA}u) * acc + PF(${P_BETA}u) * C[c]; }
  return PF(${P_ALPHA}u) * acc;
}`
    : ''
}
@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let wid = wg.x + wg.y * nwg.x;
  if (wid >= P(${P_TOTAL}u)) { return; }
  let M = P(${P_M}u);
  let N = P(${P_N}u);
  let K = P(${P_K}u);
  let aRs = P(${P_ARS}u);
  let aCs = P(${P_ACS}u);
  let bRs = P(${P_BRS}u);
  let bCs = P(${P_BCS}u);
  let flags = P(${P_FLAGS}u);
  let aKFast = (flags & ${A_K_FAST}u) != 0u;
  let bKFast = (flags & ${B_K_FAST}u) != 0u;
  let tilesN = P(${P_TILES_N}u);
  let tilesM = P(${P_TILES_M}u);
  let n0 = (wid % tilesN) * ${BN}u;
  let m0 = ((wid / tilesN) % tilesM) * ${BM}u;
  var batch = wid / tilesN / tilesM;
  let yOff = batch * M * N;
  // Offsets of this batch's matrices (batch dimensions broadcast through zero strides).
  let rb = P(${P_RB}u);
  var aOff = 0u;
  var bOff = 0u;
  for (var d = i32(rb) - 1; d >= 0; d--) {
    let dim = P(${P_BATCH}u + u32(d));
    let i = batch % dim;
    batch = batch / dim;
    aOff += i * P(${P_BATCH}u + rb + u32(d));
    bOff += i * P(${P_BATCH}u + 2u * rb + u32(d));
  }
  let tx = lid % ${wx}u;
  let ty = lid / ${wx}u;
  ${plan.join('\n  ')}
  ${accs.join('\n  ')}
  for (var k0 = 0u; k0 < K; k0 += ${bk}u) {
    ${stage.join('\n    ')}
    workgroupBarrier();
    for (var kk = 0u; kk < ${direct ? `min(${bk}u, K - k0)` : `${bk}u`}; kk++) {
      ${inner.join('\n      ')}
    }
    workgroupBarrier();
  }
  let row0 = m0 + ty * 4u;
  let col0 = n0 + tx * 4u;
  ${
    f
      ? `let cRs = P(${P_CRS}u);
  let cCs = P(${P_CCS}u);`
      : ''
  }
  ${stores.join('\n  ')}
}`;
}

interface Operand {
  t: GpuTensor;
  /** Strides of the matrix rows and columns, and of the batch dimensions (aligned with `batch`). */
  rs: number;
  cs: number;
  batchStrides: number[];
}

interface Product {
  op: string;
  a: Operand;
  b: Operand;
  M: number;
  N: number;
  K: number;
  batch: number[];
  out: GpuTensor;
  alpha?: number;
  c?: { t: GpuTensor; rs: number; cs: number; beta: number };
  za?: { t: GpuTensor; step: number };
  zb?: { t: GpuTensor; step: number };
  tile?: MatmulTile;
}

/** Drop size-1 batch dimensions and merge neighbours both operands step through contiguously. */
function mergeBatch(batch: readonly number[], as: readonly number[], bs: readonly number[]): [number[], number[], number[]] {
  const dims: number[] = [],
    sa: number[] = [],
    sb: number[] = [];
  batch.forEach((d, i) => {
    if (d === 1) return;
    const last = dims.length - 1;
    if (last >= 0 && sa[last] === as[i]! * d && sb[last] === bs[i]! * d) {
      dims[last]! *= d;
      sa[last] = as[i]!;
      sb[last] = bs[i]!;
    } else {
      dims.push(d);
      sa.push(as[i]!);
      sb.push(bs[i]!);
    }
  });
  return [dims, sa, sb];
}

/** Record the product described by `p` (one dispatch). */
export function recordProduct(gpu: Gpu, p: Product): void {
  const { M, N, K, out } = p;
  const nBatch = sizeOf(p.batch);
  if (nBatch === 0 || M === 0 || N === 0) return;
  const tile = p.tile ?? tileFor(M);
  const BM = tile.wy * tile.tm,
    BN = tile.wx * tile.tn;
  const [dims, sa, sb] = mergeBatch(p.batch, p.a.batchStrides, p.b.batchStrides);
  if (dims.length > MAX_BATCH_RANK) throw new Error(`${p.op}: more than ${MAX_BATCH_RANK} batch dimensions that cannot be merged`);
  const tilesM = Math.ceil(M / BM),
    tilesN = Math.ceil(N / BN);
  const total = tilesM * tilesN * nBatch;
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  // Workgroups are numbered x-fastest; more than one dimension holds fold into y.
  const y = Math.ceil(total / maxDim),
    x = Math.ceil(total / y);
  if (y > maxDim) throw new Error(`${p.op}: ${total} workgroups exceed the dispatch limit`);
  const flags =
    (p.a.cs === 1 || M === 1 ? A_K_FAST : 0) |
    (p.b.rs === 1 && p.b.cs !== 1 && N !== 1 ? B_K_FAST : 0) |
    (p.c ? HAS_C : 0) |
    (p.za ? HAS_ZA : 0) |
    (p.zb ? HAS_ZB : 0);
  const params: Param[] = [
    M,
    N,
    K,
    p.a.rs,
    p.a.cs,
    p.b.rs,
    p.b.cs,
    tilesN,
    tilesM,
    total,
    { f32: p.alpha ?? 1 },
    { f32: p.c?.beta ?? 0 },
    p.c?.rs ?? 0,
    p.c?.cs ?? 0,
    flags,
    p.za?.step ?? 0,
    p.zb?.step ?? 0,
    dims.length,
    ...dims,
    ...sa,
    ...sb,
  ];
  const t = wgslType(out.dtype);
  // Absent optional inputs are bound to A or B (their values are never used).
  const inputs = t === 'f32' ? [p.a.t, p.b.t, p.c?.t ?? p.a.t] : [p.a.t, p.b.t, p.za?.t ?? p.a.t, p.zb?.t ?? p.b.t];
  gpu.dispatch({ code: matmulShader(t, tile), inputs, outputs: [out], params, workgroups: [x, y] });
}

/** numpy matmul of a and b, shapes and messages as batchedMatmul says. */
function batchedProduct(
  gpu: Gpu,
  op: string,
  a: GpuTensor,
  b: GpuTensor,
  outDtype: DType,
  extra: Pick<Product, 'za' | 'zb' | 'tile'> = {},
): GpuTensor {
  const { M, N, K, batch, aBatchStrides, bBatchStrides, shape } = batchedMatmul(op, a, b);
  const out = gpu.alloc(outDtype, shape);
  recordProduct(gpu, {
    op,
    a: { t: a, rs: K, cs: 1, batchStrides: aBatchStrides },
    b: { t: b, rs: N, cs: 1, batchStrides: bBatchStrides },
    M,
    N,
    K,
    batch,
    out,
    ...extra,
  });
  return out;
}

/** Registers the WebGPU kernels of matmul.ts (called once, by the folder's index). */
export function registerWebGpuMatmul(): void {
  registerWebGpuKernel('MatMul', (gpu, inputs) => {
    if (inputs.length !== 2 || !inputs[0] || !inputs[1]) throw new Error(`MatMul: expects 2 inputs, got ${inputs.length}`);
    const [a, b] = inputs as [GpuTensor, GpuTensor];
    checkMatMulDtypes(a, b);
    return [batchedProduct(gpu, 'MatMul', a, b, a.dtype)];
  });
  registerWebGpuKernel('Gemm', (gpu, inputs, attrs: Attrs) => {
    checkInputs('Gemm', inputs, 2, 3);
    const a = inputs[0]!,
      b = inputs[1]!,
      c = inputs[2] ?? undefined;
    const g = gemmGeometry(a, b, c, attrs);
    const { M, N, K } = g;
    const out = gpu.alloc('float32', [M, N]);
    recordProduct(gpu, {
      op: 'Gemm',
      a: { t: a, ...g.a, batchStrides: [] },
      b: { t: b, ...g.b, batchStrides: [] },
      M,
      N,
      K,
      batch: [],
      out,
      alpha: g.alpha,
      c: c && g.c ? { t: c, ...g.c, beta: g.beta } : undefined,
    });
    return [out];
  });
  registerWebGpuKernel('MatMulInteger', (gpu, inputs) => {
    checkInputs('MatMulInteger', inputs, 2, 4);
    const a = inputs[0]!,
      b = inputs[1]!;
    const az = inputs[2] ?? undefined,
      bz = inputs[3] ?? undefined;
    const { aStep, bStep } = matMulIntegerZeroPoints(a, b, az, bz);
    const za = az && aStep !== undefined ? { t: az, step: aStep } : undefined;
    const zb = bz && bStep !== undefined ? { t: bz, step: bStep } : undefined;
    return [batchedProduct(gpu, 'MatMulInteger', a, b, 'int32', { za, zb })];
  });
}
