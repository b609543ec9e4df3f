// Slice with ONNX semantics (negative and out-of-range bounds clamp as ONNX does,
// negative steps, axes/steps optional); the bounds come from resolveSliceBounds, the
// resolution SliceGrad shares.
import { sizeOf, stridesOf, tensor } from '../../../tensor.ts';
import { resolveSliceBounds } from '../../slice-bounds.ts';
import { registerCpuKernel } from '../registry.ts';
import { checkInputs, fmt, newStorage, stridedCopy } from './util.ts';

registerCpuKernel('Slice', (inputs, attrs) => {
  checkInputs('Slice', inputs, 1);
  const x = inputs[0]!;
  if (attrs.starts === undefined || attrs.ends === undefined) {
    throw new Error(`Slice: attributes starts and ends are required (input ${fmt(x.shape)})`);
  }
  const { starts, steps, shape } = resolveSliceBounds(x.shape, attrs.starts, attrs.ends, attrs.axes, attrs.steps);
  const strides = stridesOf(x.shape);
  let offset = 0;
  for (let d = 0; d < strides.length; d++) offset += starts[d]! * strides[d]!;
  const out = newStorage(x.dtype, sizeOf(shape));
  stridedCopy(x.data, offset, strides.map((s, d) => s * steps[d]!), shape, out);
  return [tensor(x.dtype, shape, out)];
});
