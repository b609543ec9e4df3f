import type { AttrValue, Tensor } from '../backend/backend.ts';
import type { Ops } from '../backend/ops.ts';
import { isFloat } from '../tensor.ts';

/** Helpers shared by the VJPs. Everything here works on shapes/dtypes only, never data. */

/** A list-valued attribute as numbers (a number, number[], or a host tensor's values). */
export function ints(v: AttrValue): number[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return [v];
  if (typeof v === 'boolean') return [v ? 1 : 0];
  if (Array.isArray(v)) return v.map(Number);
  if (typeof v === 'object' && 'data' in v) return Array.from(v.data);
  throw new Error(`gradient: expected a numeric attribute, got ${JSON.stringify(v)}`);
}

/** A numeric attribute, `fallback` when absent. */
export function num(v: AttrValue, fallback: number): number {
  const xs = ints(v);
  if (xs === undefined) return fallback;
  if (xs.length !== 1) throw new Error(`gradient: expected one number, got ${JSON.stringify(v)}`);
  return xs[0]!;
}

export const normAxis = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** `t` as float32 (a no-op when it already is). */
export const asFloat = (ops: Ops, t: Tensor): Tensor => (isFloat(t.dtype) ? t : ops.cast(t, 'float32'));

/** The tensor `t` of shape `[]`, `[1]`, or `[n]` reshaped to broadcast along `axis` of a rank-`rank` tensor. */
export function alongAxis(ops: Ops, t: Tensor, axis: number, rank: number): Tensor {
  if (t.shape.length !== 1 || t.shape[0] === 1) return t;
  const shape = new Array<number>(rank).fill(1);
  shape[axis] = t.shape[0]!;
  return ops.reshape(t, shape);
}

/** `cond ? g : 0`, broadcasting the scalar zero. */
export const maskWhere = (ops: Ops, cond: Tensor, g: Tensor): Tensor => ops.where(cond, g, ops.scalar(0));

/** Swap the last two axes. */
export function swapLast(ops: Ops, t: Tensor): Tensor {
  const r = t.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return ops.transpose(t, perm);
}

/** Multiply by a host constant, skipping the multiply when it is 1. */
export const scale = (ops: Ops, t: Tensor, k: number): Tensor => (k === 1 ? t : ops.mul(t, ops.scalar(k)));
