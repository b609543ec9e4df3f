// Layout kernels: Reshape (shares storage), Expand, Transpose, and the shape producers
// Shape, ConstantOfShape and Range.
import { type HostTensor, isFloat, shapeEquals, sizeOf, tensor } from '../../../tensor.ts';
import { checkInputs, expectInteger, fmt } from '../../attrs.ts';
import { expandGeometry, reshapeShape, shapeDims, transposeGeometry } from '../../shapes/movement.ts';
import { registerCpuKernel } from '../registry.ts';
import { newStorage, stridedCopy } from './util.ts';

/** Registers the CPU kernels of shape.ts (called once, by the folder's index). */
export function registerCpuShape(): void {
  registerCpuKernel('Reshape', (inputs, attrs) => {
    checkInputs('Reshape', inputs, 1);
    const x = inputs[0]!;
    return [tensor(x.dtype, reshapeShape(x, attrs), x.data)];
  });
  registerCpuKernel('Expand', (inputs, attrs) => {
    checkInputs('Expand', inputs, 1);
    const x = inputs[0]!;
    const { shape, strides } = expandGeometry(x, attrs);
    if (shapeEquals(shape, x.shape)) return [x];
    const out = newStorage(x.dtype, sizeOf(shape));
    stridedCopy(x.data, 0, strides, shape, out);
    return [tensor(x.dtype, shape, out)];
  });
  registerCpuKernel('Transpose', (inputs, attrs) => {
    checkInputs('Transpose', inputs, 1);
    const x = inputs[0]!;
    const { perm, shape, strides } = transposeGeometry(x, attrs);
    if (perm.every((p, i) => p === i)) return [x];
    const out = newStorage(x.dtype, x.data.length);
    stridedCopy(x.data, 0, strides, shape, out);
    return [tensor(x.dtype, shape, out)];
  });
  registerCpuKernel('Shape', (inputs, attrs) => {
    checkInputs('Shape', inputs, 1);
    const dims = shapeDims(inputs[0]!, attrs);
    return [tensor('int64', [dims.length], dims)];
  });
  registerCpuKernel('ConstantOfShape', (inputs, attrs) => {
    checkInputs('ConstantOfShape', inputs, 1);
    const s = inputs[0]!;
    expectInteger('ConstantOfShape', s, 'shape');
    if (s.shape.length !== 1) throw new Error(`ConstantOfShape: shape input must be 1-D, got ${fmt(s.shape)}`);
    const shape = Array.from(s.data);
    if (shape.some((d) => d < 0)) throw new Error(`ConstantOfShape: negative dimension in ${fmt(shape)}`);
    const value = attrs.value as HostTensor | undefined;
    if (value !== undefined && (typeof value !== 'object' || !('data' in value) || value.data.length !== 1)) {
      throw new Error(`ConstantOfShape: value must be a one-element tensor, got ${JSON.stringify(value)}`);
    }
    const dtype = value?.dtype ?? 'float32';
    const out = newStorage(dtype, sizeOf(shape));
    if (value) out.fill(value.data[0]!);
    return [tensor(dtype, shape, out)];
  });
  // Range as onnxruntime computes it: n = max(ceil((limit − start) / delta), 0) with
  // limit − start taken in the input type, values by repeated addition of delta.
  registerCpuKernel('Range', (inputs) => {
    checkInputs('Range', inputs, 3);
    const [start, limit, delta] = inputs as [HostTensor, HostTensor, HostTensor];
    for (const t of [start, limit, delta]) {
      if (t.data.length !== 1) {
        throw new Error(`Range: start, limit and delta must be scalars, got ${fmt(start.shape)}, ${fmt(limit.shape)}, ${fmt(delta.shape)}`);
      }
      if (t.dtype !== start.dtype) {
        throw new Error(`Range: dtypes differ (${start.dtype}, ${limit.dtype}, ${delta.dtype})`);
      }
    }
    if (start.dtype === 'bool') throw new Error('Range: bool inputs');
    const float = isFloat(start.dtype);
    const s = start.data[0]!,
      l = limit.data[0]!,
      d = delta.data[0]!;
    if (d === 0) throw new Error('Range: delta is 0');
    const span = float ? Math.fround(l - s) : l - s;
    const n = Math.max(Math.ceil(span / d), 0);
    if (!Number.isFinite(n)) throw new Error(`Range: cannot produce ${n} values (start ${s}, limit ${l}, delta ${d})`);
    const out = newStorage(start.dtype, n);
    let v = s;
    for (let i = 0; i < n; i++) {
      out[i] = v;
      v = float ? Math.fround(v + d) : v + d;
    }
    return [tensor(start.dtype, [n], out)];
  });
}
