// Slice with ONNX semantics (negative and out-of-range bounds clamp as ONNX does,
// negative steps, axes/steps optional); the bounds come from resolveSliceBounds, the
// resolution SliceGrad shares.
import { sizeOf, stridesOf, tensor } from '../../../tensor.ts';
import type { Attrs } from '../../backend.ts';
import { type SliceBounds, resolveSliceBounds } from '../../slice-bounds.ts';
import { registerCpuKernel } from '../registry.ts';
import { checkInputs, fmt, newStorage, stridedCopy } from './util.ts';

/** Slice's attributes resolved against an input shape: per-dimension starts and steps, and the output shape. */
export function resolveSlice(op: string, inShape: readonly number[], attrs: Attrs): SliceBounds {
  if (attrs.starts === undefined || attrs.ends === undefined) {
    throw new Error(`${op}: attributes starts and ends are required (input ${fmt(inShape)})`);
  }
  return resolveSliceBounds(inShape, attrs.starts, attrs.ends, attrs.axes, attrs.steps, op);
}

registerCpuKernel('Slice', (inputs, attrs) => {
  checkInputs('Slice', inputs, 1);
  const x = inputs[0]!;
  const { starts, steps, shape } = resolveSlice('Slice', x.shape, attrs);
  const strides = stridesOf(x.shape);
  let offset = 0;
  for (let d = 0; d < strides.length; d++) offset += starts[d]! * strides[d]!;
  const out = newStorage(x.dtype, sizeOf(shape));
  stridedCopy(x.data, offset, strides.map((s, d) => s * steps[d]!), shape, out);
  return [tensor(x.dtype, shape, out)];
});
