/**
 * ONNX Slice bound resolution, shared by the Slice kernel and SliceGrad (and any backend
 * that needs to plan a slice). Pure arithmetic on the host: no tensor data is read.
 *
 * ONNX rules (opset 13), per sliced axis with dimension `dim` and step `s` (s ≠ 0):
 * - a negative start/end has `dim` added to it;
 * - s > 0: start and end clamp to [0, dim];
 * - s < 0: start clamps to [0, dim − 1] and end to [−1, dim − 1];
 * - the axis keeps max(0, ceil((end − start) / s)) elements: start, start + s, ...
 * Axes not listed keep start 0, step 1 and their full size. `axes` defaults to
 * [0, 1, ..., starts.length − 1] and may be negative; `steps` defaults to all ones.
 * Int64 sentinels (INT64_MAX / INT64_MIN, saturated to the int32 range on the host)
 * clamp like any other out-of-range bound.
 */
import type { Attrs, Tensor } from './backend.ts';
import { stridesOf } from '../tensor.ts';
import { expectFloat, expectShape, fmt, intsAttr } from './attrs.ts';

export interface SliceBounds {
  /** Per dimension of the input (full rank): the first index read. */
  readonly starts: number[];
  /** Per dimension of the input (full rank): the step between indices read. */
  readonly steps: number[];
  /** The output shape. */
  readonly shape: number[];
}

const toArray = (v: unknown, what: string, op: string): number[] | undefined => {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  if (v && typeof v === 'object' && 'data' in v && ArrayBuffer.isView((v as { data: unknown }).data)) {
    return Array.from((v as { data: ArrayLike<number> }).data);
  }
  throw new Error(`${op}: ${what} must be a list of numbers, got ${JSON.stringify(v)}`);
};

export function resolveSliceBounds(
  inputShape: readonly number[],
  startsIn: unknown,
  endsIn: unknown,
  axesIn?: unknown,
  stepsIn?: unknown,
  op = 'Slice',
): SliceBounds {
  const rank = inputShape.length;
  const starts = toArray(startsIn, 'starts', op) ?? [];
  const ends = toArray(endsIn, 'ends', op) ?? [];
  if (starts.length !== ends.length) {
    throw new Error(`${op}: starts (${starts.length}) and ends (${ends.length}) differ in length`);
  }
  const axes = toArray(axesIn, 'axes', op) ?? starts.map((_, i) => i);
  const steps = toArray(stepsIn, 'steps', op) ?? starts.map(() => 1);
  if (axes.length !== starts.length || steps.length !== starts.length) {
    throw new Error(
      `${op}: starts, ends, axes and steps must have the same length (${starts.length}, ${ends.length}, ${axes.length}, ${steps.length})`,
    );
  }
  const outStarts = inputShape.map(() => 0);
  const outSteps = inputShape.map(() => 1);
  const shape = [...inputShape];
  const seen = new Set<number>();
  for (let i = 0; i < starts.length; i++) {
    let axis = axes[i]!;
    if (axis < 0) axis += rank;
    if (!(axis >= 0 && axis < rank)) throw new Error(`${op}: axis ${axes[i]} out of range for rank ${rank}`);
    if (seen.has(axis)) throw new Error(`${op}: axis ${axis} repeated`);
    seen.add(axis);
    const dim = inputShape[axis]!;
    const step = steps[i]!;
    if (step === 0 || !Number.isFinite(step)) throw new Error(`${op}: step must be non-zero (axis ${axis})`);
    let start = starts[i]!;
    let end = ends[i]!;
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    if (step > 0) {
      start = Math.min(Math.max(start, 0), dim);
      end = Math.min(Math.max(end, 0), dim);
    } else {
      start = Math.min(Math.max(start, 0), dim - 1);
      end = Math.min(Math.max(end, -1), dim - 1);
    }
    const count = Math.max(0, Math.ceil((end - start) / step));
    // An empty axis reads nothing; start 0 keeps offsets computed from `starts` in range.
    outStarts[axis] = count > 0 ? start : 0;
    outSteps[axis] = step;
    shape[axis] = count;
  }
  return { starts: outStarts, steps: outSteps, shape };
}

/**
 * Slice of a row-major tensor of `shape` (attributes starts, ends, axes?, steps?) as a
 * strided read: output element idx reads offset + Σ_d idx_d · strides[d].
 */
export function sliceView(shape: readonly number[], attrs: Attrs): { shape: number[]; offset: number; strides: number[] } {
  if (attrs.starts === undefined || attrs.ends === undefined) {
    throw new Error(`Slice: attributes starts and ends are required (input ${fmt(shape)})`);
  }
  const b = resolveSliceBounds(shape, attrs.starts, attrs.ends, attrs.axes, attrs.steps);
  const strides = stridesOf(shape);
  let offset = 0;
  for (let d = 0; d < strides.length; d++) offset += b.starts[d]! * strides[d]!;
  return { shape: b.shape, offset, strides: strides.map((s, d) => s * b.steps[d]!) };
}

/** SliceGrad's checks (dy float32, of the slice's shape), its inputShape and the slice's bounds in it. */
export function sliceGradBounds(dy: Tensor, attrs: Attrs): { inputShape: number[]; bounds: SliceBounds } {
  const op = 'SliceGrad';
  expectFloat(op, dy, 'dy');
  const inputShape = intsAttr(op, attrs, 'inputShape');
  const bounds = resolveSliceBounds(inputShape, attrs.starts, attrs.ends, attrs.axes, attrs.steps, op);
  expectShape(op, dy, bounds.shape, 'dy');
  return { inputShape, bounds };
}
