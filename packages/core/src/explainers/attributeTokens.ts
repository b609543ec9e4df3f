import { InvalidInputError } from '../errors.ts';
import { inputXGradient } from '../methods/inputXGradient.ts';
import { throwIfAborted } from '../methods/batch.ts';
import { integratedGradients } from '../methods/integratedGradients.ts';
import { noiseTunnel } from '../methods/noiseTunnel.ts';
import { occlusion } from '../methods/occlusion.ts';
import { saliency } from '../methods/saliency.ts';
import type { Attribution } from '../methods/types.ts';
import type { TextModel } from '../model/textModel.ts';
import { type HostTensor, formatShape, sizeOf, tensor } from '../tensor.ts';
import type { ExplainOptions, ResolvedOptions } from './textOptions.ts';
import type { Scorer, Segments, TextRunner } from './textRunner.ts';

export interface TokenScores {
  /** One number per token (null where the method gives none), aggregated and normalised. */
  perToken: (number | null)[];
  /** Captum's convergence delta, before normalisation; integrated gradients only. */
  convergenceDelta: number | null;
}

/**
 * Attribute a scorer's score to the tokens of the runner's input with the chosen method
 * (gradient methods on the runner's layer), then aggregate hidden dimensions and normalise
 * as asked. `reference` is how transformers-interpret runs its baseline: for the baseline's
 * layer activation and its convergence delta.
 */
export async function attributeTokens(
  runner: TextRunner,
  scorer: Scorer,
  options: ExplainOptions,
  resolved: ResolvedOptions,
  reference?: Segments,
): Promise<TokenScores> {
  const { model, ids } = runner;
  const { onProgress, signal } = options;
  throwIfAborted(signal);
  let perToken: (number | null)[];
  let convergenceDelta: number | null = null;
  if (resolved.method === 'occlusion') {
    const specials = model.specialIds();
    const positions = ids.flatMap((id, i) => (specials.has(id) ? [] : [i]));
    const replacement = replacementId(model, options.baseline);
    perToken = (await occlusion((rows) => runner.scoreIds(rows, scorer), ids, { replacement, positions, ...options.occlusion, onProgress, signal })).values;
  } else {
    const fn = runner.overEmbeddings(scorer);
    const x = await runner.embed(ids);
    let attribution: Attribution;
    if (resolved.method === 'integrated-gradients') {
      const ig = { steps: options.steps, method: options.integration, internalBatchSize: options.internalBatchSize, onProgress, signal };
      const baseline = baselineOf(model, ids, options.baseline ?? 'pad', x);
      // Baseline ids go through the layer as Captum's LayerIntegratedGradients runs them: with the baseline's own segments.
      const b = Array.isArray(baseline) ? await runner.embed(baseline, reference) : (baseline as HostTensor);
      attribution = await integratedGradients(fn, x, b, ig);
      convergenceDelta = attribution.convergenceDelta ?? null;
      if (reference && Array.isArray(baseline)) {
        const [fb] = await runner.scoreIds([baseline], scorer, reference);
        throwIfAborted(signal);
        convergenceDelta = attribution.values.reduce((a, v) => a + v, 0) - (attribution.inputScore! - fb!);
      }
    } else if (resolved.method === 'saliency') {
      attribution = await saliency(fn, x);
      onProgress?.(1, 'saliency');
    } else if (resolved.method === 'input-x-gradient') {
      attribution = await inputXGradient(fn, x);
      onProgress?.(1, 'input-x-gradient');
    } else {
      attribution = await noiseTunnel(fn, x, { ...options.noise, internalBatchSize: options.internalBatchSize, onProgress, signal });
    }
    throwIfAborted(signal);
    perToken = perTokenScores(attribution, resolved.aggregate);
  }
  return { perToken: resolved.normalize === 'l2' ? l2Normalize(perToken) : perToken, convergenceDelta };
}

/** The token written into occluded or baseline positions. */
export function replacementId(model: TextModel, baseline: ExplainOptions['baseline']): number {
  const b = baseline ?? 'pad';
  if (b === 'pad') return model.tokenId('pad') ?? model.tokenId('eos') ?? 0;
  if (b === 'mask') {
    const id = model.tokenId('mask');
    if (id === undefined) throw new InvalidInputError(`model "${model.id}" has no mask token; use baseline "pad"`, 'bad_baseline');
    return id;
  }
  throw new InvalidInputError('occlusion replaces tokens: use baseline "pad" or "mask"', 'bad_baseline');
}

/** The IG baseline: token ids (layer IG through the embedding) or an embedding tensor. */
function baselineOf(model: TextModel, ids: readonly number[], baseline: NonNullable<ExplainOptions['baseline']>, x: HostTensor): readonly number[] | HostTensor {
  if (baseline === 'zero') return tensor('float32', x.shape);
  if (Array.isArray(baseline)) {
    if (baseline.length !== ids.length) throw new InvalidInputError(`baseline has ${baseline.length} ids, the input has ${ids.length}`, 'bad_baseline');
    return baseline;
  }
  if (typeof baseline === 'object') {
    if (sizeOf(baseline.shape) !== sizeOf(x.shape)) {
      throw new InvalidInputError(`baseline tensor has shape ${formatShape(baseline.shape)}, the embeddings are ${formatShape(x.shape)}`, 'bad_baseline');
    }
    return tensor('float32', x.shape, baseline.data);
  }
  if (baseline === 'pad' || baseline === 'mask') {
    const specials = model.specialIds();
    const replacement = replacementId(model, baseline);
    return ids.map((id) => (specials.has(id) ? id : replacement));
  }
  throw new InvalidInputError(`unknown baseline "${String(baseline)}"; use pad, zero, mask, a list of ids or a tensor`, 'bad_baseline');
}

/** [T, H] attributions → one number per token. */
function perTokenScores(a: Attribution, aggregate: 'sum' | 'l2'): number[] {
  const [T, ...rest] = a.shape;
  const h = sizeOf(rest);
  return Array.from({ length: T! }, (_, t) => {
    let s = 0;
    for (let i = 0; i < h; i++) {
      const v = a.values[t * h + i]!;
      s += aggregate === 'sum' ? v : v * v;
    }
    return aggregate === 'sum' ? s : Math.sqrt(s);
  });
}

/** Divide by the L2 norm over all non-null values (transformers-interpret's normalisation). */
export function l2Normalize(values: (number | null)[]): (number | null)[] {
  const norm = Math.sqrt(values.reduce<number>((s, v) => s + (v ?? 0) ** 2, 0));
  return norm > 0 ? values.map((v) => (v === null ? null : v / norm)) : values;
}
