import type { MaskedScorer } from '../methods/perturbation.ts';
import { type CurveOptions, perturbationCurve } from './curve.ts';
import type { AttributionValues } from './ranking.ts';

/**
 * interpreto's Insertion metric: the area under the score as the most attributed features are
 * inserted into the empty input (every feature removed), up to (by default) the whole input. Higher is better.
 */
export async function insertionAUC(scorer: MaskedScorer, attributions: AttributionValues, options: CurveOptions = {}): Promise<number> {
  return (await perturbationCurve('insertion', scorer, attributions, options)).auc;
}

export const insertionCurve = (scorer: MaskedScorer, attributions: AttributionValues, options: CurveOptions = {}) =>
  perturbationCurve('insertion', scorer, attributions, options);
