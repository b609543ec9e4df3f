// ReduceSum, ReduceMean, ReduceMax over `axes` (empty or absent = all axes, unless
// noop_with_empty_axes), float64 accumulators, keepdims as ONNX.
import { isFloat, sizeOf, stridesOf, tensor } from '../../../tensor.ts';
import { checkInputs } from '../../attrs.ts';
import { reduceGeometry } from '../../shapes/reduce.ts';
import { registerCpuKernel } from '../registry.ts';
import { toStorage } from './util.ts';

type Kind = 'sum' | 'mean' | 'max';

function reduceKernel(op: string, kind: Kind) {
  registerCpuKernel(op, (inputs, attrs) => {
    checkInputs(op, inputs, 1);
    const x = inputs[0]!;
    const { noop, reduced, keptShape, outShape } = reduceGeometry(op, x, attrs);
    if (noop) return [x];
    const r = x.shape.length;
    const outSize = sizeOf(keptShape);
    // Strides into the output for each input dimension (0 along reduced ones).
    const kept = stridesOf(keptShape);
    const os = x.shape.map((_, i) => (reduced[i] ? 0 : kept[i]!));
    const acc = new Float64Array(outSize).fill(kind === 'max' ? -Infinity : 0);
    const src = x.data;
    const n = src.length;
    if (r === 0) {
      if (n) acc[0] = src[0]!;
    } else if (n > 0) {
      const inner = x.shape[r - 1]!;
      const s = os[r - 1]!;
      const idx = new Array<number>(r).fill(0);
      let off = 0;
      for (let o = 0; o < n; o += inner) {
        if (kind === 'max') {
          for (let j = 0; j < inner; j++) {
            const v = src[o + j]!;
            const p = off + j * s;
            if (v > acc[p]! || v !== v) acc[p] = v;
          }
        } else if (s === 0) {
          let t = 0;
          for (let j = 0; j < inner; j++) t += src[o + j]!;
          acc[off] += t;
        } else {
          for (let j = 0; j < inner; j++) acc[off + j * s] += src[o + j]!;
        }
        for (let d = r - 2; d >= 0; d--) {
          off += os[d]!;
          if (++idx[d]! < x.shape[d]!) break;
          off -= os[d]! * x.shape[d]!;
          idx[d] = 0;
        }
      }
    }
    if (kind === 'mean') {
      const count = outSize === 0 ? 1 : n / outSize;
      for (let i = 0; i < outSize; i++) acc[i] = acc[i]! / count;
    }
    return [tensor(x.dtype, outShape, isFloat(x.dtype) ? Float32Array.from(acc) : toStorage(x.dtype, acc))];
  });
}

/** Registers the CPU kernels of reduce.ts (called once, by the folder's index). */
export function registerCpuReduce(): void {
  reduceKernel('ReduceSum', 'sum');
  reduceKernel('ReduceMean', 'mean');
  reduceKernel('ReduceMax', 'max');
}
