// Gather along any axis with indices of any rank; negative indices wrap.
import { sizeOf, tensor } from '../../../tensor.ts';
import { checkInputs } from '../../attrs.ts';
import { gatherGeometry } from '../../shapes/gather.ts';
import { registerCpuKernel } from '../registry.ts';
import { newStorage } from './util.ts';

/** Registers the CPU kernels of gather.ts (called once, by the folder's index). */
export function registerCpuGather(): void {
  registerCpuKernel('Gather', (inputs, attrs) => {
    checkInputs('Gather', inputs, 2);
    const data = inputs[0]!,
      indices = inputs[1]!;
    const { axis, outer, dim, inner, shape } = gatherGeometry(data, indices, attrs);
    const nIdx = indices.data.length;
    const idx = new Int32Array(nIdx);
    for (let p = 0; p < nIdx; p++) {
      const raw = indices.data[p]!;
      const i = raw < 0 ? raw + dim : raw;
      if (i < 0 || i >= dim) throw new Error(`Gather: index ${raw} out of range for axis ${axis} of size ${dim}`);
      idx[p] = i;
    }
    const out = newStorage(data.dtype, sizeOf(shape));
    const src = data.data;
    for (let o = 0; o < outer; o++) {
      const base = o * dim * inner;
      const dst = o * nIdx * inner;
      if (inner === 1) {
        for (let p = 0; p < nIdx; p++) out[dst + p] = src[base + idx[p]!]!;
      } else {
        for (let p = 0; p < nIdx; p++) {
          const from = base + idx[p]! * inner;
          out.set(src.subarray(from, from + inner), dst + p * inner);
        }
      }
    }
    return [tensor(data.dtype, shape, out)];
  });
}
