import { type IntegratedGradientsOptions, integratedGradients } from '../../methods/integratedGradients.ts';
import type { Attribution, DifferentiableFunction } from '../../methods/types.ts';
import { type HostTensor, sizeOf, tensor } from '../../tensor.ts';

/** Options of integrated gradients on pixels (and of the noise tunnels over it). */
export const IMAGE_IG_OPTIONS = ['baseline', 'integration', 'steps', 'internalBatchSize'];

/** [C, H, W] → [H][W], reducing the channels of each pixel. */
export function perPixel(a: Attribution, reduce: (acc: number, v: number) => number, start: number): number[][] {
  const [c, h, w] = a.shape as [number, number, number];
  return Array.from({ length: h }, (_, y) =>
    Array.from({ length: w }, (_, x) => {
      let acc = start;
      for (let ch = 0; ch < c; ch++) acc = reduce(acc, a.values[(ch * h + y) * w + x]!);
      return acc;
    }),
  );
}

/** The map of a signed attribution: summed over channels. */
export const channelSum = (attribution: Attribution) => ({ attribution, map: perPixel(attribution, (s, v) => s + v, 0) });

/**
 * Integrated gradients seen as a function whose "gradient" at each row is that row's IG
 * attribution: what Captum's NoiseTunnel(IntegratedGradients) averages over noisy inputs.
 */
export function integratedGradientsAsGradient(
  fn: DifferentiableFunction,
  baseline: HostTensor,
  options: IntegratedGradientsOptions,
): DifferentiableFunction {
  return {
    gradients: async (x) => {
      const n = sizeOf(baseline.shape);
      const out = new Float32Array(x.data.length);
      for (let k = 0; k < x.shape[0]!; k++) {
        const row = tensor('float32', baseline.shape, x.data.subarray(k * n, (k + 1) * n));
        out.set((await integratedGradients(fn, row, baseline, { ...options, convergenceDelta: false })).values, k * n);
      }
      return { scores: await fn.scores(x), grads: tensor('float32', x.shape, out) };
    },
    scores: (x) => fn.scores(x),
    rowsPerPass: () => 1,
  };
}
