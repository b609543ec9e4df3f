import { registerCpuKernel } from '../../registry.ts';
import { formatShape, sizeOf, tensor } from '../../../../tensor.ts';
import { gatherGradGeometry } from '../../../shapes/gather.ts';

/** Registers the CPU kernels of gather.ts (called once, by the folder's index). */
export function registerCpuGradGather(): void {
  /**
   * GatherGrad(dy, indices; axis, dataShape): zeros(dataShape) with dy scatter-added at
   * indices along axis (repeated indices accumulate; negative indices wrap).
   */
  registerCpuKernel('GatherGrad', ([dy, indices], attrs) => {
    const op = 'GatherGrad';
    if (!dy || !indices) throw new Error(`${op}: expects inputs dy, indices`);
    const { axis, outer, dim, inner, dataShape } = gatherGradGeometry(dy, indices, attrs);
    const nIdx = sizeOf(indices.shape);
    const acc = new Float64Array(sizeOf(dataShape));
    const D = dy.data,
      I = indices.data;
    for (let k = 0; k < nIdx; k++) {
      let idx = I[k]!;
      if (idx < 0) idx += dim;
      if (!(idx >= 0 && idx < dim)) {
        throw new Error(`${op}: index ${I[k]} out of range for axis ${axis} of ${formatShape(dataShape)}`);
      }
      for (let o = 0; o < outer; o++) {
        const src = (o * nIdx + k) * inner;
        const dst = (o * dim + idx) * inner;
        for (let i = 0; i < inner; i++) acc[dst + i] += D[src + i]!;
      }
    }
    return [tensor('float32', dataShape, Float32Array.from(acc))];
  });
}
