// MatMul, Gemm and MatMulInteger on one strided matrix-product helper. Products are
// accumulated in float64 (exact for float32 operands, and for the integer sums of
// MatMulInteger) and rounded once on store.
import { type HostTensor, type TensorData, sizeOf, tensor } from '../../../tensor.ts';
import { checkInputs } from '../../attrs.ts';
import { batchedMatmul, checkMatMulDtypes, gemmGeometry, matMulIntegerZeroPoints } from '../../shapes/matmul.ts';
import { registerCpuKernel } from '../registry.ts';
import { newStorage, optionalInput } from './util.ts';

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
  const a = A.data,
    b = B.data;
  const aRs = A.rs,
    aCs = A.cs,
    bRs = B.rs,
    bCs = B.cs;
  const transposedB = bRs === 1 && bCs !== 1;
  for (let i = 0; i < M; i++) {
    const aRow = A.off + i * aRs;
    if (transposedB) {
      // Dot products, four columns of B at a time so each A element is read once per four.
      let j = 0;
      for (; j + 4 <= N; j += 4) {
        const c0 = B.off + j * bCs,
          c1 = c0 + bCs,
          c2 = c1 + bCs,
          c3 = c2 + bCs;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
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
        const a0 = a[aRow + k * aCs]!,
          a1 = a[aRow + (k + 1) * aCs]!;
        const a2 = a[aRow + (k + 2) * aCs]!,
          a3 = a[aRow + (k + 3) * aCs]!;
        const r0 = B.off + k * bRs,
          r1 = r0 + bRs,
          r2 = r1 + bRs,
          r3 = r2 + bRs;
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
 * copies), shapes as batchedMatmul says.
 */
function batchedProduct(
  op: string,
  a: HostTensor,
  aData: ArrayLike<number>,
  b: HostTensor,
  bData: ArrayLike<number>,
  out: (shape: number[]) => TensorData,
): { shape: number[]; data: TensorData } {
  const { M, N, K, batch, aBatchStrides: as, bBatchStrides: bs, shape } = batchedMatmul(op, a, b);
  const data = out(shape);
  const nBatch = sizeOf(batch);
  if (nBatch === 0 || M === 0 || N === 0) return { shape, data };
  const rb = batch.length;
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

/** x − zeroPoint as float32 (exact for 8-bit values), the zero point chosen per element by `pick` when `step` is 1. */
function shifted(x: HostTensor, zp: HostTensor | undefined, step: 0 | 1 | undefined, pick: (i: number) => number): ArrayLike<number> {
  if (!zp) return x.data;
  const z = zp.data;
  const out = new Float32Array(x.data.length);
  if (step === 0) {
    const z0 = z[0]!;
    for (let i = 0; i < out.length; i++) out[i] = x.data[i]! - z0;
  } else {
    for (let i = 0; i < out.length; i++) out[i] = x.data[i]! - z[pick(i)]!;
  }
  return out;
}

/** Registers the CPU kernels of matmul.ts (called once, by the folder's index). */
export function registerCpuMatmul(): void {
  registerCpuKernel('MatMul', (inputs) => {
    checkInputs('MatMul', inputs, 2);
    const a = inputs[0]!,
      b = inputs[1]!;
    checkMatMulDtypes(a, b);
    const { shape, data } = batchedProduct('MatMul', a, a.data, b, b.data, (s) => newStorage(a.dtype, sizeOf(s)));
    return [tensor(a.dtype, shape, data)];
  });
  registerCpuKernel('Gemm', (inputs, attrs) => {
    checkInputs('Gemm', inputs, 2, 3);
    const a = inputs[0]!,
      b = inputs[1]!,
      c = optionalInput(inputs, 2);
    const g = gemmGeometry(a, b, c, attrs);
    const { M, N, K } = g;
    const A: MatrixView = { data: a.data, off: 0, ...g.a };
    const B: MatrixView = { data: b.data, off: 0, ...g.b };
    const C: MatrixView | undefined = c && g.c ? { data: c.data, off: 0, ...g.c } : undefined;
    const out = new Float32Array(M * N);
    matmulInto(M, N, K, A, B, out, 0, g.alpha, C, g.beta);
    return [tensor('float32', [M, N], out)];
  });
  registerCpuKernel('MatMulInteger', (inputs) => {
    checkInputs('MatMulInteger', inputs, 2, 4);
    const a = inputs[0]!,
      b = inputs[1]!;
    const az = optionalInput(inputs, 2),
      bz = optionalInput(inputs, 3);
    const { M, N, aStep, bStep } = matMulIntegerZeroPoints(a, b, az, bz);
    const K = a.shape[a.shape.length - 1] ?? 0;
    const aData = shifted(a, az, aStep, (i) => Math.floor(i / K) % M);
    const bData = shifted(b, bz, bStep, (i) => i % N);
    const { shape, data } = batchedProduct('MatMulInteger', a, aData, b, bData, (s) => new Int32Array(sizeOf(s)));
    return [tensor('int32', shape, data)];
  });
}
