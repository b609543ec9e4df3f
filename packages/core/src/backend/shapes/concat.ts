// Shapes and checks of Concat and Split, shared by every backend.
import type { Attrs, Tensor } from '../backend.ts';
import { axisOf, fmt, intAttr, intsAttr, splitAround } from '../attrs.ts';

/** Concat's axis and output shape; inputs must agree in dtype, rank and every other dimension. */
export function concatGeometry(inputs: readonly Tensor[], attrs: Attrs): { axis: number; shape: number[] } {
  const first = inputs[0]!;
  const axis = axisOf('Concat', intAttr('Concat', attrs, 'axis'), first.shape);
  let total = 0;
  for (const t of inputs) {
    const fits =
      t.dtype === first.dtype && t.shape.length === first.shape.length && t.shape.every((d, i) => i === axis || d === first.shape[i]);
    if (!fits)
      throw new Error(`Concat: inputs do not fit along axis ${axis} (${inputs.map((t) => `${t.dtype} ${fmt(t.shape)}`).join(', ')})`);
    total += t.shape[axis]!;
  }
  const shape = [...first.shape];
  shape[axis] = total;
  return { axis, shape };
}

export interface SplitGeometry {
  axis: number;
  /** The sizes of the pieces along the axis, and their shapes. */
  split: number[];
  shapes: number[][];
  /** The outer × dim × inner split of x's shape around the axis. */
  outer: number;
  dim: number;
  inner: number;
}

/** Split's axis and piece sizes (`split`, or `num_outputs` pieces as opset 18 cuts them). */
export function splitGeometry(x: Tensor, attrs: Attrs): SplitGeometry {
  const axis = axisOf('Split', intAttr('Split', attrs, 'axis', 0), x.shape);
  const [outer, dim, inner] = splitAround(x.shape, axis);
  let split: number[];
  if (attrs.split !== undefined) {
    split = intsAttr('Split', attrs, 'split');
  } else {
    // No sizes: num_outputs pieces of ceil(dim / n), the last one smaller (opset 18).
    const n = intAttr('Split', attrs, 'num_outputs');
    const size = Math.ceil(dim / n);
    split = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(size, dim - i * size)));
  }
  if (split.some((s) => s < 0) || split.reduce((a, b) => a + b, 0) !== dim) {
    throw new Error(`Split: sizes [${split.join(', ')}] do not add up to dimension ${dim} of axis ${axis} of ${fmt(x.shape)}`);
  }
  const shapes = split.map((size) => {
    const shape = [...x.shape];
    shape[axis] = size;
    return shape;
  });
  return { axis, split, shapes, outer, dim, inner };
}
