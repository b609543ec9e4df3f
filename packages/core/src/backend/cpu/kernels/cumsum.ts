// CumSum along one axis, float64 running sums; `exclusive` leaves out the element
// itself, `reverse` sums from the end.
import { isFloat, tensor } from '../../../tensor.ts';
import { axisOf, checkInputs, fmt, intAttr, splitAround } from '../../attrs.ts';
import { registerCpuKernel } from '../registry.ts';
import { toStorage } from './util.ts';

/** Registers the CPU kernels of cumsum.ts (called once, by the folder's index). */
export function registerCpuCumsum(): void {
  registerCpuKernel('CumSum', (inputs, attrs) => {
    checkInputs('CumSum', inputs, 1);
    const x = inputs[0]!;
    if (x.dtype === 'bool') throw new Error(`CumSum: bool input ${fmt(x.shape)}`);
    const axis = axisOf('CumSum', intAttr('CumSum', attrs, 'axis'), x.shape);
    const exclusive = intAttr('CumSum', attrs, 'exclusive', 0) !== 0;
    const reverse = intAttr('CumSum', attrs, 'reverse', 0) !== 0;
    const [outer, n, inner] = splitAround(x.shape, axis);
    const src = x.data;
    const out = new Float64Array(src.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let sum = 0;
        for (let t = 0; t < n; t++) {
          const p = base + (reverse ? n - 1 - t : t) * inner;
          if (exclusive) {
            out[p] = sum;
            sum += src[p]!;
          } else {
            sum += src[p]!;
            out[p] = sum;
          }
        }
      }
    }
    return [tensor(x.dtype, x.shape, isFloat(x.dtype) ? Float32Array.from(out) : toStorage(x.dtype, out))];
  });
}
