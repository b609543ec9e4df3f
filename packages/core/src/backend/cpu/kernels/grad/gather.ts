import { registerCpuKernel } from '../../registry.ts';
import { formatShape, isFloat, sizeOf, tensor } from '../../../../tensor.ts';
import { expectFloat, expectShape, intsAttr, numAttr, resolveAxis } from './util.ts';

/**
 * GatherGrad(dy, indices; axis, dataShape): zeros(dataShape) with dy scatter-added at
 * indices along axis (repeated indices accumulate; negative indices wrap).
 */
registerCpuKernel('GatherGrad', ([dy, indices], attrs) => {
  const op = 'GatherGrad';
  if (!dy || !indices) throw new Error(`${op}: expects inputs dy, indices`);
  expectFloat(op, 'dy', dy);
  if (isFloat(indices.dtype)) throw new Error(`${op}: indices must be an integer tensor, got ${indices.dtype}`);
  const dataShape = intsAttr(op, 'dataShape', attrs.dataShape);
  const axis = resolveAxis(op, numAttr(op, 'axis', attrs.axis, 0), dataShape.length);
  const expected = [...dataShape.slice(0, axis), ...indices.shape, ...dataShape.slice(axis + 1)];
  expectShape(op, 'dy', dy, expected);
  const outer = sizeOf(dataShape.slice(0, axis));
  const dim = dataShape[axis]!;
  const inner = sizeOf(dataShape.slice(axis + 1));
  const nIdx = sizeOf(indices.shape);
  const acc = new Float64Array(sizeOf(dataShape));
  const D = dy.data, I = indices.data;
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
