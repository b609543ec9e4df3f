import { InvalidInputError } from '../errors.ts';
import {
  type MaskedScorer,
  type PerturbationAttribution,
  type PerturbationOptions,
  checkBatch,
  checkFeatures,
  scoreMasks,
} from './perturbation.ts';

export interface FeatureAblationOptions extends PerturbationOptions {
  /**
   * Features removed together (Captum's feature_mask): disjoint lists of feature indices. Every
   * feature of a group gets the group's attribution; a feature in no group is never removed
   * and gets 0. Default: each feature alone (leave-one-out). `samples` and `seed` are unused:
   * ablation is deterministic and spends 1 + groups evaluations.
   */
  groups?: number[][];
}

/**
 * Feature ablation (Captum FeatureAblation with a feature mask): each group is removed at once
 * and every feature of the group is attributed f(all kept) − f(group removed).
 */
export async function featureAblation(scorer: MaskedScorer, options: FeatureAblationOptions = {}): Promise<PerturbationAttribution> {
  const n = checkFeatures(scorer);
  checkBatch(options.batchSize);
  const groups = options.groups ?? Array.from({ length: n }, (_, i) => [i]);
  const seen = new Uint8Array(n);
  for (const g of groups) {
    if (!Array.isArray(g) || g.length === 0)
      throw new InvalidInputError('feature ablation groups must be non-empty lists of feature indices', 'bad_groups');
    for (const i of g) {
      if (!Number.isInteger(i) || i < 0 || i >= n)
        throw new InvalidInputError(`feature ablation group index ${i} is not a feature (0..${n - 1})`, 'bad_groups');
      if (seen[i]) throw new InvalidInputError(`feature ${i} is in two ablation groups; groups must be disjoint`, 'bad_groups');
      seen[i] = 1;
    }
  }
  const masks = [new Uint8Array(n).fill(1)];
  for (const g of groups) {
    const m = new Uint8Array(n).fill(1);
    for (const i of g) m[i] = 0;
    masks.push(m);
  }
  const scores = await scoreMasks(scorer, masks, options, 'feature ablation');
  const values = new Float64Array(n);
  groups.forEach((g, k) => g.forEach((i) => (values[i] = scores[0]! - scores[k + 1]!)));
  return { values, inputScore: scores[0]!, evaluations: masks.length };
}
