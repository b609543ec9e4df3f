// Shapes and checks of ReduceSum, ReduceMean and ReduceMax, shared by every backend.
import type { Attrs, Tensor } from '../backend.ts';
import { normalizeAxis } from '../../tensor.ts';
import { fmt, intAttr, intsAttr } from '../attrs.ts';

export interface ReduceGeometry {
  /** noop_with_empty_axes with no axes: nothing is reduced (the output is x). */
  noop: boolean;
  /** Per dimension of x: whether it is reduced. */
  reduced: boolean[];
  /** x's shape with reduced dimensions set to 1, and the output shape (keepdims as ONNX). */
  keptShape: number[];
  outShape: number[];
}

/** Which axes a reduction reduces (`axes` empty or absent: all, unless noop_with_empty_axes). */
export function reduceGeometry(op: string, x: Tensor, attrs: Attrs): ReduceGeometry {
  if (x.dtype === 'bool') throw new Error(`${op}: bool input ${fmt(x.shape)}`);
  const r = x.shape.length;
  const keepdims = intAttr(op, attrs, 'keepdims', 1) !== 0;
  let axes = intsAttr(op, attrs, 'axes', []);
  const noop = axes.length === 0 && intAttr(op, attrs, 'noop_with_empty_axes', 0) !== 0;
  if (axes.length === 0 && !noop) axes = x.shape.map((_, i) => i);
  const reduced = new Array<boolean>(r).fill(false);
  for (const a of axes) {
    const n = normalizeAxis(a, r);
    if (n < 0 || n >= r) throw new Error(`${op}: axis ${a} out of range for shape ${fmt(x.shape)}`);
    if (reduced[n]) throw new Error(`${op}: axis ${a} repeated in axes [${axes.join(', ')}] for shape ${fmt(x.shape)}`);
    reduced[n] = true;
  }
  const keptShape = x.shape.map((d, i) => (reduced[i] ? 1 : d));
  const outShape = keepdims ? keptShape : x.shape.filter((_, i) => !reduced[i]);
  return { noop, reduced, keptShape, outShape };
}
