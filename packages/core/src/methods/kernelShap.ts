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

export interface KernelShapAttribution extends PerturbationAttribution {
  /** Every coalition was evaluated: the values are the exact Shapley values of the masked game. */
  exact: boolean;
}

/**
 * KernelSHAP (Lundberg & Lee 2017) following shap's KernelExplainer: a weighted linear
 * regression of the scores of coalitions z (1 = feature kept) on z with the Shapley kernel
 * π(z) = (n − 1) / (C(n, |z|)·|z|·(n − |z|)), with φ0 = f(none) fixed and the efficiency
 * constraint Σφ = f(all) − f(none) imposed exactly (linearFit's sumTo; shap eliminates one
 * variable, which is the same problem). `samples` (default 2n + 2048, shap's nsamples="auto")
 * counts every evaluation, f(all) and f(none) included:
 *
 * - when 2^n − 2 ≤ samples − 2, every coalition is evaluated and the result equals the exact
 *   Shapley values of the game v(S) = f(mask of S);
 * - otherwise shap's sampler: sizes s and n − s are paired; going from the smallest size up,
 *   a size (with its complement) is enumerated in full, with its share of the kernel weight,
 *   while the budget left times its share covers all its coalitions; the rest of the budget
 *   draws sizes in proportion to the remaining kernel weight and features uniformly, each draw
 *   followed by its complement (paired sampling), a repeated coalition adding to its weight
 *   instead of costing an evaluation (at most 4× the remaining budget draws, as shap), and
 *   the drawn weights are rescaled to the remaining kernel weight. Not reproduced: shap's
 *   l1_reg="auto" feature selection when fewer than 20% of the coalitions are sampled.
 *
 * With n ≥ 2 and samples = 2 (no coalition), the minimum-norm solution of the constraint is
 * returned: (f(all) − f(none)) / n each.
 *
 * The peers differ: Captum's KernelShap (n_samples default 25) and interpreto's (ShapPerturbator,
 * n_perturbations default 100) draw every coalition at random, the size k with probability
 * ∝ (n − 1)/(k(n − k)) and the features uniformly, with unit regression weights and no exact
 * constraint (Captum weights the all/none coalitions 10⁶ instead; interpreto fits an intercept);
 * neither enumerates nor pairs. Those estimators are unbiased for the same target but not exact
 * for small n; this one is shap's, which is (and so is the efficiency, to rounding).
 */
export async function kernelShap(scorer: MaskedScorer, options: PerturbationOptions = {}): Promise<KernelShapAttribution> {
  const n = checkFeatures(scorer);
  checkBatch(options.batchSize);
  const samples = checkSamples(options.samples, 2 * n + 2048);
  const rng = new Rng(checkSeed(options.seed));
  const budget = samples - 2;
  const exact = 2 ** n - 2 <= budget;
  const { masks: coalitions, weights } = exact ? allCoalitions(n) : sampledCoalitions(n, budget, rng);
  const masks = [new Uint8Array(n).fill(1), new Uint8Array(n), ...coalitions];
  const scores = await scoreMasks(scorer, masks, options, 'kernel shap');
  const fx = scores[0]!;
  const f0 = scores[1]!;
  let values: Float64Array;
  if (n === 1) values = Float64Array.of(fx - f0);
  else if (coalitions.length === 0) values = new Float64Array(n).fill((fx - f0) / n);
  else {
    const y = scores.subarray(2).map((v) => v - f0);
    values = linearFit(coalitions, y, { weights, intercept: false, sumTo: fx - f0 }).coef;
  }
  return { values, inputScore: fx, baselineScore: f0, evaluations: masks.length, exact };
}

/** The Shapley kernel weight of one coalition of `size` kept features among n (0 < size < n). */
export function shapleyKernel(n: number, size: number): number {
  return (n - 1) / (binomial(n, size) * size * (n - size));
}

function binomial(n: number, k: number): number {
  let r = 1;
  const kk = Math.min(k, n - k);
  for (let i = 1; i <= kk; i++) r = (r * (n - kk + i)) / i;
  return r;
}

