import type { MaskedScorer } from '../methods/perturbation.ts';
import { type AopcOptions, aopc } from './aopc.ts';
import type { AttributionValues } from './ranking.ts';

/**
 * ferret's AOPC sufficiency (`AOPC_Sufficiency_Evaluation`): the mean over its bins of
 * f(x) − f(only the top-k positive features), k = int(bin · n). Lower is better.
 */
export async function sufficiency(scorer: MaskedScorer, attributions: AttributionValues, options: AopcOptions = {}): Promise<number> {
  return (await aopc('sufficiency', scorer, attributions, options)).value;
}
