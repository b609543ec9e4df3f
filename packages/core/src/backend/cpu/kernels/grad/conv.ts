import { registerCpuKernel } from '../../registry.ts';
import { sizeOf, tensor } from '../../../../tensor.ts';
import { convInputGradGeometry } from '../../../shapes/conv.ts';

/** Registers the CPU kernels of conv.ts (called once, by the folder's index). */
export function registerCpuGradConv(): void {
  /**
   * ConvInputGrad(dy, w; inputShape, strides, pads [t,l,b,r], dilations, group) → dx:
   * the transposed 2-D convolution of dy with w, i.e. the adjoint of
   *   y[n, m, oh, ow] = Σ_{c, kh, kw} x[n, g·Cg + c, oh·sh − pt + kh·dh, ow·sw − pl + kw·dw] · w[m, c, kh, kw]
   * with g = ⌊m / (M / group)⌋. Input rows/columns the forward never read get zero.
   */
  registerCpuKernel('ConvInputGrad', ([dy, w], attrs) => {
    const op = 'ConvInputGrad';
    if (!dy || !w) throw new Error(`${op}: expects inputs dy, w`);
    const { inputShape, N, C, H, W, M, Cg, KH, KW, sh, sw, pt, pl, dh, dw, group, OH, OW } = convInputGradGeometry(dy, w, attrs);
    const Mg = M / group;
    const acc = new Float64Array(sizeOf(inputShape));
    const D = dy.data,
      Wd = w.data;
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
}
