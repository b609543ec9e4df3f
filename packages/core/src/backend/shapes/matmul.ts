// Shapes and checks of MatMul, Gemm and MatMulInteger, shared by every backend.
import type { Attrs, Tensor } from '../backend.ts';
import { broadcastStrides, sizeOf } from '../../tensor.ts';
import { expectFloat, expectInteger, expectSameDtype, fmt, intAttr, numAttr } from '../attrs.ts';

/** Strides of a matrix operand's rows and columns. */
export interface MatrixStrides {
  rs: number;
  cs: number;
}

export interface BatchedMatmul {
  M: number;
  N: number;
  K: number;
  /** The broadcast batch dimensions, and each operand's strides along them. */
  batch: number[];
  aBatchStrides: number[];
  bBatchStrides: number[];
  /** The output shape. */
  shape: number[];
}

/** MatMul's operands: same dtype, not bool. */
export function checkMatMulDtypes(a: Tensor, b: Tensor): void {
  expectSameDtype('MatMul', a, b);
  if (a.dtype === 'bool') throw new Error(`MatMul: bool operands (${fmt(a.shape)} x ${fmt(b.shape)})`);
}

/**
 * numpy matmul of a and b: 1-D operands are promoted ([K] → [1, K] on the left, [K, 1] on
 * the right) and the promoted dimension dropped from the result; batch dimensions broadcast.
 */
export function batchedMatmul(op: string, a: Tensor, b: Tensor): BatchedMatmul {
  if (a.shape.length === 0 || b.shape.length === 0) {
    throw new Error(`${op}: operands must have rank >= 1 (${fmt(a.shape)} x ${fmt(b.shape)})`);
  }
  const aShape = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bShape = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const M = aShape[aShape.length - 2]!,
    K = aShape[aShape.length - 1]!;
  const K2 = bShape[bShape.length - 2]!,
    N = bShape[bShape.length - 1]!;
  if (K !== K2) throw new Error(`${op}: inner dimensions ${K} and ${K2} differ (${fmt(a.shape)} x ${fmt(b.shape)})`);
  const aBatch = aShape.slice(0, -2),
    bBatch = bShape.slice(0, -2);
  const rb = Math.max(aBatch.length, bBatch.length);
  const batch: number[] = [];
  for (let i = 0; i < rb; i++) {
    const da = aBatch[aBatch.length - rb + i] ?? 1,
      db = bBatch[bBatch.length - rb + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: batch dimensions do not broadcast (${fmt(a.shape)} x ${fmt(b.shape)})`);
    }
    batch.push(da === 1 ? db : da);
  }
  const shape = [...batch];
  if (a.shape.length > 1) shape.push(M);
  if (b.shape.length > 1) shape.push(N);
  const aBatchStrides = broadcastStrides(aBatch, batch).map((s) => s * M * K);
  const bBatchStrides = broadcastStrides(bBatch, batch).map((s) => s * K * N);
  return { M, N, K, batch, aBatchStrides, bBatchStrides, shape };
}

export interface GemmGeometry {
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  a: MatrixStrides;
  b: MatrixStrides;
  /** C's strides over [M, N]; absent when there is no C or beta is 0 (C is then neither read nor checked). */
  c?: MatrixStrides;
}

/** Gemm's attributes, checks and strides (A and B transposed by their strides). */
export function gemmGeometry(a: Tensor, b: Tensor, c: Tensor | undefined, attrs: Attrs): GemmGeometry {
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
  const M = transA ? a1 : a0,
    K = transA ? a0 : a1;
  const K2 = transB ? b1 : b0,
    N = transB ? b0 : b1;
  if (K !== K2) {
    throw new Error(
      `Gemm: inner dimensions ${K} and ${K2} differ (${fmt(a.shape)} x ${fmt(b.shape)}, transA=${+transA}, transB=${+transB})`,
    );
  }
  const g: GemmGeometry = {
    M,
    N,
    K,
    alpha,
    beta,
    a: { rs: transA ? 1 : K, cs: transA ? M : 1 },
    b: { rs: transB ? 1 : N, cs: transB ? K : 1 },
  };
  if (c && beta !== 0) {
    expectFloat('Gemm', c, 'C');
    const cs = c.shape;
    const fits = cs.length <= 2 && cs.every((d, i) => d === 1 || d === [M, N][2 - cs.length + i]);
    if (!fits) throw new Error(`Gemm: C ${fmt(cs)} does not broadcast to [${M}, ${N}] (A ${fmt(a.shape)}, B ${fmt(b.shape)})`);
    const [rs, colS] = broadcastStrides(cs, [M, N]) as [number, number];
    g.c = { rs, cs: colS };
  }
  return g;
}

/**
 * MatMulInteger's dtype checks; the rows M of A and columns N of B (1 for a 1-D operand),
 * and each zero point's step per row of A / column of B: 0 for a scalar, 1 for one per
 * row/column, undefined when absent.
 */
export function matMulIntegerZeroPoints(
  a: Tensor,
  b: Tensor,
  az: Tensor | undefined,
  bz: Tensor | undefined,
): { M: number; N: number; aStep?: 0 | 1; bStep?: 0 | 1 } {
  expectInteger('MatMulInteger', a, 'A');
  expectInteger('MatMulInteger', b, 'B');
  const M = a.shape.length >= 2 ? a.shape[a.shape.length - 2]! : 1;
  const N = b.shape.length >= 2 ? b.shape[b.shape.length - 1]! : 1;
  const step = (z: Tensor | undefined, rows: number, what: string): 0 | 1 | undefined => {
    if (!z) return undefined;
    expectInteger('MatMulInteger', z, what);
    const n = sizeOf(z.shape);
    if (n === 1 && z.shape.length <= 1) return 0;
    if (z.shape.length === 1 && n === rows) return 1;
    throw new Error(
      `MatMulInteger: ${what} ${fmt(z.shape)} must be a scalar or have ${rows} elements (A ${fmt(a.shape)}, B ${fmt(b.shape)})`,
    );
  };
  return { M, N, aStep: step(az, M, 'A zero point'), bStep: step(bz, N, 'B zero point') };
}
