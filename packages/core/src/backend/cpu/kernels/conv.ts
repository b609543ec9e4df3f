// 2-D convolution (NCHW) as im2col + the shared matrix product, per image and group.
import type { Attrs } from '../../backend.ts';
import { tensor } from '../../../tensor.ts';
import { registerCpuKernel } from '../registry.ts';
import { matmulInto, type MatrixView } from './matmul.ts';
import { checkInputs, expectFloat, fmt, intAttr, intsAttr, optionalInput } from './util.ts';

export interface ConvGeometry {
  N: number; C: number; H: number; W: number;
  /** Output channels, and input channels per group. */
  M: number; Cg: number;
  kH: number; kW: number;
  sH: number; sW: number;
  dH: number; dW: number;
  /** Padding: top, left (bottom and right only affect the output size). */
  pT: number; pL: number;
  group: number;
  Ho: number; Wo: number;
}

/**
 * Validates a 2-D convolution of x [N, C, H, W] by w [M, C/group, kH, kW] and resolves
 * its attributes (strides, pads [t, l, b, r], dilations, group; auto_pad is honoured
 * when present). Shared with ConvInputGrad.
 */
export function convGeometry(op: string, xShape: readonly number[], wShape: readonly number[], attrs: Attrs): ConvGeometry {
  if (xShape.length !== 4 || wShape.length !== 4) {
    throw new Error(`${op}: only 2-D convolution is supported: x ${fmt(xShape)} and w ${fmt(wShape)} must be 4-D`);
  }
  const [N, C, H, W] = xShape as [number, number, number, number];
  const [M, Cg, kH, kW] = wShape as [number, number, number, number];
  const group = intAttr(op, attrs, 'group', 1);
  if (group < 1 || C !== Cg * group || M % group !== 0) {
    throw new Error(`${op}: x ${fmt(xShape)} and w ${fmt(wShape)} do not fit group ${group}`);
  }
  const ks = intsAttr(op, attrs, 'kernel_shape', [kH, kW]);
  if (ks.length !== 2 || ks[0] !== kH || ks[1] !== kW) {
    throw new Error(`${op}: kernel_shape [${ks.join(', ')}] disagrees with w ${fmt(wShape)}`);
  }
  const [sH, sW] = intsAttr(op, attrs, 'strides', [1, 1]) as [number, number];
  const [dH, dW] = intsAttr(op, attrs, 'dilations', [1, 1]) as [number, number];
  if (!(sH >= 1 && sW >= 1 && dH >= 1 && dW >= 1)) {
    throw new Error(`${op}: strides [${sH}, ${sW}] and dilations [${dH}, ${dW}] must be 2 positive integers each`);
  }
  const extH = (kH - 1) * dH + 1, extW = (kW - 1) * dW + 1;
  const autoPad = typeof attrs.auto_pad === 'string' ? attrs.auto_pad : 'NOTSET';
  let pads: number[];
  if (autoPad === 'NOTSET') {
    pads = intsAttr(op, attrs, 'pads', [0, 0, 0, 0]);
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0];
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = (size: number, s: number, ext: number) => Math.max(0, (Math.ceil(size / s) - 1) * s + ext - size);
    const tH = total(H, sH, extH), tW = total(W, sW, extW);
    const small = (t: number) => Math.floor(t / 2);
    pads = autoPad === 'SAME_UPPER'
      ? [small(tH), small(tW), tH - small(tH), tW - small(tW)]
      : [tH - small(tH), tW - small(tW), small(tH), small(tW)];
  } else {
    throw new Error(`${op}: unknown auto_pad ${autoPad}`);
  }
  if (pads.length !== 4 || pads.some((p) => p < 0)) {
    throw new Error(`${op}: pads [${pads.join(', ')}] must be 4 non-negative integers [top, left, bottom, right]`);
  }
  const [pT, pL, pB, pR] = pads as [number, number, number, number];
  const Ho = Math.floor((H + pT + pB - extH) / sH) + 1;
  const Wo = Math.floor((W + pL + pR - extW) / sW) + 1;
  if (Ho < 1 || Wo < 1) {
    throw new Error(`${op}: kernel ${fmt(wShape)} (dilations [${dH}, ${dW}]) does not fit input ${fmt(xShape)} with pads [${pads.join(', ')}]`);
  }
  return { N, C, H, W, M, Cg, kH, kW, sH, sW, dH, dW, pT, pL, group, Ho, Wo };
}

registerCpuKernel('Conv', (inputs, attrs) => {
  checkInputs('Conv', inputs, 2, 3);
  const x = inputs[0]!, w = inputs[1]!, b = optionalInput(inputs, 2);
  expectFloat('Conv', x, 'x');
  expectFloat('Conv', w, 'w');
  const g = convGeometry('Conv', x.shape, w.shape, attrs);
  const { N, C, H, W, M, Cg, kH, kW, sH, sW, dH, dW, pT, pL, group, Ho, Wo } = g;
  if (b) {
    expectFloat('Conv', b, 'bias');
    if (b.data.length !== M || b.shape.length !== 1) {
      throw new Error(`Conv: bias ${fmt(b.shape)} must be [${M}] (x ${fmt(x.shape)}, w ${fmt(w.shape)})`);
    }
  }
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
