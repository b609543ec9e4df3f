// DequantizeLinear and DynamicQuantizeLinear (uint8), with onnxruntime's float32
// arithmetic reproduced step by step through Math.fround.
import { tensor } from '../../../tensor.ts';
import { axisOf, checkInputs, expectFloat, expectInteger, fmt, intAttr, prod } from '../../attrs.ts';
import { registerCpuKernel } from '../registry.ts';
import { optionalInput, roundHalfEven } from './util.ts';

const f32 = Math.fround;

/** Registers the CPU kernels of quantize.ts (called once, by the folder's index). */
export function registerCpuQuantize(): void {
  // y = (x − zeroPoint) · scale, per tensor (scalar scale) or per slice along `axis` (1-D).
  registerCpuKernel('DequantizeLinear', (inputs, attrs) => {
    checkInputs('DequantizeLinear', inputs, 2, 3);
    const x = inputs[0]!,
      scale = inputs[1]!,
      zp = optionalInput(inputs, 2);
    expectInteger('DequantizeLinear', x, 'x');
    expectFloat('DequantizeLinear', scale, 'scale');
    if (zp) {
      if (zp.dtype !== x.dtype || zp.data.length !== scale.data.length) {
        throw new Error(
          `DequantizeLinear: zero point ${zp.dtype} ${fmt(zp.shape)} must match x's dtype ${x.dtype} and scale ${fmt(scale.shape)}`,
        );
      }
    }
    if (intAttr('DequantizeLinear', attrs, 'block_size', 0) !== 0)
      throw new Error('DequantizeLinear: blocked quantization is not supported');
    const n = x.data.length;
    const out = new Float32Array(n);
    const xd = x.data,
      s = scale.data,
      z = zp?.data;
    if (scale.data.length === 1 && scale.shape.length <= 1) {
      const s0 = s[0]!,
        z0 = z ? z[0]! : 0;
      for (let i = 0; i < n; i++) out[i] = f32(xd[i]! - z0) * s0;
    } else {
      if (scale.shape.length !== 1)
        throw new Error(`DequantizeLinear: scale ${fmt(scale.shape)} must be a scalar or 1-D (x ${fmt(x.shape)})`);
      const axis = axisOf('DequantizeLinear', intAttr('DequantizeLinear', attrs, 'axis', 1), x.shape);
      const dim = x.shape[axis]!;
      if (scale.data.length !== dim) {
        throw new Error(`DequantizeLinear: scale ${fmt(scale.shape)} must have ${dim} elements for axis ${axis} of x ${fmt(x.shape)}`);
      }
      const inner = prod(x.shape, axis + 1);
      for (let i = 0; i < n; i++) {
        const c = Math.floor(i / inner) % dim;
        out[i] = f32(xd[i]! - (z ? z[c]! : 0)) * s[c]!;
      }
    }
    return [tensor('float32', x.shape, out)];
  });
  // As onnxruntime (GetQuantizationParameter + MlasQuantizeLinear), all in float32:
  //   min = min(0, min x), max = max(0, max x)
  //   scale = max == min ? 1 : (max − min) / 255
  //   zp = round_half_even(clamp(0 − min / scale, 0, 255))
  //   y = clamp(round_half_even(x / scale) + zp, 0, 255)
  registerCpuKernel('DynamicQuantizeLinear', (inputs) => {
    checkInputs('DynamicQuantizeLinear', inputs, 1);
    const x = inputs[0]!;
    expectFloat('DynamicQuantizeLinear', x, 'x');
    const xd = x.data;
    let min = 0;
    let max = 0;
    for (let i = 0; i < xd.length; i++) {
      const v = xd[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const scale = max === min ? 1 : f32(f32(max - min) / 255);
    const zp = roundHalfEven(Math.max(0, Math.min(255, f32(0 - f32(min / scale)))));
    const y = new Int32Array(xd.length);
    for (let i = 0; i < xd.length; i++) {
      const q = roundHalfEven(f32(xd[i]! / scale)) + zp;
      y[i] = q < 0 ? 0 : q > 255 ? 255 : q;
    }
    return [tensor('uint8', x.shape, y), tensor('float32', [], [scale]), tensor('uint8', [], [zp])];
  });
}
