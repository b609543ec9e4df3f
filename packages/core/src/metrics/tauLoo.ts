import { type MaskedScorer, type PerturbationOptions, scoreMasks } from '../methods/perturbation.ts';
import { kendallTauB } from './kendallTau.ts';
import { type AttributionValues, attributionValues, mask } from './ranking.ts';

export interface TauLoo {
  /** Kendall's τ-b between the attributions and the leave-one-out drops; NaN (null in JSON) when either is constant or there is one feature, as scipy. */
  value: number;
  /** f(x) − f(x without feature i), for each feature i. */
  drops: Float64Array;
  /** f(x): the score of the whole input. */
  full: number;
}

/**
 * ferret's `TauLOO_Evaluation` (taucorr_loo): each feature removed alone, its drop
 * f(x) − f(x without it) (ferret's `-(loo − baseline)`), and scipy's `kendalltau(drops,
 * attributions)[0]` (τ-b). Every attribution counts, positive or not (ferret's `only_pos` is not
 * read here); null ranks lowest, as in the other metrics. Higher is better, in [−1, 1].
 */
export async function tauLoo(
  scorer: MaskedScorer,
  attributions: AttributionValues,
  options: Omit<PerturbationOptions, 'samples' | 'seed'> = {},
): Promise<TauLoo> {
  const values = attributionValues(scorer, attributions);
  const n = values.length;
  const masks = [new Uint8Array(n).fill(1), ...Array.from({ length: n }, (_, i) => mask(n, [i], 0))];
  const all = await scoreMasks(scorer, masks, options, 'taucorr_loo');
  const full = all[0]!;
  const drops = all.slice(1).map((s) => full - s);
  return { value: kendallTauB(drops, values), drops, full };
}
