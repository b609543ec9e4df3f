// Where(cond, x, y): x where cond else y, all three broadcast numpy-style.
import { broadcastShapes, broadcastStrides, sizeOf, tensor } from '../../../tensor.ts';
import { checkInputs, expectSameDtype, fmt } from '../../attrs.ts';
import { registerCpuKernel } from '../registry.ts';
import { newStorage } from './util.ts';

/** Registers the CPU kernels of where.ts (called once, by the folder's index). */
export function registerCpuWhere(): void {
  registerCpuKernel('Where', (inputs) => {
    checkInputs('Where', inputs, 3);
    const c = inputs[0]!,
      x = inputs[1]!,
      y = inputs[2]!;
    if (c.dtype !== 'bool') throw new Error(`Where: condition must be bool, got ${c.dtype} ${fmt(c.shape)}`);
    expectSameDtype('Where', x, y);
    let shape: number[];
    try {
      shape = broadcastShapes(broadcastShapes(c.shape, x.shape), y.shape);
    } catch {
      throw new Error(`Where: shapes ${fmt(c.shape)}, ${fmt(x.shape)} and ${fmt(y.shape)} do not broadcast`);
    }
    const n = sizeOf(shape);
    const out = newStorage(x.dtype, n);
    const cd = c.data,
      xd = x.data,
      yd = y.data;
    const r = shape.length;
    if (n > 0 && r === 0) {
      out[0] = cd[0] ? xd[0]! : yd[0]!;
    } else if (n > 0) {
      const cs = broadcastStrides(c.shape, shape);
      const xs = broadcastStrides(x.shape, shape);
      const ys = broadcastStrides(y.shape, shape);
      const inner = shape[r - 1]!;
      const ci = cs[r - 1]!,
        xi = xs[r - 1]!,
        yi = ys[r - 1]!;
      const idx = new Array<number>(r).fill(0);
      let oc = 0,
        ox = 0,
        oy = 0;
      for (let o = 0; o < n; o += inner) {
        for (let j = 0; j < inner; j++) out[o + j] = cd[oc + j * ci] ? xd[ox + j * xi]! : yd[oy + j * yi]!;
        for (let d = r - 2; d >= 0; d--) {
          oc += cs[d]!;
          ox += xs[d]!;
          oy += ys[d]!;
          if (++idx[d]! < shape[d]!) break;
          oc -= cs[d]! * shape[d]!;
          ox -= xs[d]! * shape[d]!;
          oy -= ys[d]! * shape[d]!;
          idx[d] = 0;
        }
      }
    }
    return [tensor(x.dtype, shape, out)];
  });
}
