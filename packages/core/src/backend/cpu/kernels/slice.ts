// Slice with ONNX semantics (negative and out-of-range bounds clamp as ONNX does,
// negative steps, axes/steps optional); the bounds come from resolveSliceBounds, the
// resolution SliceGrad shares.
import { sizeOf, tensor } from '../../../tensor.ts';
import { checkInputs } from '../../attrs.ts';
import { sliceView } from '../../slice-bounds.ts';
import { registerCpuKernel } from '../registry.ts';
import { newStorage, stridedCopy } from './util.ts';

/** Registers the CPU kernels of slice.ts (called once, by the folder's index). */
export function registerCpuSlice(): void {
  registerCpuKernel('Slice', (inputs, attrs) => {
    checkInputs('Slice', inputs, 1);
    const x = inputs[0]!;
    const { shape, offset, strides } = sliceView(x.shape, attrs);
    const out = newStorage(x.dtype, sizeOf(shape));
    stridedCopy(x.data, offset, strides, shape, out);
    return [tensor(x.dtype, shape, out)];
  });
}
