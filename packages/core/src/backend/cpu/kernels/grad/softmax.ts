import { registerCpuKernel } from '../../registry.ts';
import { tensor } from '../../../../tensor.ts';
import { axisOf, expectFloat, expectShape, numAttr, splitAround } from '../../../attrs.ts';

/**
 * SoftmaxGrad(y, dy; axis):    dx = y ⊙ (dy − Σ_axis dy ⊙ y)
 * LogSoftmaxGrad(y, dy; axis): dx = dy − exp(y) Σ_axis dy
 */
function softmaxLike(op: 'SoftmaxGrad' | 'LogSoftmaxGrad') {
  registerCpuKernel(op, ([y, dy], attrs) => {
    if (!y || !dy) throw new Error(`${op}: expects inputs y, dy`);
    expectFloat(op, y, 'y');
    expectFloat(op, dy, 'dy');
    expectShape(op, dy, y.shape, 'dy');
    const out = tensor('float32', y.shape);
    if (y.shape.length === 0) {
      // Softmax of a scalar is constant 1 and LogSoftmax constant 0: dx = 0.
      return [out];
    }
    const axis = axisOf(op, numAttr(op, attrs, 'axis', -1), y.shape);
    const [outer, n, inner] = splitAround(y.shape, axis);
    const Y = y.data,
      D = dy.data,
      O = out.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let s = 0;
        if (op === 'SoftmaxGrad') {
          for (let k = 0; k < n; k++) s += D[base + k * inner]! * Y[base + k * inner]!;
          for (let k = 0; k < n; k++) {
            const j = base + k * inner;
            O[j] = Y[j]! * (D[j]! - s);
          }
        } else {
          for (let k = 0; k < n; k++) s += D[base + k * inner]!;
          for (let k = 0; k < n; k++) {
            const j = base + k * inner;
            O[j] = D[j]! - Math.exp(Y[j]!) * s;
          }
        }
      }
    }
    return [out];
  });
}

/** Registers the CPU kernels of softmax.ts (called once, by the folder's index). */
export function registerCpuGradSoftmax(): void {
  softmaxLike('SoftmaxGrad');
  softmaxLike('LogSoftmaxGrad');
}
