// Concat and Split along one axis, copying contiguous blocks.
import { tensor } from '../../../tensor.ts';
import { registerCpuKernel } from '../registry.ts';
import { axisOf, checkInputs, fmt, intAttr, intsAttr, newStorage, prod, splitAround } from './util.ts';

registerCpuKernel('Concat', (inputs, attrs) => {
  checkInputs('Concat', inputs, 1, Infinity);
  const first = inputs[0]!;
  const axis = axisOf('Concat', intAttr('Concat', attrs, 'axis'), first.shape);
  let total = 0;
  for (const t of inputs) {
    const fits =
      t.dtype === first.dtype &&
      t.shape.length === first.shape.length &&
      t.shape.every((d, i) => i === axis || d === first.shape[i]);
    if (!fits) throw new Error(`Concat: inputs do not fit along axis ${axis} (${inputs.map((t) => `${t.dtype} ${fmt(t.shape)}`).join(', ')})`);
    total += t.shape[axis]!;
  }
  if (inputs.length === 1) return [first];
  const shape = [...first.shape];
  shape[axis] = total;
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
  const axis = axisOf('Split', intAttr('Split', attrs, 'axis', 0), x.shape);
  const [outer, dim, inner] = splitAround(x.shape, axis);
  let split: number[];
  if (attrs.split !== undefined) {
    split = intsAttr('Split', attrs, 'split');
  } else {
    // No sizes: num_outputs pieces of ceil(dim / n), the last one smaller (opset 18).
    const n = intAttr('Split', attrs, 'num_outputs');
    const size = Math.ceil(dim / n);
    split = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(size, dim - i * size)));
  }
  if (split.some((s) => s < 0) || split.reduce((a, b) => a + b, 0) !== dim) {
    throw new Error(`Split: sizes [${split.join(', ')}] do not add up to dimension ${dim} of axis ${axis} of ${fmt(x.shape)}`);
  }
  const row = dim * inner;
  let at = 0;
  return split.map((size) => {
    const shape = [...x.shape];
    shape[axis] = size;
    const block = size * inner;
    const out = newStorage(x.dtype, outer * block);
    for (let o = 0; o < outer; o++) {
      out.set(x.data.subarray(o * row + at, o * row + at + block), o * block);
    }
    at += block;
    return tensor(x.dtype, shape, out);
  });
});
