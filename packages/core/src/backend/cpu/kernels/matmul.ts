// MatMul, Gemm and MatMulInteger on one strided matrix-product helper. Products are
// accumulated in float64 (exact for float32 operands, and for the integer sums of
// MatMulInteger) and rounded once on store.
import {
  type HostTensor,
  type TensorData,
  broadcastStrides,
  sizeOf,
  tensor,
} from '../../../tensor.ts';
import { registerCpuKernel } from '../registry.ts';
import { checkInputs, expectFloat, expectInteger, expectSameDtype, fmt, intAttr, newStorage, numAttr, optionalInput } from './util.ts';

/** A strided view of an M×N (or broadcast) matrix: element (i, j) is data[off + i·rs + j·cs]. */
export interface MatrixView {
  data: ArrayLike<number>;
  off: number;
  rs: number;
  cs: number;
}

/**
 * out[outOff + i·N + j] = alpha · Σ_k A(i,k)·B(k,j) + beta · C(i,j)   (C optional)
 * for strided A (M×K) and B (K×N); the output block is contiguous row-major.
 * Loop order i-k-j over a float64 row accumulator, or i-j-k dot products when B is
 * stored transposed (its k stride is 1 and its j stride is not); both unrolled by four.
 * `acc` is scratch space of at least N float64s.
 */
export function matmulInto(
  M: number,
  N: number,
  K: number,
  A: MatrixView,
  B: MatrixView,
  out: TensorData,
  outOff: number,
  alpha = 1,
  C?: MatrixView,
  beta = 1,
  acc: Float64Array = new Float64Array(N),
): void {
  const a = A.data, b = B.data;
  const aRs = A.rs, aCs = A.cs, bRs = B.rs, bCs = B.cs;
  const transposedB = bRs === 1 && bCs !== 1;
  for (let i = 0; i < M; i++) {
    const aRow = A.off + i * aRs;
    if (transposedB) {
      // Dot products, four columns of B at a time so each A element is read once per four.
      let j = 0;
      for (; j + 4 <= N; j += 4) {
        const c0 = B.off + j * bCs, c1 = c0 + bCs, c2 = c1 + bCs, c3 = c2 + bCs;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let k = 0; k < K; k++) {
          const av = a[aRow + k * aCs]!;
          s0 += av * b[c0 + k]!;
          s1 += av * b[c1 + k]!;
          s2 += av * b[c2 + k]!;
          s3 += av * b[c3 + k]!;
        }
        acc[j] = s0;
        acc[j + 1] = s1;
        acc[j + 2] = s2;
        acc[j + 3] = s3;
      }
      for (; j < N; j++) {
        const c0 = B.off + j * bCs;
        let s0 = 0;
        for (let k = 0; k < K; k++) s0 += a[aRow + k * aCs]! * b[c0 + k]!;
        acc[j] = s0;
      }
    } else {
      // Rows of B scaled by A(i, k), four k at a time to cut accumulator traffic.
      acc.fill(0, 0, N);
      let k = 0;
      for (; k + 4 <= K; k += 4) {
        const a0 = a[aRow + k * aCs]!, a1 = a[aRow + (k + 1) * aCs]!;
        const a2 = a[aRow + (k + 2) * aCs]!, a3 = a[aRow + (k + 3) * aCs]!;
        const r0 = B.off + k * bRs, r1 = r0 + bRs, r2 = r1 + bRs, r3 = r2 + bRs;
        if (bCs === 1) {
          for (let j = 0; j < N; j++) acc[j] += a0 * b[r0 + j]! + a1 * b[r1 + j]! + a2 * b[r2 + j]! + a3 * b[r3 + j]!;
        } else {
          for (let j = 0; j < N; j++) {
            const o = j * bCs;
            acc[j] += a0 * b[r0 + o]! + a1 * b[r1 + o]! + a2 * b[r2 + o]! + a3 * b[r3 + o]!;
          }
        }
      }
      for (; k < K; k++) {
        const av = a[aRow + k * aCs]!;
        const r = B.off + k * bRs;
        for (let j = 0; j < N; j++) acc[j] += av * b[r + j * bCs]!;
      }
    }
    const o = outOff + i * N;
    if (C) {
      const c = C.data;
      const cRow = C.off + i * C.rs;
      for (let j = 0; j < N; j++) out[o + j] = alpha * acc[j]! + beta * c[cRow + j * C.cs]!;
    } else if (alpha === 1) {
      for (let j = 0; j < N; j++) out[o + j] = acc[j]!;
    } else {
      for (let j = 0; j < N; j++) out[o + j] = alpha * acc[j]!;
    }
  }
}

