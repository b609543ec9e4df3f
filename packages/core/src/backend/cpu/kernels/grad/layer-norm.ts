import { registerCpuKernel } from '../../registry.ts';
import { broadcastStrides, formatShape, sizeOf, stridesOf, tensor } from '../../../../tensor.ts';
import { axisOf, expectFloat, expectShape, numAttr, prod } from '../../../attrs.ts';

/** Registers the CPU kernels of layer-norm.ts (called once, by the folder's index). */
export function registerCpuGradLayerNorm(): void {
  /**
   * LayerNormalizationGrad(x, scale, dy; axis, epsilon) → dx for
   * y = (x − μ)/σ · scale (+ bias), normalised over axes [axis, rank), σ = √(var + ε).
   * With ĝ = dy · scale and x̂ = (x − μ)/σ:  dx = (1/σ)(ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)).
   */
  registerCpuKernel('LayerNormalizationGrad', ([x, scale, dy], attrs) => {
    const op = 'LayerNormalizationGrad';
    if (!x || !scale || !dy) throw new Error(`${op}: expects inputs x, scale, dy`);
    expectFloat(op, x, 'x');
    expectFloat(op, scale, 'scale');
    expectFloat(op, dy, 'dy');
    expectShape(op, dy, x.shape, 'dy');
    const axis = axisOf(op, numAttr(op, attrs, 'axis', -1), x.shape);
    const epsilon = numAttr(op, attrs, 'epsilon', 1e-5);
    const normShape = x.shape.slice(axis);
    if (scale.shape.length > normShape.length) {
      throw new Error(`${op}: scale ${formatShape(scale.shape)} does not broadcast to ${formatShape(normShape)}`);
    }
    scale.shape.forEach((d, i) => {
      const want = normShape[normShape.length - scale.shape.length + i]!;
      if (d !== 1 && d !== want) {
        throw new Error(`${op}: scale ${formatShape(scale.shape)} does not broadcast to ${formatShape(normShape)}`);
      }
    });
    const n = sizeOf(normShape);
    const outer = prod(x.shape, 0, axis);
    // Offset into scale for each position of the normalised block.
    const sStrides = broadcastStrides(scale.shape, normShape);
    const nStrides = stridesOf(normShape);
    const scaleIdx = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      let rem = j,
        off = 0;
      for (let d = 0; d < normShape.length; d++) {
        const c = Math.floor(rem / nStrides[d]!);
        rem -= c * nStrides[d]!;
        off += c * sStrides[d]!;
      }
      scaleIdx[j] = off;
    }
    const X = x.data,
      S = scale.data,
      D = dy.data;
    const out = tensor('float32', x.shape);
    const O = out.data;
    const xhat = new Float64Array(n);
    const ghat = new Float64Array(n);
    for (let o = 0; o < outer; o++) {
      const base = o * n;
      let mean = 0;
      for (let j = 0; j < n; j++) mean += X[base + j]!;
      mean /= n;
      let v = 0;
      for (let j = 0; j < n; j++) {
        const c = X[base + j]! - mean;
        v += c * c;
      }
      v /= n;
      const inv = 1 / Math.sqrt(v + epsilon);
      let mg = 0,
        mgx = 0;
      for (let j = 0; j < n; j++) {
        const xh = (X[base + j]! - mean) * inv;
        const gh = D[base + j]! * S[scaleIdx[j]!]!;
        xhat[j] = xh;
        ghat[j] = gh;
        mg += gh;
        mgx += gh * xh;
      }
      mg /= n;
      mgx /= n;
      for (let j = 0; j < n; j++) O[base + j] = inv * (ghat[j]! - mg - xhat[j]! * mgx);
    }
    return [out];
  });
}
