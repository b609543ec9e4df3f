// 2-D convolution (NCHW) as im2col + the shared matrix product, per image and group.
import { tensor } from '../../../tensor.ts';
import { checkInputs } from '../../attrs.ts';
import { checkConv } from '../../shapes/conv.ts';
import { registerCpuKernel } from '../registry.ts';
import { matmulInto, type MatrixView } from './matmul.ts';
import { optionalInput } from './util.ts';

/** Registers the CPU kernels of conv.ts (called once, by the folder's index). */
export function registerCpuConv(): void {
  registerCpuKernel('Conv', (inputs, attrs) => {
    checkInputs('Conv', inputs, 2, 3);
    const x = inputs[0]!,
      w = inputs[1]!,
      b = optionalInput(inputs, 2);
    const { N, C, H, W, M, Cg, kH, kW, sH, sW, dH, dW, pT, pL, group, Ho, Wo } = checkConv(x, w, b, attrs);
    const Mg = M / group;
    const K = Cg * kH * kW;
    const P = Ho * Wo;
    const out = new Float32Array(N * M * P);
    const xd = x.data;
    // 1×1, stride 1, no padding: the image itself is the column matrix.
    const direct = kH === 1 && kW === 1 && sH === 1 && sW === 1 && pT === 0 && pL === 0 && Ho === H && Wo === W;
    const col = direct ? null : new Float32Array(K * P);
    const acc = new Float64Array(P);
    const A: MatrixView = { data: w.data, off: 0, rs: K, cs: 1 };
    const bias: MatrixView | undefined = b ? { data: b.data, off: 0, rs: 1, cs: 0 } : undefined;
    for (let n = 0; n < N; n++) {
      for (let gi = 0; gi < group; gi++) {
        const xOff = (n * C + gi * Cg) * H * W;
        let B: MatrixView;
        if (col) {
          // col[(c·kH + i)·kW + j][oh·Wo + ow] = x[n, gi·Cg + c, oh·sH − pT + i·dH, ow·sW − pL + j·dW] (0 outside)
          for (let c = 0; c < Cg; c++) {
            for (let i = 0; i < kH; i++) {
              for (let j = 0; j < kW; j++) {
                const row = ((c * kH + i) * kW + j) * P;
                for (let oh = 0; oh < Ho; oh++) {
                  const ih = oh * sH - pT + i * dH;
                  const dst = row + oh * Wo;
                  if (ih < 0 || ih >= H) {
                    col.fill(0, dst, dst + Wo);
                    continue;
                  }
                  const src = xOff + (c * H + ih) * W;
                  for (let ow = 0; ow < Wo; ow++) {
                    const iw = ow * sW - pL + j * dW;
                    col[dst + ow] = iw >= 0 && iw < W ? xd[src + iw]! : 0;
                  }
                }
              }
            }
          }
          B = { data: col, off: 0, rs: P, cs: 1 };
        } else {
          B = { data: xd, off: xOff, rs: P, cs: 1 };
        }
        A.off = gi * Mg * K;
        if (bias) bias.off = gi * Mg;
        matmulInto(Mg, P, K, A, B, out, (n * M + gi * Mg) * P, 1, bias, 1, acc);
      }
    }
    return [tensor('float32', [N, M, Ho, Wo], out)];
  });
}
