import { registerCpuKernel } from '../../registry.ts';
import { formatShape, sizeOf, tensor } from '../../../../tensor.ts';
import { expectFloat, intsAttr, numAttr } from '../util.ts';

/**
 * ConvInputGrad(dy, w; inputShape, strides, pads [t,l,b,r], dilations, group) → dx:
 * the transposed 2-D convolution of dy with w, i.e. the adjoint of
 *   y[n, m, oh, ow] = Σ_{c, kh, kw} x[n, g·Cg + c, oh·sh − pt + kh·dh, ow·sw − pl + kw·dw] · w[m, c, kh, kw]
 * with g = ⌊m / (M / group)⌋. Input rows/columns the forward never read get zero.
 */
registerCpuKernel('ConvInputGrad', ([dy, w], attrs) => {
  const op = 'ConvInputGrad';
  if (!dy || !w) throw new Error(`${op}: expects inputs dy, w`);
  expectFloat(op, dy, 'dy');
  expectFloat(op, w, 'w');
  const inputShape = intsAttr(op, attrs, 'inputShape');
  if (inputShape.length !== 4 || w.shape.length !== 4 || dy.shape.length !== 4) {
    throw new Error(
      `${op}: only 2-D convolution is supported (input ${formatShape(inputShape)}, w ${formatShape(w.shape)}, dy ${formatShape(dy.shape)})`,
    );
  }
  const [N, C, H, W] = inputShape as [number, number, number, number];
  const [M, Cg, KH, KW] = w.shape as [number, number, number, number];
  const [sh, sw] = intsAttr(op, attrs, 'strides', [1, 1]) as [number, number];
  const [pt, pl] = intsAttr(op, attrs, 'pads', [0, 0, 0, 0]) as [number, number];
  const [dh, dw] = intsAttr(op, attrs, 'dilations', [1, 1]) as [number, number];
  const group = numAttr(op, attrs, 'group', 1);
  if (C !== Cg * group || M % group !== 0) {
    throw new Error(`${op}: input ${formatShape(inputShape)} and w ${formatShape(w.shape)} do not fit group ${group}`);
  }
  const [dN, dM, OH, OW] = dy.shape as [number, number, number, number];
  if (dN !== N || dM !== M) {
    throw new Error(`${op}: dy ${formatShape(dy.shape)} does not fit input ${formatShape(inputShape)} and w ${formatShape(w.shape)}`);
  }
  const Mg = M / group;
  const acc = new Float64Array(sizeOf(inputShape));
  const D = dy.data, Wd = w.data;
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / Mg);
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const gy = D[((n * M + m) * OH + oh) * OW + ow]!;
          for (let c = 0; c < Cg; c++) {
            const xc = g * Cg + c;
            const xBase = (n * C + xc) * H;
            const wBase = (m * Cg + c) * KH;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh - pt + kh * dh;
              if (ih < 0 || ih >= H) continue;
              const xRow = (xBase + ih) * W;
              const wRow = (wBase + kh) * KW;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw - pl + kw * dw;
                if (iw < 0 || iw >= W) continue;
                acc[xRow + iw] += gy * Wd[wRow + kw]!;
              }
            }
          }
        }
      }
    }
  }
  return [tensor('float32', inputShape, Float32Array.from(acc))];
});
