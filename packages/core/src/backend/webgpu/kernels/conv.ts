// 2-D convolution (NCHW) and its input gradient (the transposed convolution), one
// invocation per output element looping over its receptive field.
import type { Attrs } from '../../backend.ts';
import { checkInputs } from '../../attrs.ts';
import { checkConv, convInputGradGeometry } from '../../shapes/conv.ts';
import type { Gpu } from '../gpu.ts';
import type { GpuTensor } from '../gpuTensor.ts';
import { registerWebGpuKernel } from '../registry.ts';
import { ELEMENTWISE_MAIN, LINEAR_INDEX, PARAMS } from '../wgsl.ts';

/**
 * y[n, m, oh, ow] = b[m] + Σ_{c, i, j} x[n, g·Cg + c, oh·sH − pT + i·dH, ow·sW − pL + j·dW] · w[m, c, i, j]
 * with g = ⌊m / Mg⌋ (taps outside the image read 0).
 * Params: [size, C, H, W, M, Cg, kH, kW, sH, sW, dH, dW, pT, pL, Ho, Wo, Mg].
 */
const convCode = (bias: boolean) => /* wgsl */ `${PARAMS}${LINEAR_INDEX}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Wt: array<f32>;
${bias ? '@group(0) @binding(3) var<storage, read> B: array<f32>;' : ''}
@group(0) @binding(${bias ? 4 : 3}) var<storage, read_write> Y: array<f32>;
${ELEMENTWISE_MAIN} {
  let idx = linearIndex(gid, nwg);
  if (idx >= P(0u)) { return; }
  let C = P(1u); let H = P(2u); let W = P(3u); let M = P(4u); let Cg = P(5u);
  let kH = P(6u); let kW = P(7u); let sH = P(8u); let sW = P(9u); let dH = P(10u); let dW = P(11u);
  let pT = PI(12u); let pL = PI(13u); let Ho = P(14u); let Wo = P(15u); let Mg = P(16u);
  let ow = idx % Wo;
  let oh = (idx / Wo) % Ho;
  let m = (idx / (Wo * Ho)) % M;
  let n = idx / (Wo * Ho * M);
  let g = m / Mg;
  let ih0 = i32(oh * sH) - pT;
  let iw0 = i32(ow * sW) - pL;
  var acc = 0.0;
  for (var c = 0u; c < Cg; c++) {
    let xBase = (n * C + g * Cg + c) * H;
    let wBase = (m * Cg + c) * kH;
    for (var i = 0u; i < kH; i++) {
      let ih = ih0 + i32(i * dH);
      if (ih < 0 || ih >= i32(H)) { continue; }
      let xRow = (xBase + u32(ih)) * W;
      let wRow = (wBase + i) * kW;
      for (var j = 0u; j < kW; j++) {
        let iw = iw0 + i32(j * dW);
        if (iw < 0 || iw >= i32(W)) { continue; }
        acc += X[xRow + u32(iw)] * Wt[wRow + j];
      }
    }
  }
  Y[idx] = acc${bias ? ' + B[m]' : ''};
}`;

/**
 * dx[n, xc, ih, iw] = Σ_{kh, kw, m in group ⌊xc / Cg⌋} dy[n, m, oh, ow] · w[m, xc mod Cg, kh, kw]
 * over the taps with ih = oh·sh − pt + kh·dh and iw = ow·sw − pl + kw·dw for some in-range oh, ow:
 * each dx element gathers what the forward's scatter would add to it (no atomics).
 * Params: [size, C, H, W, M, Cg, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, Mg].
 */
const CONV_INPUT_GRAD = /* wgsl */ `${PARAMS}${LINEAR_INDEX}
@group(0) @binding(1) var<storage, read> DY: array<f32>;
@group(0) @binding(2) var<storage, read> Wt: array<f32>;
@group(0) @binding(3) var<storage, read_write> DX: array<f32>;
${ELEMENTWISE_MAIN} {
  let idx = linearIndex(gid, nwg);
  if (idx >= P(0u)) { return; }
  let C = P(1u); let H = P(2u); let W = P(3u); let M = P(4u); let Cg = P(5u);
  let KH = P(6u); let KW = P(7u); let sh = i32(P(8u)); let sw = i32(P(9u)); let dh = P(10u); let dw = P(11u);
  let pt = PI(12u); let pl = PI(13u); let OH = i32(P(14u)); let OW = i32(P(15u)); let Mg = P(16u);
  let iw = idx % W;
  let ih = (idx / W) % H;
  let xc = (idx / (W * H)) % C;
  let n = idx / (W * H * C);
  let g = xc / Cg;
  let c = xc % Cg;
  var acc = 0.0;
  for (var kh = 0u; kh < KH; kh++) {
    let th = i32(ih) + pt - i32(kh * dh);
    if (th < 0 || th % sh != 0) { continue; }
    let oh = th / sh;
    if (oh >= OH) { continue; }
    for (var kw = 0u; kw < KW; kw++) {
      let tw = i32(iw) + pl - i32(kw * dw);
      if (tw < 0 || tw % sw != 0) { continue; }
      let ow = tw / sw;
      if (ow >= OW) { continue; }
      let pix = u32(oh) * u32(OW) + u32(ow);
      for (var mm = 0u; mm < Mg; mm++) {
        let m = g * Mg + mm;
        acc += DY[(n * M + m) * u32(OH * OW) + pix] * Wt[((m * Cg + c) * KH + kh) * KW + kw];
      }
    }
  }
  DX[idx] = acc;
}`;

/** Registers the WebGPU kernels of conv.ts (called once, by the folder's index). */
export function registerWebGpuConv(): void {
  registerWebGpuKernel('Conv', (gpu: Gpu, inputs: readonly GpuTensor[], attrs: Attrs): GpuTensor[] => {
    checkInputs('Conv', inputs, 2, 3);
    const x = inputs[0]!,
      w = inputs[1]!,
      b = inputs[2] ?? undefined;
    const { N, C, H, W, M, Cg, kH, kW, sH, sW, dH, dW, pT, pL, group, Ho, Wo } = checkConv(x, w, b, attrs);
    const out = gpu.alloc('float32', [N, M, Ho, Wo]);
    gpu.dispatch({
      code: convCode(!!b),
      inputs: b ? [x, w, b] : [x, w],
      outputs: [out],
      params: [out.size, C, H, W, M, Cg, kH, kW, sH, sW, dH, dW, { i32: pT }, { i32: pL }, Ho, Wo, M / group],
      invocations: out.size,
    });
    return [out];
  });
  registerWebGpuKernel('ConvInputGrad', (gpu: Gpu, [dy, w]: readonly GpuTensor[], attrs: Attrs): GpuTensor[] => {
    const op = 'ConvInputGrad';
    if (!dy || !w) throw new Error(`${op}: expects inputs dy, w`);
    const { inputShape, C, H, W, M, Cg, KH, KW, sh, sw, pt, pl, dh, dw, group, OH, OW } = convInputGradGeometry(dy, w, attrs);
    if (!(sh >= 1 && sw >= 1 && dh >= 1 && dw >= 1)) {
      throw new Error(`${op}: strides [${sh}, ${sw}] and dilations [${dh}, ${dw}] must be 2 positive integers each`);
    }
    const out = gpu.alloc('float32', inputShape);
    gpu.dispatch({
      code: CONV_INPUT_GRAD,
      inputs: [dy, w],
      outputs: [out],
      params: [out.size, C, H, W, M, Cg, KH, KW, sh, sw, dh, dw, { i32: pt }, { i32: pl }, OH, OW, M / group],
      invocations: out.size,
    });
    return [out];
  });
}
