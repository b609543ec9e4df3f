// Shapes and checks of Reshape, Expand, Transpose and Shape, shared by every backend.
import type { Attrs, Tensor } from '../backend.ts';
import { broadcastShapes, broadcastStrides, sizeOf, stridesOf } from '../../tensor.ts';
import { fmt, intAttr, intsAttr } from '../attrs.ts';

/** Reshape's output shape: resolved (no -1) and of x's size. */
export function reshapeShape(x: Tensor, attrs: Attrs): number[] {
  const shape = intsAttr('Reshape', attrs, 'shape');
  if (shape.some((d) => d < 0)) throw new Error(`Reshape: shape ${fmt(shape)} must be resolved (no -1) for input ${fmt(x.shape)}`);
  const n = sizeOf(x.shape);
  if (sizeOf(shape) !== n) throw new Error(`Reshape: cannot reshape ${fmt(x.shape)} (${n} elements) to ${fmt(shape)}`);
  return shape;
}

/** Expand's output shape, and x's strides seen through the broadcast to it. */
export function expandGeometry(x: Tensor, attrs: Attrs): { shape: number[]; strides: number[] } {
  const shape = broadcastShapes(x.shape, intsAttr('Expand', attrs, 'shape'), 'Expand');
  return { shape, strides: broadcastStrides(x.shape, shape) };
}

/** Transpose's perm (default: reversed axes), output shape, and x's strides read in output order. */
export function transposeGeometry(x: Tensor, attrs: Attrs): { perm: number[]; shape: number[]; strides: number[] } {
  const r = x.shape.length;
  const perm = intsAttr(
    'Transpose',
    attrs,
    'perm',
    x.shape.map((_, i) => r - 1 - i),
  );
  const seen = new Set(perm);
  if (perm.length !== r || seen.size !== r || perm.some((p) => p < 0 || p >= r)) {
    throw new Error(`Transpose: perm [${perm.join(', ')}] is not a permutation of the axes of ${fmt(x.shape)}`);
  }
  const inStrides = stridesOf(x.shape);
  return { perm, shape: perm.map((p) => x.shape[p]!), strides: perm.map((p) => inStrides[p]!) };
}

/** Shape's output values: x's dimensions start..end (clamped, negative from the end). */
export function shapeDims(x: Tensor, attrs: Attrs): number[] {
  const r = x.shape.length;
  const clamp = (v: number) => Math.max(0, Math.min(r, v < 0 ? v + r : v));
  const start = clamp(intAttr('Shape', attrs, 'start', 0));
  const end = clamp(intAttr('Shape', attrs, 'end', r));
  return x.shape.slice(start, Math.max(start, end));
}
