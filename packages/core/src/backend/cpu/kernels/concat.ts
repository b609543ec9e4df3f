// Concat and Split along one axis, copying contiguous blocks.
import { tensor } from '../../../tensor.ts';
import { checkInputs, prod } from '../../attrs.ts';
import { concatGeometry, splitGeometry } from '../../shapes/concat.ts';
import { registerCpuKernel } from '../registry.ts';
import { newStorage } from './util.ts';

/** Registers the CPU kernels of concat.ts (called once, by the folder's index). */
export function registerCpuConcat(): void {
  registerCpuKernel('Concat', (inputs, attrs) => {
    checkInputs('Concat', inputs, 1, Infinity);
    const first = inputs[0]!;
    const { axis, shape } = concatGeometry(inputs, attrs);
    if (inputs.length === 1) return [first];
    const total = shape[axis]!;
    const outer = prod(shape, 0, axis);
    const inner = prod(shape, axis + 1);
    const out = newStorage(first.dtype, outer * total * inner);
    let pos = 0;
    for (let o = 0; o < outer; o++) {
      for (const t of inputs) {
        const block = t.shape[axis]! * inner;
        out.set(t.data.subarray(o * block, (o + 1) * block), pos);
        pos += block;
      }
    }
    return [tensor(first.dtype, shape, out)];
  });
  registerCpuKernel('Split', (inputs, attrs) => {
    checkInputs('Split', inputs, 1);
    const x = inputs[0]!;
    const { split, shapes, outer, dim, inner } = splitGeometry(x, attrs);
    const row = dim * inner;
    let at = 0;
    return shapes.map((shape, i) => {
      const block = split[i]! * inner;
      const out = newStorage(x.dtype, outer * block);
      for (let o = 0; o < outer; o++) {
        out.set(x.data.subarray(o * row + at, o * row + at + block), o * block);
      }
      at += block;
      return tensor(x.dtype, shape, out);
    });
  });
}
