import type { MaskedScorer } from '../methods/perturbation.ts';
import { type AopcOptions, aopc } from './aopc.ts';
import type { AttributionValues } from './ranking.ts';

/**
 * ferret's AOPC comprehensiveness (`AOPC_Comprehensiveness_Evaluation`): the mean over its bins
 * of f(x) − f(x without the top-k positive features), k = int(bin · n). Higher is better.
 */
export async function comprehensiveness(scorer: MaskedScorer, attributions: AttributionValues, options: AopcOptions = {}): Promise<number> {
  return (await aopc('comprehensiveness', scorer, attributions, options)).value;
}
