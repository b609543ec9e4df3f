import { InvalidInputError } from '../errors.ts';
import { type HostTensor, formatShape, sizeOf, tensor } from '../tensor.ts';
import { type ProgressOptions, forEachBatch, throwIfAborted } from './batch.ts';
import { type IntegrationMethod, integrationScheme } from './integration.ts';
import type { Attribution, BatchOptions, DifferentiableFunction } from './types.ts';

export interface IntegratedGradientsOptions extends BatchOptions, ProgressOptions {
  /** Number of points on the path (Captum's n_steps). Default 50. */
  steps?: number;
  /** Default 'gausslegendre', as Captum. */
  method?: IntegrationMethod;
  /** Compute f(input) and f(baseline) for the convergence delta. Default true. */
  convergenceDelta?: boolean;
}

/**
 * Integrated Gradients (Sundararajan et al. 2017) with Captum's integration rules:
 * attribution = (x − b) ⊙ Σ_k w_k ∇f(b + α_k (x − b)). `input` and `baseline` have the
 * feature shape (no batch axis). Accumulates in float64.
 */
export async function integratedGradients(
  fn: DifferentiableFunction,
  input: HostTensor,
  baseline: HostTensor,
  options: IntegratedGradientsOptions = {},
): Promise<Attribution> {
  if (baseline.shape.length !== input.shape.length || sizeOf(baseline.shape) !== sizeOf(input.shape)) {
    throw new InvalidInputError(
      `baseline shape ${formatShape(baseline.shape)} differs from input shape ${formatShape(input.shape)}`,
      'bad_baseline',
    );
  }
  const { alphas, weights } = integrationScheme(options.method ?? 'gausslegendre', options.steps ?? 50);
  const n = sizeOf(input.shape);
  const x = input.data;
  const b = baseline.data;
  const diff = new Float32Array(n);
  for (let i = 0; i < n; i++) diff[i] = Math.fround(x[i]! - b[i]!);
  const total = new Float64Array(n);
  await forEachBatch(
    alphas.length,
    input.shape,
    options.internalBatchSize ?? fn.rowsPerPass?.(),
    (k, row) => {
      const a = alphas[k]!;
      for (let i = 0; i < n; i++) row[i] = b[i]! + a * diff[i]!;
    },
    async (batch, start) => {
      const { grads } = await fn.gradients(batch);
      const rows = batch.shape[0]!;
      for (let k = 0; k < rows; k++) {
        const w = weights[start + k]!;
        const g = grads.data;
        for (let i = 0; i < n; i++) total[i]! += w * g[k * n + i]!;
      }
    },
    { onProgress: options.onProgress, signal: options.signal, stage: 'integrated-gradients' },
  );
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = total[i]! * diff[i]!;
  const result: Attribution = { values, shape: [...input.shape] };
  if (options.convergenceDelta ?? true) {
    const both = new Float32Array(2 * n);
    both.set(x as Float32Array, 0);
    both.set(b as Float32Array, n);
    const [fx, fb] = await fn.scores(tensor('float32', [2, ...input.shape], both));
    throwIfAborted(options.signal);
    result.inputScore = fx!;
    result.baselineScore = fb!;
    result.convergenceDelta = values.reduce((s, v) => s + v, 0) - (fx! - fb!);
  }
  return result;
}
