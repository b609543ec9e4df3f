// LayerNormalization: per row over axes [axis, rank), population mean and variance in
// float64, Y = (x − mean) / sqrt(var + epsilon) · scale + bias. Output Y only.
import { type HostTensor, broadcastStrides, sizeOf, tensor } from '../../../tensor.ts';
import { axisOf, checkInputs, expectFloat, fmt, intAttr, numAttr, prod } from '../../attrs.ts';
import { registerCpuKernel } from '../registry.ts';
import { optionalInput, stridedCopy } from './util.ts';

/** For each position of `shape`, the index into `t` (which must broadcast to `shape`); null when t has exactly `shape`'s layout. */
function indexMap(t: HostTensor, shape: readonly number[], what: string, x: HostTensor): Int32Array | null {
  const ok = t.shape.length <= shape.length && t.shape.every((d, i) => d === 1 || d === shape[shape.length - t.shape.length + i]);
  if (!ok) {
    throw new Error(
      `LayerNormalization: ${what} ${fmt(t.shape)} does not broadcast to the normalised shape ${fmt(shape)} of x ${fmt(x.shape)}`,
    );
  }
  if (sizeOf(t.shape) === sizeOf(shape)) return null;
  const positions = new Int32Array(sizeOf(t.shape));
  for (let i = 0; i < positions.length; i++) positions[i] = i;
  const map = new Int32Array(sizeOf(shape));
  stridedCopy(positions, 0, broadcastStrides(t.shape, shape), shape, map);
  return map;
}

/** Registers the CPU kernels of layernorm.ts (called once, by the folder's index). */
export function registerCpuLayernorm(): void {
  registerCpuKernel('LayerNormalization', (inputs, attrs) => {
    checkInputs('LayerNormalization', inputs, 2, 3);
    const x = inputs[0]!,
      scale = inputs[1]!,
      bias = optionalInput(inputs, 2);
    expectFloat('LayerNormalization', x, 'x');
    expectFloat('LayerNormalization', scale, 'scale');
    if (bias) expectFloat('LayerNormalization', bias, 'bias');
    const axis = axisOf('LayerNormalization', intAttr('LayerNormalization', attrs, 'axis', -1), x.shape);
    const eps = numAttr('LayerNormalization', attrs, 'epsilon', 1e-5);
    const normShape = x.shape.slice(axis);
    const sMap = indexMap(scale, normShape, 'scale', x);
    const bMap = bias ? indexMap(bias, normShape, 'bias', x) : null;
    const D = sizeOf(normShape);
    const rows = prod(x.shape, 0, axis);
    const src = x.data,
      s = scale.data,
      b = bias?.data;
    const out = new Float32Array(src.length);
    for (let r = 0; r < rows; r++) {
      const base = r * D;
      let sum = 0;
      for (let j = 0; j < D; j++) sum += src[base + j]!;
      const mean = sum / D;
      let sq = 0;
      for (let j = 0; j < D; j++) {
        const d = src[base + j]! - mean;
        sq += d * d;
      }
      const inv = 1 / Math.sqrt(sq / D + eps);
      for (let j = 0; j < D; j++) {
        let y = (src[base + j]! - mean) * inv * s[sMap ? sMap[j]! : j]!;
        if (b) y += b[bMap ? bMap[j]! : j]!;
        out[base + j] = y;
      }
    }
    return [tensor('float32', x.shape, out)];
  });
}
