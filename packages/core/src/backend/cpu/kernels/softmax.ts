// Softmax and LogSoftmax over one axis (opset-13 semantics), max-subtracted, in float64.
import { tensor } from '../../../tensor.ts';
import { axisOf, checkInputs, expectFloat, intAttr, splitAround } from '../../attrs.ts';
import { registerCpuKernel } from '../registry.ts';

function softmaxKernel(op: string, log: boolean) {
  registerCpuKernel(op, (inputs, attrs) => {
    checkInputs(op, inputs, 1);
    const x = inputs[0]!;
    expectFloat(op, x);
    const axis = axisOf(op, intAttr(op, attrs, 'axis', -1), x.shape);
    const [outer, n, inner] = splitAround(x.shape, axis);
    const src = x.data;
    const out = new Float32Array(src.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let max = -Infinity;
        for (let k = 0; k < n; k++) {
          const v = src[base + k * inner]!;
          if (v > max || v !== v) max = v;
        }
        let sum = 0;
        for (let k = 0; k < n; k++) sum += Math.exp(src[base + k * inner]! - max);
        if (log) {
          const shift = max + Math.log(sum);
          for (let k = 0; k < n; k++) out[base + k * inner] = src[base + k * inner]! - shift;
        } else {
          for (let k = 0; k < n; k++) out[base + k * inner] = Math.exp(src[base + k * inner]! - max) / sum;
        }
      }
    }
    return [tensor('float32', x.shape, out)];
  });
}

/** Registers the CPU kernels of softmax.ts (called once, by the folder's index). */
export function registerCpuSoftmax(): void {
  softmaxKernel('Softmax', false);
  softmaxKernel('LogSoftmax', true);
}
