// Gather along any axis with indices of any rank; negative indices wrap.
import { sizeOf, tensor } from '../../../tensor.ts';
import { registerCpuKernel } from '../registry.ts';
import { axisOf, checkInputs, expectInteger, intAttr, newStorage, splitAround } from './util.ts';

registerCpuKernel('Gather', (inputs, attrs) => {
  checkInputs('Gather', inputs, 2);
  const data = inputs[0]!, indices = inputs[1]!;
  expectInteger('Gather', indices, 'indices');
  const axis = axisOf('Gather', intAttr('Gather', attrs, 'axis', 0), data.shape);
  const [outer, dim, inner] = splitAround(data.shape, axis);
  const nIdx = indices.data.length;
  const idx = new Int32Array(nIdx);
  for (let p = 0; p < nIdx; p++) {
    const raw = indices.data[p]!;
    const i = raw < 0 ? raw + dim : raw;
    if (i < 0 || i >= dim) throw new Error(`Gather: index ${raw} out of range for axis ${axis} of size ${dim}`);
    idx[p] = i;
  }
  const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
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
