import { registerCpuKernel } from '../../registry.ts';
import { sizeOf, stridesOf, tensor } from '../../../../tensor.ts';
import { sliceGradBounds } from '../../../slice-bounds.ts';

/** Registers the CPU kernels of slice.ts (called once, by the folder's index). */
export function registerCpuGradSlice(): void {
  /**
   * SliceGrad(dy; inputShape, starts, ends, axes, steps): zeros(inputShape) with dy written
   * where Slice read (bounds resolved exactly as Slice resolves them).
   */
  registerCpuKernel('SliceGrad', ([dy], attrs) => {
    const op = 'SliceGrad';
    if (!dy) throw new Error(`${op}: expects input dy`);
    const { inputShape, bounds: b } = sliceGradBounds(dy, attrs);
    const out = tensor('float32', inputShape);
    const n = sizeOf(b.shape);
    if (n === 0) return [out];
    const rank = inputShape.length;
    const inStrides = stridesOf(inputShape);
    // Input offset of output element 0 and per-axis input stride per output step.
    let base = 0;
    const step = new Array<number>(rank);
    for (let d = 0; d < rank; d++) {
      base += b.starts[d]! * inStrides[d]!;
      step[d] = b.steps[d]! * inStrides[d]!;
    }
    const idx = new Array<number>(rank).fill(0);
    const O = out.data,
      D = dy.data;
    let off = base;
    for (let k = 0; k < n; k++) {
      O[off] = D[k]!;
      // Increment the multi-index (last axis fastest) and the input offset with it.
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d]! < b.shape[d]!) {
          off += step[d]!;
          break;
        }
        off -= step[d]! * (b.shape[d]! - 1);
        idx[d] = 0;
      }
    }
    return [out];
  });
}
