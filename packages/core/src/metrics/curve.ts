import { InvalidInputError } from '../errors.ts';
import { type MaskedScorer, type PerturbationOptions, scoreMasks } from '../methods/perturbation.ts';
import { type AttributionValues, attributionValues, descendingOrder, mask } from './ranking.ts';

export interface CurveOptions extends Omit<PerturbationOptions, 'samples' | 'seed'> {
  /** interpreto's `n_perturbations`: at most this many perturbation steps (the curve has one point more). Default 100. */
  steps?: number;
  /** interpreto's `max_percentage_perturbed`: the fraction of the features perturbed by the last step. Default 1. */
  maxFraction?: number;
}

/** A deletion or insertion curve and its area. */
export interface Curve {
  /** Area under the curve over [0, 1], by the trapezoid rule on equally spaced points (interpreto's). */
  auc: number;
  /** Features perturbed at each point (removed for deletion, inserted for insertion), from 0. */
  counts: number[];
  /** The scorer's score at each point. */
  scores: Float64Array;
}

/**
 * interpreto's insertion / deletion curve (`InsertionDeletionPerturbator`): features ordered by
 * decreasing attribution; N = ⌈n · maxFraction⌉ features are perturbed in p = min(steps, N) + 1
 * points, point i perturbing the first ⌊i · N / (p − 1)⌋ of them (torch.linspace(0, N, p), truncated).
 * Deletion starts from the whole input and removes them; insertion starts from the empty input
 * and inserts them. AUC = (Σ s − (s₀ + s_last) / 2) / (p − 1).
 */
export async function perturbationCurve(
  kind: 'deletion' | 'insertion',
  scorer: MaskedScorer,
  attributions: AttributionValues,
  options: CurveOptions = {},
): Promise<Curve> {
  const values = attributionValues(scorer, attributions);
  const n = values.length;
  const steps = options.steps ?? 100;
  if (!Number.isInteger(steps) || steps < 1)
    throw new InvalidInputError(`steps must be a positive integer, got ${options.steps}`, 'bad_steps');
  const fraction = options.maxFraction ?? 1;
  if (!(fraction > 0 && fraction <= 1))
    throw new InvalidInputError(`maxFraction must be in (0, 1], got ${options.maxFraction}`, 'bad_max_fraction');
  const order = descendingOrder(values);
  const total = Math.ceil(n * fraction);
  const p = Math.min(steps, total) + 1;
  const counts = Array.from({ length: p }, (_, i) => Math.floor((i * total) / (p - 1)));
  // deletion: the first `count` features removed (0), the rest kept; insertion: the first `count` kept (1), the rest removed.
  const masks = counts.map((c) => (kind === 'deletion' ? mask(n, order.slice(0, c), 0) : mask(n, order.slice(0, c), 1)));
  const scores = await scoreMasks(scorer, masks, options, kind);
  return { auc: trapezoidAUC(scores), counts, scores };
}

/** interpreto's AUC of a curve on equally spaced points over [0, 1]. */
export function trapezoidAUC(s: ArrayLike<number>): number {
  if (s.length < 2) throw new InvalidInputError('a curve needs at least two points', 'bad_curve');
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i]!;
  return (sum - 0.5 * (s[0]! + s[s.length - 1]!)) / (s.length - 1);
}
