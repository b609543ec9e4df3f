import { InvalidInputError } from '../errors.ts';
import { type ProgressOptions, throwIfAborted, yieldBetweenPasses } from './batch.ts';

/**
 * A model seen through `features` interpretable features (tokens, words, sentences, image
 * patches): the score of inputs in which feature i is kept where `mask[i]` is 1 and removed
 * (replaced by its baseline, or dropped from attention) where it is 0. Every perturbation
 * method (feature ablation, LIME, KernelSHAP, Partition SHAP, Sobol) attributes through one;
 * adapters build it from a text runner or an image.
 */
export interface MaskedScorer {
  features: number;
  /** One score per mask, in order; the caller batches as it likes. */
  scores(masks: readonly Uint8Array[]): Promise<Float64Array>;
}

export interface PerturbationOptions extends ProgressOptions {
  /** Model evaluations allowed (interpreto's / shap's sample budget); each method documents its default. */
  samples?: number;
  /** Masks scored per call to `scores`. Default 64. */
  batchSize?: number;
  /** Seed of the method's random draws (methods/rng.ts). Default 42. */
  seed?: number;
}

/** One attribution per feature, and what the method learned on the way. */
export interface PerturbationAttribution {
  values: Float64Array;
  /** Score of the unperturbed input (all features kept) and of the empty one (all removed), where the method computes them. */
  inputScore?: number;
  baselineScore?: number;
  /** Model evaluations spent. */
  evaluations: number;
}

/** scorer.features, checked: a positive integer. */
export function checkFeatures(scorer: MaskedScorer): number {
  const n = scorer.features;
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidInputError(`a perturbation method needs at least one feature, got ${n}`, 'bad_features');
  return n;
}

export function checkBatch(batchSize: number | undefined): number {
  const b = batchSize ?? 64;
  if (!Number.isInteger(b) || b < 1)
    throw new InvalidInputError(`batchSize must be a positive integer, got ${batchSize}`, 'bad_batch_size');
  return b;
}

/** `samples` checked: an integer ≥ `min` (default `fallback`). */
export function checkSamples(samples: number | undefined, fallback: number, min = 2): number {
  const s = samples ?? fallback;
  if (!Number.isInteger(s) || s < min) throw new InvalidInputError(`samples must be an integer ≥ ${min}, got ${samples}`, 'bad_samples');
  return s;
}

export function checkSeed(seed: number | undefined): number {
  const s = seed ?? 42;
  if (!Number.isInteger(s)) throw new InvalidInputError(`seed must be an integer, got ${seed}`, 'bad_seed');
  return s;
}

/**
 * Scores masks in batches of `batchSize` (default 64): the signal is checked before each call
 * and after the last, onProgress(done / total, stage) follows each call.
 */
export async function scoreMasks(
  scorer: MaskedScorer,
  masks: readonly Uint8Array[],
  options: PerturbationOptions,
  stage: string,
): Promise<Float64Array> {
  const size = checkBatch(options.batchSize);
  const out = new Float64Array(masks.length);
  for (let start = 0; start < masks.length; start += size) {
    throwIfAborted(options.signal);
    const chunk = masks.slice(start, start + size);
    const scores = await scorer.scores(chunk);
    if (scores.length !== chunk.length)
      throw new InvalidInputError(`the masked scorer returned ${scores.length} scores for ${chunk.length} masks`, 'bad_scorer');
    out.set(scores, start);
    options.onProgress?.((start + chunk.length) / masks.length, stage);
    await yieldBetweenPasses(options);
  }
  throwIfAborted(options.signal);
  return out;
}
