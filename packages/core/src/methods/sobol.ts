import { InvalidInputError } from '../errors.ts';
import { throwIfAborted, yieldBetweenPasses } from './batch.ts';
import { type MaskedScorer, type PerturbationAttribution, type PerturbationOptions, checkBatch, checkSeed } from './perturbation.ts';
import { SOBOL_MAX_DIMENSIONS, SobolSequence } from './sobolSequence.ts';

export interface SobolOptions extends PerturbationOptions {
  /**
   * Designs k, the quasi-Monte-Carlo points (interpreto's `n_granularity_perturbations`,
   * default 32). Without it and with `samples`, the most the budget allows:
   * ⌊samples / (features + 1)⌋ for total order, ⌊samples / (features + 2)⌋ for first order.
   * Powers of two keep the Sobol points balanced.
   */
  designs?: number;
  /** Which indices: 'total' (interpreto's default) or 'first'. */
  order?: 'total' | 'first';
  /** Scramble the Sobol sequence (scipy's default, so interpreto's), seeded by `seed`. Default true. */
  scramble?: boolean;
}

export interface SobolAttribution extends PerturbationAttribution {
  /** Designs used (k). */
  designs: number;
}

/**
 * Sobol attribution (Fel et al. 2021) as interpreto computes it for text
 * (`attributions/methods/sobol_attribution.py`, `perturbations/sobol_perturbation.py`,
 * `aggregations/sobol_aggregation.py`): k points of a 2d-dimensional Sobol sequence give two
 * design matrices A and B (the first and last d columns); C_i is A with column i taken from
 * B. Text masks are binarised as interpreto does (`masks < 0.5` is removed): feature i is
 * kept where the coordinate is ≥ 0.5. With V the unbiased variance of f(A) over the designs,
 * the total-order index (Jansen's estimator, interpreto's form) is
 *   ST_i = mean_k (f(A) − f(C_i))² / (2V + 1e-6)
 * and the first-order one (V − mean_k (f(B) − f(C_i))² / 2) / (V + 1e-6).
 * Evaluations: k(d + 1) for total order (f(B) is not needed, interpreto scores it anyway),
 * k(d + 2) for first order. d ≤ 512 (the bundled direction numbers).
 *
 * Caveat inherited from binarising a Sobol sequence: only the first bit of each coordinate
 * matters, and over 2^m points it is one of 2^(m−1) linear functions of the point index, so
 * with few designs for many features (2d > k/2) some columns repeat: a feature whose A and B
 * columns coincide gets ST = 0, and features whose columns coincide move together. Give
 * k ≥ 4d (a power of two) to avoid it; the default 32 is interpreto's.
 */
export async function sobol(scorer: MaskedScorer, options: SobolOptions = {}): Promise<SobolAttribution> {
  const d = scorer.features;
  if (!Number.isInteger(d) || d < 1) throw new InvalidInputError(`sobol: the scorer needs at least one feature, got ${d}`, 'bad_features');
  if (2 * d > SOBOL_MAX_DIMENSIONS) {
    throw new InvalidInputError(
      `sobol: at most ${SOBOL_MAX_DIMENSIONS / 2} features (Sobol directions for ${SOBOL_MAX_DIMENSIONS} dimensions), got ${d}; group tokens into words`,
      'bad_features',
    );
  }
  const order = options.order ?? 'total';
  if (order !== 'total' && order !== 'first')
    throw new InvalidInputError(`sobol: order must be 'total' or 'first', got ${String(order)}`, 'bad_perturbation');
  const perDesign = d + (order === 'total' ? 1 : 2);
  const { samples } = options;
  if (samples !== undefined && (!Number.isInteger(samples) || samples < 1)) {
    throw new InvalidInputError(`sobol: samples must be a positive integer, got ${samples}`, 'bad_samples');
  }
  const k = options.designs ?? (samples !== undefined ? Math.floor(samples / perDesign) : 32);
  if (!Number.isInteger(k) || k < 2) {
    throw new InvalidInputError(
      options.designs === undefined && samples !== undefined
        ? `sobol: samples ${samples} allow ${k} designs of ${perDesign} evaluations; at least 2 are needed (${2 * perDesign} samples)`
        : `sobol: designs must be an integer ≥ 2, got ${k}`,
      'bad_samples',
    );
  }
  if (samples !== undefined && k * perDesign > samples) {
    throw new InvalidInputError(`sobol: ${k} designs need ${k * perDesign} evaluations, over samples ${samples}`, 'bad_samples');
  }
  const batchSize = checkBatch(options.batchSize);

  const seed = checkSeed(options.seed);
  const seq = new SobolSequence(2 * d, { scramble: options.scramble ?? true, seed });
  const points = seq.points(k);
  const keep = (u: number) => (u >= 0.5 ? 1 : 0);
  const a = points.map((p) => Uint8Array.from(p.subarray(0, d), keep));
  const b = points.map((p) => Uint8Array.from(p.subarray(d), keep));
  // rows: A (k), [B (k) for first order], then C_i for i = 0..d−1 (k each)
  const withB = order === 'first';
  const total = k * perDesign;
  const row = (r: number): Uint8Array => {
    if (r < k) return a[r]!;
    if (withB && r < 2 * k) return b[r - k]!;
    const c = r - (withB ? 2 * k : k);
    const i = Math.floor(c / k);
    const j = c % k;
    const m = a[j]!.slice();
    m[i] = b[j]![i]!;
    return m;
  };
  const f = new Float64Array(total);
  for (let s = 0; s < total; s += batchSize) {
    throwIfAborted(options.signal);
    const masks = Array.from({ length: Math.min(batchSize, total - s) }, (_, t) => row(s + t));
    const got = await scorer.scores(masks);
    if (got.length !== masks.length)
      throw new InvalidInputError(`MaskedScorer returned ${got.length} scores for ${masks.length} masks`, 'bad_scorer');
    f.set(got, s);
    options.onProgress?.((s + masks.length) / total, 'sobol');
    await yieldBetweenPasses(options);
  }
  throwIfAborted(options.signal);

  const fA = f.subarray(0, k);
  const mean = fA.reduce((x, y) => x + y, 0) / k;
  const variance = fA.reduce((x, y) => x + (y - mean) ** 2, 0) / (k - 1);
  const cStart = withB ? 2 * k : k;
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sq = 0;
    for (let j = 0; j < k; j++) {
      const ref = withB ? f[k + j]! : fA[j]!;
      sq += (ref - f[cStart + i * k + j]!) ** 2;
    }
    sq /= k;
    values[i] = withB ? (variance - sq / 2) / (variance + 1e-6) : sq / (2 * variance + 1e-6);
  }
  return { values, evaluations: total, designs: k };
}