/**
 * numpy matmul of a and b (data given separately so MatMulInteger can pass shifted
 * copies): 1-D operands are promoted ([K] → [1, K] on the left, [K, 1] on the right) and
 * the promoted dimension dropped from the result; batch dimensions broadcast.
 */
function batchedMatmul(
  op: string,
  a: HostTensor,
  aData: ArrayLike<number>,
  b: HostTensor,
  bData: ArrayLike<number>,
  out: (shape: number[]) => TensorData,
): { shape: number[]; data: TensorData } {
  if (a.shape.length === 0 || b.shape.length === 0) {
    throw new Error(`${op}: operands must have rank >= 1 (${fmt(a.shape)} x ${fmt(b.shape)})`);
  }
  const aShape = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bShape = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const M = aShape[aShape.length - 2]!, K = aShape[aShape.length - 1]!;
  const K2 = bShape[bShape.length - 2]!, N = bShape[bShape.length - 1]!;
  if (K !== K2) throw new Error(`${op}: inner dimensions ${K} and ${K2} differ (${fmt(a.shape)} x ${fmt(b.shape)})`);
  const aBatch = aShape.slice(0, -2), bBatch = bShape.slice(0, -2);
  const rb = Math.max(aBatch.length, bBatch.length);
  const batch: number[] = [];
  for (let i = 0; i < rb; i++) {
    const da = aBatch[aBatch.length - rb + i] ?? 1, db = bBatch[bBatch.length - rb + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: batch dimensions do not broadcast (${fmt(a.shape)} x ${fmt(b.shape)})`);
    }
    batch.push(da === 1 ? db : da);
  }
  const shape = [...batch];
  if (a.shape.length > 1) shape.push(M);
  if (b.shape.length > 1) shape.push(N);
  const data = out(shape);
  const nBatch = sizeOf(batch);
  if (nBatch === 0 || M === 0 || N === 0) return { shape, data };
  const as = broadcastStrides(aBatch, batch).map((s) => s * M * K);
  const bs = broadcastStrides(bBatch, batch).map((s) => s * K * N);
  const A: MatrixView = { data: aData, off: 0, rs: K, cs: 1 };
  const B: MatrixView = { data: bData, off: 0, rs: N, cs: 1 };
  const acc = new Float64Array(N);
  const idx = new Array<number>(rb).fill(0);
  for (let t = 0; t < nBatch; t++) {
    matmulInto(M, N, K, A, B, data, t * M * N, 1, undefined, 1, acc);
    for (let d = rb - 1; d >= 0; d--) {
      A.off += as[d]!;
      B.off += bs[d]!;
      if (++idx[d]! < batch[d]!) break;
      A.off -= as[d]! * batch[d]!;
      B.off -= bs[d]! * batch[d]!;
      idx[d] = 0;
    }
  }
  return { shape, data };
}

registerCpuKernel('MatMul', (inputs) => {
  checkInputs('MatMul', inputs, 2);
  const a = inputs[0]!, b = inputs[1]!;
  expectSameDtype('MatMul', a, b);
  if (a.dtype === 'bool') throw new Error(`MatMul: bool operands (${fmt(a.shape)} x ${fmt(b.shape)})`);
  const { shape, data } = batchedMatmul('MatMul', a, a.data, b, b.data, (s) => newStorage(a.dtype, sizeOf(s)));
  return [tensor(a.dtype, shape, data)];
});

registerCpuKernel('Gemm', (inputs, attrs) => {
  checkInputs('Gemm', inputs, 2, 3);
  const a = inputs[0]!, b = inputs[1]!, c = optionalInput(inputs, 2);
  expectFloat('Gemm', a, 'A');
  expectFloat('Gemm', b, 'B');
  const alpha = numAttr('Gemm', attrs, 'alpha', 1);
  const beta = numAttr('Gemm', attrs, 'beta', 1);
  const transA = intAttr('Gemm', attrs, 'transA', 0) !== 0;
  const transB = intAttr('Gemm', attrs, 'transB', 0) !== 0;
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new Error(`Gemm: A and B must be 2-D, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  const [a0, a1] = a.shape as [number, number];
  const [b0, b1] = b.shape as [number, number];
  const M = transA ? a1 : a0, K = transA ? a0 : a1;
  const K2 = transB ? b1 : b0, N = transB ? b0 : b1;
  if (K !== K2) {
    throw new Error(`Gemm: inner dimensions ${K} and ${K2} differ (${fmt(a.shape)} x ${fmt(b.shape)}, transA=${+transA}, transB=${+transB})`);
  }
  const A: MatrixView = { data: a.data, off: 0, rs: transA ? 1 : K, cs: transA ? M : 1 };
  const B: MatrixView = { data: b.data, off: 0, rs: transB ? 1 : N, cs: transB ? K : 1 };
  let C: MatrixView | undefined;
  if (c && beta !== 0) {
    expectFloat('Gemm', c, 'C');
    const cs = c.shape;
    const fits = cs.length <= 2 && cs.every((d, i) => d === 1 || d === [M, N][2 - cs.length + i]);
    if (!fits) throw new Error(`Gemm: C ${fmt(cs)} does not broadcast to [${M}, ${N}] (A ${fmt(a.shape)}, B ${fmt(b.shape)})`);
    const [rs, colS] = broadcastStrides(cs, [M, N]) as [number, number];
    C = { data: c.data, off: 0, rs, cs: colS };
  }
  const out = new Float32Array(M * N);
  matmulInto(M, N, K, A, B, out, 0, alpha, C, beta);
  return [tensor('float32', [M, N], out)];
});

/** x − zeroPoint as float32 (exact for 8-bit values), the zero point chosen per element by `pick`. */
function shifted(x: HostTensor, zp: HostTensor | undefined, count: number, pick: (i: number) => number): ArrayLike<number> {
  if (!zp) return x.data;
  const z = zp.data;
  const out = new Float32Array(x.data.length);
  if (count === 1) {
    const z0 = z[0]!;
    for (let i = 0; i < out.length; i++) out[i] = x.data[i]! - z0;
  } else {
    for (let i = 0; i < out.length; i++) out[i] = x.data[i]! - z[pick(i)]!;
  }
  return out;
}

registerCpuKernel('MatMulInteger', (inputs) => {
  checkInputs('MatMulInteger', inputs, 2, 4);
  const a = inputs[0]!, b = inputs[1]!;
  const az = optionalInput(inputs, 2), bz = optionalInput(inputs, 3);
  expectInteger('MatMulInteger', a, 'A');
  expectInteger('MatMulInteger', b, 'B');
  const M = a.shape.length >= 2 ? a.shape[a.shape.length - 2]! : 1;
  const K = a.shape[a.shape.length - 1] ?? 0;
  const N = b.shape.length >= 2 ? b.shape[b.shape.length - 1]! : 1;
  const zpCount = (z: HostTensor | undefined, rows: number, what: string): number => {
    if (!z) return 1;
    expectInteger('MatMulInteger', z, what);
    const n = z.data.length;
    if (n === 1 && z.shape.length <= 1) return 1;
    if (z.shape.length === 1 && n === rows) return n;
    throw new Error(`MatMulInteger: ${what} ${fmt(z.shape)} must be a scalar or have ${rows} elements (A ${fmt(a.shape)}, B ${fmt(b.shape)})`);
  };
  const na = zpCount(az, M, 'A zero point');
  const nb = zpCount(bz, N, 'B zero point');
  const aData = shifted(a, az, na, (i) => Math.floor(i / K) % M);
  const bData = shifted(b, bz, nb, (i) => i % N);
  const { shape, data } = batchedMatmul('MatMulInteger', a, aData, b, bData, (s) => new Int32Array(sizeOf(s)));
  return [tensor('int32', shape, data)];
});
