import { InvalidInputError } from '../errors.ts';
import { type HostTensor, sizeOf } from '../tensor.ts';
import { type ProgressOptions, forEachBatch } from './batch.ts';
import { Rng } from './rng.ts';
import type { Attribution, BatchOptions, DifferentiableFunction } from './types.ts';

export const NOISE_TUNNEL_TYPES = ['smoothgrad', 'smoothgrad_sq', 'vargrad'] as const;
export type NoiseTunnelType = (typeof NOISE_TUNNEL_TYPES)[number];
/** The noise-tunnel methods of the text and image explainers (transformers-interpret's names) and the type each one is. */
export const NOISE_TUNNEL_METHODS = {
  smoothgrad: 'smoothgrad',
  'smoothgrad-sq': 'smoothgrad_sq',
  vargrad: 'vargrad',
} as const satisfies Record<string, NoiseTunnelType>;

export interface NoiseTunnelOptions extends BatchOptions, ProgressOptions {
  /** SmoothGrad (mean), SquareGrad (mean of squares) or VarGrad (variance). Default 'smoothgrad'. */
  type?: NoiseTunnelType;
  /** Noisy samples. Default 20. */
  samples?: number;
  /**
   * Standard deviation of the Gaussian noise. Default: 0.15 × (max − min) of the input,
   * the noise level Smilkov et al. (2017) recommend.
   */
  stdev?: number;
  seed?: number;
}

/**
 * Gradients averaged over Gaussian-noised copies of the input (Captum NoiseTunnel over
 * Saliency with abs=False): SmoothGrad E[g], SquareGrad E[g²], VarGrad E[g²] − E[g]².
 */
export async function noiseTunnel(fn: DifferentiableFunction, input: HostTensor, options: NoiseTunnelOptions = {}): Promise<Attribution> {
  const type = options.type ?? 'smoothgrad';
  if (!NOISE_TUNNEL_TYPES.includes(type))
    throw new InvalidInputError(`unknown noise tunnel type "${type}"; use one of ${NOISE_TUNNEL_TYPES.join(', ')}`, 'bad_method');
  const samples = options.samples ?? 20;
  if (!Number.isInteger(samples) || samples < 1)
    throw new InvalidInputError(`samples must be a positive integer, got ${samples}`, 'bad_samples');
  const x = input.data;
  const n = sizeOf(input.shape);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const stdev = options.stdev ?? 0.15 * (hi - lo);
  if (!(stdev >= 0)) throw new InvalidInputError(`stdev must be ≥ 0, got ${stdev}`, 'bad_stdev');
  const rng = new Rng(options.seed ?? 42);
  const sum = new Float64Array(n);
  const sumSq = new Float64Array(n);
  await forEachBatch(
    samples,
    input.shape,
    options.internalBatchSize ?? fn.rowsPerPass?.(),
    (_, row) => {
      for (let i = 0; i < n; i++) row[i] = x[i]! + stdev * rng.normal();
    },
    async (batch) => {
      const { grads } = await fn.gradients(batch);
      const g = grads.data;
      for (let k = 0; k < batch.shape[0]!; k++) {
        for (let i = 0; i < n; i++) {
          const v = g[k * n + i]!;
          sum[i]! += v;
          sumSq[i]! += v * v;
        }
      }
    },
    { onProgress: options.onProgress, signal: options.signal, stage: type },
  );
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const mean = sum[i]! / samples;
    const meanSq = sumSq[i]! / samples;
    values[i] = type === 'smoothgrad' ? mean : type === 'smoothgrad_sq' ? meanSq : meanSq - mean * mean;
  }
  return { values, shape: [...input.shape] };
}
