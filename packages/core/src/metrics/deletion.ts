import type { MaskedScorer } from '../methods/perturbation.ts';
import { type CurveOptions, perturbationCurve } from './curve.ts';
import type { AttributionValues } from './ranking.ts';

/**
 * interpreto's Deletion metric: the area under the score as the most attributed features are
 * removed, from the whole input to (by default) none of it. Lower is better.
 */
export async function deletionAUC(scorer: MaskedScorer, attributions: AttributionValues, options: CurveOptions = {}): Promise<number> {
  return (await perturbationCurve('deletion', scorer, attributions, options)).auc;
}

export const deletionCurve = (scorer: MaskedScorer, attributions: AttributionValues, options: CurveOptions = {}) =>
  perturbationCurve('deletion', scorer, attributions, options);
