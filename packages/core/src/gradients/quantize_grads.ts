import { registerGradient } from './registry.ts';
import { alongAxis, asFloat, normAxis, num } from './util.ts';

/** Registers the vector-Jacobian products of quantize_grads.ts (called once, by the folder's index). */
export function registerQuantizeGradients(): void {
  /**
   * DynamicQuantizeLinear x → [y, scale, zeroPoint], y ≈ x / scale + zeroPoint:
   * straight-through, dx = dy / scale (dy where scale is 0). The scale and zero-point outputs pass nothing back.
   */
  registerGradient('DynamicQuantizeLinear', ({ ops, outputs: [, scale] }, [g], needs) => {
    if (!g || !needs[0]) return [undefined];
    // An all-zero x quantizes with scale 0; pass g through unscaled rather than as ±inf.
    const one = ops.scalar(1);
    const safe = ops.where(ops.one('Equal', [scale!, ops.scalar(0)]), one, scale!);
    return [ops.div(g, safe)];
  });
  /**
   * DequantizeLinear y = (x − zeroPoint) · scale (scale/zero point scalar or 1-D along axis):
   * dx = dy · scale (straight-through to the integer x), dscale = Σ dy · (x − zeroPoint).
   * The zero point gets none.
   */
  registerGradient('DequantizeLinear', ({ ops, inputs: [x, scale, zp], attrs }, [g], needs) => {
    if (!g) return [];
    const rank = x!.shape.length;
    const axis = normAxis(num(attrs.axis, 1), rank);
    const s = alongAxis(ops, scale!, axis, rank);
    const dx = needs[0] ? ops.mul(g, s) : undefined;
    let dscale;
    if (needs[1]) {
      let xr = asFloat(ops, x!);
      if (zp) xr = ops.sub(xr, alongAxis(ops, asFloat(ops, zp), axis, rank));
      dscale = ops.reshape(ops.unbroadcast(ops.mul(g, xr), s.shape), scale!.shape);
    }
    return [dx, dscale, undefined];
  });
}
