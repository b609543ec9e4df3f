// ReduceSum, ReduceMean, ReduceMax over `axes` (empty or absent = all axes, unless
// noop_with_empty_axes), float64 accumulators, keepdims as ONNX.
import { isFloat, normalizeAxis, sizeOf, stridesOf, tensor } from '../../../tensor.ts';
import { registerCpuKernel } from '../registry.ts';
import { checkInputs, fmt, intAttr, intsAttr, toStorage } from './util.ts';

type Kind = 'sum' | 'mean' | 'max';

function reduceKernel(op: string, kind: Kind) {
  registerCpuKernel(op, (inputs, attrs) => {
    checkInputs(op, inputs, 1);
    const x = inputs[0]!;
    if (x.dtype === 'bool') throw new Error(`${op}: bool input ${fmt(x.shape)}`);
    const r = x.shape.length;
    const keepdims = intAttr(op, attrs, 'keepdims', 1) !== 0;
    let axes = intsAttr(op, attrs, 'axes', []);
    if (axes.length === 0) {
      if (intAttr(op, attrs, 'noop_with_empty_axes', 0) !== 0) return [x];
      axes = x.shape.map((_, i) => i);
    }
    const reduced = new Array<boolean>(r).fill(false);
    for (const a of axes) {
      const n = normalizeAxis(a, r);
      if (n < 0 || n >= r) throw new Error(`${op}: axis ${a} out of range for shape ${fmt(x.shape)}`);
      if (reduced[n]) throw new Error(`${op}: axis ${a} repeated in axes [${axes.join(', ')}] for shape ${fmt(x.shape)}`);
      reduced[n] = true;
    }
    const keptShape = x.shape.map((d, i) => (reduced[i] ? 1 : d));
    const outShape = keepdims ? keptShape : x.shape.filter((_, i) => !reduced[i]);
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

reduceKernel('ReduceSum', 'sum');
reduceKernel('ReduceMean', 'mean');
reduceKernel('ReduceMax', 'max');