/** Every coalition but the empty and the full one, with its Shapley kernel weight. */
function allCoalitions(n: number): { masks: Uint8Array[]; weights: number[] } {
  const masks: Uint8Array[] = [];
  const weights: number[] = [];
  for (let code = 1; code < 2 ** n - 1; code++) {
    const m = new Uint8Array(n);
    let size = 0;
    for (let i = 0; i < n; i++) if (Math.floor(code / 2 ** i) % 2) (m[i] = 1), size++;
    masks.push(m);
    weights.push(shapleyKernel(n, size));
  }
  return { masks, weights };
}

/** shap KernelExplainer's coalitions for a budget below 2^n − 2 (see kernelShap). */
function sampledCoalitions(n: number, budget: number, rng: Rng): { masks: Uint8Array[]; weights: number[] } {
  const masks: Uint8Array[] = [];
  const weights: number[] = [];
  const sizes = Math.ceil((n - 1) / 2);
  const paired = Math.floor((n - 1) / 2);
  // Kernel weight of each size s = 1..sizes (doubled where s and n − s are distinct sizes), normalised.
  const weightVector = Array.from({ length: sizes }, (_, i) => ((n - 1) / ((i + 1) * (n - i - 1))) * (i < paired ? 2 : 1));
  const total = weightVector.reduce((a, v) => a + v, 0);
  for (let i = 0; i < sizes; i++) weightVector[i]! /= total;

  let full = 0;
  let left = budget;
  const remaining = [...weightVector];
  for (let size = 1; size <= sizes; size++) {
    const count = binomial(n, size) * (size <= paired ? 2 : 1);
    if (!((left * remaining[size - 1]!) / count >= 1 - 1e-8)) break;
    full++;
    left -= count;
    if (remaining[size - 1]! < 1) {
      const r = 1 - remaining[size - 1]!;
      for (let i = 0; i < sizes; i++) remaining[i]! /= r;
    }
    const w = weightVector[size - 1]! / binomial(n, size) / (size <= paired ? 2 : 1);
    forEachSubset(n, size, (m) => {
      masks.push(m);
      weights.push(w);
      if (size <= paired) {
        masks.push(m.map((v) => 1 - v));
        weights.push(w);
      }
    });
  }
  if (full === sizes || left <= 0) return { masks, weights };

  // Random coalitions: sizes by the remaining kernel weight, features uniformly, with complements.
  const fixed = masks.length;
  const p = weightVector.slice(full).map((v, i) => (i + full < paired ? v / 2 : v));
  const pTotal = p.reduce((a, v) => a + v, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const v of p) cdf.push((acc += v / pTotal));
  const used = new Map<string, number>();
  /** A drawn coalition: new ones cost an evaluation, repeats add to their weight (shap's). */
  const add = (m: Uint8Array) => {
    const key = m.join('');
    const at = used.get(key);
    if (at !== undefined) return void (weights[at]! += 1);
    used.set(key, masks.length);
    masks.push(m);
    weights.push(1);
    left--;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let draw = 0, draws = 4 * left; left > 0 && draw < draws; draw++) {
    const u = rng.next();
    let k = 0;
    while (k < cdf.length - 1 && u >= cdf[k]!) k++;
    const size = k + full + 1;
    // A uniform subset of `size` features: the first `size` of a partial Fisher–Yates shuffle.
    for (let i = 0; i < size; i++) {
      const j = i + Math.floor(rng.next() * (n - i));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const m = new Uint8Array(n);
    for (let i = 0; i < size; i++) m[order[i]!] = 1;
    add(m);
    if (left > 0 && size <= paired) add(m.map((v) => 1 - v));
  }
  const weightLeft = weightVector.slice(full).reduce((a, v) => a + v, 0);
  let drawn = 0;
  for (let i = fixed; i < weights.length; i++) drawn += weights[i]!;
  for (let i = fixed; i < weights.length; i++) weights[i]! *= weightLeft / drawn;
  return { masks, weights };
}

/** Calls `visit` with the mask of every subset of `size` among n features (lexicographic). */
function forEachSubset(n: number, size: number, visit: (mask: Uint8Array) => void): void {
  const idx = Array.from({ length: size }, (_, i) => i);
  for (;;) {
    const m = new Uint8Array(n);
    for (const i of idx) m[i] = 1;
    visit(m);
    let j = size - 1;
    while (j >= 0 && idx[j] === n - size + j) j--;
    if (j < 0) return;
    idx[j]!++;
    for (let k = j + 1; k < size; k++) idx[k] = idx[k - 1]! + 1;
  }
}
