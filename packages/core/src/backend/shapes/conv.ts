// Shapes and checks of Conv and ConvInputGrad (2-D, NCHW), shared by every backend.
import type { Attrs, Tensor } from '../backend.ts';
import { sizeOf } from '../../tensor.ts';
import { expectFloat, fmt, intAttr, intsAttr, numAttr } from '../attrs.ts';

export interface ConvGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  /** Output channels, and input channels per group. */
  M: number;
  Cg: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  dH: number;
  dW: number;
  /** Padding: top, left (bottom and right only affect the output size). */
  pT: number;
  pL: number;
  group: number;
  Ho: number;
  Wo: number;
}

/**
 * Validates a 2-D convolution of x [N, C, H, W] by w [M, C/group, kH, kW] and resolves
 * its attributes (strides, pads [t, l, b, r], dilations, group; auto_pad is honoured
 * when present).
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
  const extH = (kH - 1) * dH + 1,
    extW = (kW - 1) * dW + 1;
  const autoPad = typeof attrs.auto_pad === 'string' ? attrs.auto_pad : 'NOTSET';
  let pads: number[];
  if (autoPad === 'NOTSET') {
    pads = intsAttr(op, attrs, 'pads', [0, 0, 0, 0]);
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0];
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = (size: number, s: number, ext: number) => Math.max(0, (Math.ceil(size / s) - 1) * s + ext - size);
    const tH = total(H, sH, extH),
      tW = total(W, sW, extW);
    const small = (t: number) => Math.floor(t / 2);
    pads =
      autoPad === 'SAME_UPPER'
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
    throw new Error(
      `${op}: kernel ${fmt(wShape)} (dilations [${dH}, ${dW}]) does not fit input ${fmt(xShape)} with pads [${pads.join(', ')}]`,
    );
  }
  return { N, C, H, W, M, Cg, kH, kW, sH, sW, dH, dW, pT, pL, group, Ho, Wo };
}

/** Conv's checks of x, w and the optional bias b; its geometry. */
export function checkConv(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: Attrs): ConvGeometry {
  expectFloat('Conv', x, 'x');
  expectFloat('Conv', w, 'w');
  const g = convGeometry('Conv', x.shape, w.shape, attrs);
  if (b) {
    expectFloat('Conv', b, 'bias');
    if (sizeOf(b.shape) !== g.M || b.shape.length !== 1) {
      throw new Error(`Conv: bias ${fmt(b.shape)} must be [${g.M}] (x ${fmt(x.shape)}, w ${fmt(w.shape)})`);
    }
  }
  return g;
}

export interface ConvInputGradGeometry {
  /** dx's shape [N, C, H, W]. */
  inputShape: number[];
  N: number;
  C: number;
  H: number;
  W: number;
  M: number;
  Cg: number;
  KH: number;
  KW: number;
  sh: number;
  sw: number;
  pt: number;
  pl: number;
  dh: number;
  dw: number;
  group: number;
  /** dy's spatial size. */
  OH: number;
  OW: number;
}

/** ConvInputGrad's checks of dy and w and its attributes (inputShape, strides, pads, dilations, group). */
export function convInputGradGeometry(dy: Tensor, w: Tensor, attrs: Attrs): ConvInputGradGeometry {
  const op = 'ConvInputGrad';
  expectFloat(op, dy, 'dy');
  expectFloat(op, w, 'w');
  const inputShape = intsAttr(op, attrs, 'inputShape');
  if (inputShape.length !== 4 || w.shape.length !== 4 || dy.shape.length !== 4) {
    throw new Error(`${op}: only 2-D convolution is supported (input ${fmt(inputShape)}, w ${fmt(w.shape)}, dy ${fmt(dy.shape)})`);
  }
  const [N, C, H, W] = inputShape as [number, number, number, number];
  const [M, Cg, KH, KW] = w.shape as [number, number, number, number];
  const [sh, sw] = intsAttr(op, attrs, 'strides', [1, 1]) as [number, number];
  const [pt, pl] = intsAttr(op, attrs, 'pads', [0, 0, 0, 0]) as [number, number];
  const [dh, dw] = intsAttr(op, attrs, 'dilations', [1, 1]) as [number, number];
  const group = numAttr(op, attrs, 'group', 1);
  if (C !== Cg * group || M % group !== 0) {
    throw new Error(`${op}: input ${fmt(inputShape)} and w ${fmt(w.shape)} do not fit group ${group}`);
  }
  const [dN, dM, OH, OW] = dy.shape as [number, number, number, number];
  if (dN !== N || dM !== M) {
    throw new Error(`${op}: dy ${fmt(dy.shape)} does not fit input ${fmt(inputShape)} and w ${fmt(w.shape)}`);
  }
  return { inputShape, N, C, H, W, M, Cg, KH, KW, sh, sw, pt, pl, dh, dw, group, OH, OW };
}
