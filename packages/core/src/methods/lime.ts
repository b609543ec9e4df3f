import { InvalidInputError } from '../errors.ts';
import { linearFit } from './linearFit.ts';
import {
  type MaskedScorer,
  type PerturbationAttribution,
  type PerturbationOptions,
  checkBatch,
  checkFeatures,
  checkSamples,
  checkSeed,
  scoreMasks,
} from './perturbation.ts';
import { Rng } from './rng.ts';

export const LIME_DISTANCES = ['cosine', 'euclidean', 'hamming'] as const;
export type LimeDistance = (typeof LIME_DISTANCES)[number];

export interface LimeOptions extends PerturbationOptions {
  /**
   * Distance between a sample's binary vector z (1 = kept) and the input's (all ones), as
   * interpreto's DistancesFromMask offers, over n features with k kept:
   * 'cosine' 1 − cos(z, 1) = 1 − √(k/n) (1 when nothing is kept; the original LIME's text distance),
   * 'euclidean' ‖1 − z‖ = √(n − k), 'hamming' n − k (removed features, not normalised, as interpreto).
   * Default 'cosine' (interpreto's default).
   */
  distance?: LimeDistance;
  /** Width σ of the similarity kernel exp(−d²/σ²) (interpreto's kernel; Captum's divides by 2σ²). Default 0.75·√n (interpreto's default_kernel_width_fn). */
  kernelWidth?: number;
  /** L2 penalty of the weighted linear surrogate (intercept not penalised). Default 0 (interpreto's closed form, whose 1e-6 only guards the inversion; the lime package uses 1, Captum a Lasso of alpha 0.01). */
  ridge?: number;
}

/**
 * LIME (Ribeiro et al. 2016) over binary interpretable features: `samples` masks (default 100,
 * interpreto's n_perturbations) are scored, the first the unperturbed input (as the original
 * LIME does), the others with each feature kept independently with probability 1/2 (Captum's
 * default perturb_func and interpreto's RandomMaskedPerturbator with perturb_probability 0.5);
 * each is weighted by exp(−d(z)²/σ²) and a weighted linear model with intercept is fitted to
 * the scores on z (float64, linearFit: minimum-norm when the masks do not determine it). Its
 * coefficients are the attributions: the score gained by keeping each feature.
 *
 * Defaults follow interpreto's Lime (distance, kernel and its width, sample count, unpenalised
 * fit). Captum's Lime differs: 50 samples, exp(−d²/(2σ²)) with σ = 1 and the cosine distance
 * taken between the original and the perturbed *model inputs* (not the binary vectors), and a
 * Lasso (alpha 0.01) as interpretable model; its sampling (Bernoulli ½ per feature) is ours.
 * Note interpreto's 'cosine' is computed on its mask of *removed* features; ours, like the
 * original LIME's text explainer, on the kept ones, so that the unperturbed input is at 0.
 */
export async function lime(scorer: MaskedScorer, options: LimeOptions = {}): Promise<PerturbationAttribution> {
  const n = checkFeatures(scorer);
  checkBatch(options.batchSize);
  const samples = checkSamples(options.samples, 100);
  const rng = new Rng(checkSeed(options.seed));
  const distance = options.distance ?? 'cosine';
  if (!LIME_DISTANCES.includes(distance))
    throw new InvalidInputError(`LIME distance must be one of ${LIME_DISTANCES.join(', ')}, got ${distance}`, 'bad_distance');
  const width = options.kernelWidth ?? 0.75 * Math.sqrt(n);
  if (!(width > 0) || !Number.isFinite(width))
    throw new InvalidInputError(`LIME kernelWidth must be a positive number, got ${options.kernelWidth}`, 'bad_kernel_width');
  const ridge = options.ridge ?? 0;
  if (!(ridge >= 0) || !Number.isFinite(ridge))
    throw new InvalidInputError(`LIME ridge must be a finite number ≥ 0, got ${options.ridge}`, 'bad_ridge');

  const masks: Uint8Array[] = [new Uint8Array(n).fill(1)];
  for (let s = 1; s < samples; s++) {
    const m = new Uint8Array(n);
    for (let i = 0; i < n; i++) m[i] = rng.next() < 0.5 ? 1 : 0;
    masks.push(m);
  }
  const weights = masks.map((m) => {
    const d = limeDistance(m, distance);
    return Math.exp(-(d * d) / (width * width));
  });
  const scores = await scoreMasks(scorer, masks, options, 'lime');
  const fit = linearFit(masks, scores, { weights, ridge });
  return { values: fit.coef, inputScore: scores[0]!, evaluations: masks.length };
}

/** d(z, 1) for a binary vector z (1 = kept); see LimeOptions.distance. */
export function limeDistance(mask: ArrayLike<number>, distance: LimeDistance): number {
  const n = mask.length;
  let kept = 0;
  for (let i = 0; i < n; i++) kept += mask[i]!;
  if (distance === 'hamming') return n - kept;
  if (distance === 'euclidean') return Math.sqrt(n - kept);
  return 1 - Math.sqrt(kept / n);
}
