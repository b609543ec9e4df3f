import { InvalidInputError } from '../errors.ts';
import { throwIfAborted } from '../methods/batch.ts';
import { occlusion } from '../methods/occlusion.ts';
import type { Attribution } from '../methods/types.ts';
import type { TextModel, Segments } from '../model/textModel.ts';
import { type HostTensor, formatShape, sizeOf, tensor } from '../tensor.ts';
import { type Hierarchy, flatHierarchy, groupHierarchy, textHierarchy } from '../methods/hierarchy.ts';
import type { PerturbationOptions } from '../methods/perturbation.ts';
import { type TokenSpan, tokenSurface } from '../text/tokens.ts';
import { type Granularity, unitsOf } from '../text/units.ts';
import { type TextMasking, aggregateUnits, maskedTokens, spreadUnits } from './maskedText.ts';
import { type HierarchyName, MASKINGS, oneOf } from './textOptions.ts';
import type { ResolvedOptions, ExplainOptions } from './explainOptions.ts';
import { TEXT_METHOD_TABLE, textMethodOf } from './textMethods/index.ts';
import type { PerturbationMethod } from './textMethods/textMethod.ts';
import { type ShapleyBase, shapleyBase } from './shapleyBase.ts';
import { SharedForward } from './sharedForward.ts';
import { stackCopies, stackedTargets, targetScores, targetScoresOfIds } from './stackedTargets.ts';
import { atLayer } from './textLayer.ts';
import { type TextRunner, rowByRow } from './textRunner.ts';
import type { Scorer } from '../model/scorer.ts';

/** Where the runner's tokens lie in the explained text(s): what word and sentence units are cut from. */
export interface TextLayout {
  texts: readonly string[];
  /** One span per token of the runner; `segment` indexes `texts` (default 0). */
  spans: readonly (TokenSpan & { segment?: number })[];
}

/** Shapley methods add baseValue and fx (see ShapleyBase). */
export interface TokenScores extends Partial<ShapleyBase> {
  /** One number per token (null where the method gives none), aggregated and normalised; every token of a unit carries the unit's value. */
  perToken: (number | null)[];
  /** At 'word' or 'sentence' granularity, the token positions of each unit (its value is counted once, not once per token). */
  units?: number[][];
  /** Captum's convergence delta, before normalisation; integrated gradients only. */
  convergenceDelta: number | null;
}

/**
 * Attribute a scorer's score to the tokens of the runner's input with the chosen method
 * (gradient methods on the runner's layer, or the `layer` option's: atLayer), then aggregate hidden dimensions and normalise
 * as asked. `reference` is how transformers-interpret runs its baseline: for the baseline's
 * layer activation and its convergence delta. Perturbation methods (feature ablation, LIME,
 * KernelSHAP, Partition SHAP, Sobol; occlusion over units) score the input with whole units
 * removed (maskedTokens); at a granularity coarser than 'token', gradient methods combine
 * their token values per unit (`granularityAggregate`), and every token of a unit carries
 * the unit's value. `layout` (the tokens' spans in the text) is what 'word' and 'sentence'
 * units are cut from; without it only 'token' and 'all-tokens' are available. Forward-only
 * passes go through `forward`, which explanations running at once share.
 */
export async function attributeTokens(
  runner: TextRunner,
  scorer: Scorer,
  options: ExplainOptions,
  resolved: ResolvedOptions,
  reference?: Segments,
  layout?: TextLayout,
  forward: SharedForward = new SharedForward(),
): Promise<TokenScores> {
  const { model, ids } = runner;
  const { onProgress, signal } = options;
  throwIfAborted(signal);
  const units = unitsAt(runner, resolved, layout);
  let perToken: (number | null)[];
  let convergenceDelta: number | null = null;
  let base: Partial<ShapleyBase> = {};
  const method = textMethodOf(resolved.method);
  // Occlusion at token granularity with a replacement token is Captum's token occlusion (occluded ids scored as they are); else every perturbation method works on units.
  const tokenOcclusion = method.name === 'occlusion' && !units && options.masking !== 'attention';
  if (method.family === 'perturbation' && !tokenOcclusion) {
    ({ perToken, ...base } = await perturbationScores(
      runner,
      scorer,
      options,
      method,
      units ?? textUnits(runner, 'token', layout),
      layout,
      forward,
    ));
  } else if (method.family === 'perturbation') {
    // tokenOcclusion: each window of token positions replaced by one token id.
    const specials = model.specialIds();
    const positions = ids.flatMap((id, i) => (specials.has(id) ? [] : [i]));
    // The masking option names the replacement when given; else the baseline does (pad or mask), as before.
    const replacement =
      options.masking === undefined
        ? replacementId(model, options.baseline)
        : (maskingOf(model, options) as { replacement: number }).replacement;
    perToken = (
      await occlusion(
        (rows) =>
          forward.score(
            runner,
            rows.map((r) => ({ ids: r })),
            scorer,
          ),
        ids,
        { replacement, positions, ...options.occlusion, batchSize: options.internalBatchSize, onProgress, signal },
      )
    ).values;
  } else {
    const at = atLayer(runner, options.layer, reference);
    const fn = at.runner.overEmbeddings(scorer);
    const x = await at.runner.embed(ids);
    const ig = method.integrates ? await layerBaseline(at.runner, x, options, at.reference) : undefined;
    const attribution = await method.attribute(fn, x, ig?.layer, options, true);
    throwIfAborted(signal);
    if (ig) {
      convergenceDelta = attribution.convergenceDelta ?? null;
      if (at.reference && Array.isArray(ig.baseline)) {
        const [fb] = await at.runner.scoreIds([ig.baseline], scorer, at.reference);
        throwIfAborted(signal);
        convergenceDelta = convergenceDeltaOf(attribution.values, attribution.inputScore!, fb!);
      }
    }
    perToken = gradientTokenScores(attribution, units, resolved);
  }
  const grouped = coarseUnits(units, resolved);
  return {
    perToken: resolved.normalize === 'l2' ? l2Normalize(perToken, grouped) : perToken,
    convergenceDelta,
    ...base,
    ...(grouped && { units: grouped }),
  };
}

/** The units whose tokens share one value: those of 'word' and 'sentence' granularity. */
function coarseUnits(units: number[][] | undefined, resolved: ResolvedOptions): number[][] | undefined {
  return resolved.granularity === 'word' || resolved.granularity === 'sentence' ? units : undefined;
}

/** Gradient methods that attributeTokensForTargets runs for several scorers at once (the table's sharesPass). */
export const STACKED_METHODS: ReadonlySet<string> = new Set(TEXT_METHOD_TABLE.filter((m) => m.sharesPass).map((m) => m.name));

/**
 * attributeTokens for several scorers of one input at once with integrated gradients,
 * saliency or input × gradient: each point of the method runs forward once for all the
 * scorers and backward once per scorer (stackedTargets). Result j, convergence delta
 * included, is what attributeTokens gives for scorer j.
 */
export async function attributeTokensForTargets(
  runner: TextRunner,
  scorers: readonly Scorer[],
  options: ExplainOptions,
  resolved: ResolvedOptions,
  reference?: Segments,
  layout?: TextLayout,
): Promise<TokenScores[]> {
  const method = textMethodOf(resolved.method);
  if (method.family !== 'gradient' || !method.sharesPass) {
    throw new InvalidInputError(
      `method "${resolved.method}" explains one target at a time; several at once take ${[...STACKED_METHODS].join(', ')}`,
      'bad_method',
    );
  }
  throwIfAborted(options.signal);
  ({ runner, reference } = atLayer(runner, options.layer, reference));
  const k = scorers.length;
  const units = unitsAt(runner, resolved, layout);
  const x = await runner.embed(runner.ids);
  const ig = method.integrates ? await layerBaseline(runner, x, options, reference) : undefined;
  const stackedFn = runner.sharedAcrossRows ? rowByRow(stackedTargets(runner, scorers)) : stackedTargets(runner, scorers);
  const stacked = await method.attribute(stackedFn, stackCopies(x, k), ig && stackCopies(ig.layer, k), options, false);
  throwIfAborted(options.signal);
  const n = sizeOf(x.shape);
  const attributions = scorers.map((_, j): Attribution => ({ values: stacked.values.subarray(j * n, (j + 1) * n), shape: [...x.shape] }));
  let deltas: (number | null)[] = scorers.map(() => null);
  if (ig) {
    // As attributeTokens: f(x) and f(baseline) from one pass over both; with `reference`, f(baseline) from transformers-interpret's baseline run.
    const both = new Float32Array(2 * n);
    both.set(x.data);
    both.set(ig.layer.data, n);
    const scores = await targetScores(runner, scorers, tensor('float32', [2, ...x.shape], both));
    const fb =
      reference && Array.isArray(ig.baseline)
        ? (await targetScoresOfIds(runner, [ig.baseline], scorers, reference)).map((s) => s[0]!)
        : scores.map((s) => s[1]!);
    throwIfAborted(options.signal);
    deltas = attributions.map((a, j) => convergenceDeltaOf(a.values, scores[j]![0]!, fb[j]!));
  }
  return attributions.map((a, j) => {
    const perToken = gradientTokenScores(a, units, resolved);
    const grouped = coarseUnits(units, resolved);
    return {
      perToken: resolved.normalize === 'l2' ? l2Normalize(perToken, grouped) : perToken,
      convergenceDelta: deltas[j]!,
      ...(grouped && { units: grouped }),
    };
  });
}

/** The units of the granularity option; undefined at 'token' (every method then works on tokens as they are). */
function unitsAt(runner: TextRunner, resolved: ResolvedOptions, layout: TextLayout | undefined): number[][] | undefined {
  const granularity = resolved.granularity ?? 'token';
  return granularity === 'token' ? undefined : textUnits(runner, granularity, layout);
}

/**
 * The IG baseline (the baseline option, 'pad' by default) as token ids when it is some, and
 * as the layer's value: baseline ids go through the layer as Captum's
 * LayerIntegratedGradients runs them, with the baseline's own segments (`reference`).
 */
async function layerBaseline(runner: TextRunner, x: HostTensor, options: ExplainOptions, reference: Segments | undefined) {
  const baseline = baselineOf(runner.model, runner.ids, options.baseline ?? 'pad', x);
  const layer = Array.isArray(baseline) ? await runner.embed(baseline, reference) : (baseline as HostTensor);
  return { baseline, layer };
}

/** Captum's convergence delta: Σ attributions − (f(input) − f(baseline)). */
function convergenceDeltaOf(values: ArrayLike<number>, inputScore: number, baselineScore: number): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum - (inputScore - baselineScore);
}

/** A gradient attribution's value per token, combined per unit (every token of a unit carrying the unit's value). */
function gradientTokenScores(attribution: Attribution, units: number[][] | undefined, resolved: ResolvedOptions): (number | null)[] {
  const perToken = perTokenScores(attribution, resolved.aggregate);
  return units ? spreadUnits(aggregateUnits(perToken, units, resolved.granularityAggregate ?? 'sum'), units, perToken.length) : perToken;
}

/** The units of the runner's tokens at a granularity; 'word' and 'sentence' need the text layout. */
function textUnits(runner: TextRunner, granularity: Granularity, layout: TextLayout | undefined): number[][] {
  if (layout) return unitsOf(layout.spans, layout.texts, granularity);
  const specials = runner.model.specialIds();
  if (granularity === 'token') return runner.ids.flatMap((id, i) => (specials.has(id) ? [] : [[i]]));
  if (granularity === 'all-tokens') return runner.ids.map((_, i) => [i]);
  throw new InvalidInputError(
    `granularity "${granularity}" is not available for this task; use "token" or "all-tokens"`,
    'bad_granularity',
  );
}

/** How perturbation methods remove a unit: the masking option, else the baseline when it names a token, else pad. */
function maskingOf(model: TextModel, options: ExplainOptions): TextMasking {
  const b = options.baseline;
  const fallback = b === 'mask' || b === 'pad' ? b : 'pad';
  const masking = oneOf('masking', options.masking, MASKINGS, fallback);
  return masking === 'attention' ? 'attention' : { replacement: replacementId(model, masking) };
}

/** A perturbation method over the units, its values spread back onto their tokens; Shapley methods' base value and f(x). */
async function perturbationScores(
  runner: TextRunner,
  scorer: Scorer,
  options: ExplainOptions,
  method: PerturbationMethod,
  units: number[][],
  layout: TextLayout | undefined,
  forward: SharedForward,
): Promise<{ perToken: (number | null)[] } & Partial<ShapleyBase>> {
  const masked = maskedTokens(runner, scorer, units, maskingOf(runner.model, options), forward);
  const common: PerturbationOptions = {
    samples: options.samples,
    seed: options.seed,
    batchSize: options.internalBatchSize,
    onProgress: options.onProgress,
    signal: options.signal,
  };
  const hierarchy = () => unitHierarchy(runner, units, options.hierarchy ?? 'clustered', layout);
  const a = await method.attribute(masked, options, { common, hierarchy });
  const perToken = spreadUnits(a.values, units, runner.ids.length);
  return method.shapley ? { perToken, ...shapleyBase({ baseValue: a.baselineScore, fx: a.inputScore }) } : { perToken };
}

/**
 * Partition SHAP's tree over the units: 'flat' (Shapley values), 'words' (units grouped by
 * the word of their first token), 'sentences' (by sentence, then word), 'clustered' (shap's
 * Text masker clustering of the units' token strings).
 */
function unitHierarchy(runner: TextRunner, units: number[][], name: HierarchyName, layout: TextLayout | undefined): Hierarchy {
  if (name === 'flat') return flatHierarchy(units.length);
  if (name === 'clustered') {
    // A unit reads as its first token followed by the others' surfaces (word pieces joined without their markers).
    const strings = units.map((u) =>
      u.map((p, k) => (k === 0 ? (s: string) => s : tokenSurface)(runner.model.tokenString(runner.ids[p]!))).join(''),
    );
    return textHierarchy(strings);
  }
  const groupBy = (granularity: Granularity) => {
    const outer = textUnits(runner, granularity, layout);
    const of = new Map<number, number>();
    outer.forEach((g, k) => g.forEach((p) => of.set(p, k)));
    return units.map((u) => of.get(u[0]!) ?? -1 - u[0]!);
  };
  /** Consecutive units with the same key form one group (order kept). */
  const runs = <T>(items: T[], key: (t: T) => number): T[][] => {
    const out: T[][] = [];
    let last: number | undefined;
    items.forEach((t) => {
      const k = key(t);
      if (out.length === 0 || k !== last) out.push([]);
      out[out.length - 1]!.push(t);
      last = k;
    });
    return out;
  };
  const ks = units.map((_, k) => k);
  const word = groupBy('word');
  const byWord = runs(ks, (k) => word[k]!);
  if (name === 'words') return groupHierarchy(byWord);
  const sentence = groupBy('sentence');
  return groupHierarchy(runs(byWord, (w) => sentence[w[0]!]!));
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
function baselineOf(
  model: TextModel,
  ids: readonly number[],
  baseline: NonNullable<ExplainOptions['baseline']>,
  x: HostTensor,
): readonly number[] | HostTensor {
  if (baseline === 'zero') return tensor('float32', x.shape);
  if (Array.isArray(baseline)) {
    if (baseline.length !== ids.length)
      throw new InvalidInputError(`baseline has ${baseline.length} ids, the input has ${ids.length}`, 'bad_baseline');
    return baseline;
  }
  if (typeof baseline === 'object') {
    if (sizeOf(baseline.shape) !== sizeOf(x.shape)) {
      throw new InvalidInputError(
        `baseline tensor has shape ${formatShape(baseline.shape)}, the embeddings are ${formatShape(x.shape)}`,
        'bad_baseline',
      );
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

/**
 * Divide by the L2 norm over all non-null values (transformers-interpret's normalisation).
 * With `units` (tokens sharing their unit's value), each unit's value counts once in the norm.
 */
export function l2Normalize(values: (number | null)[], units?: readonly (readonly number[])[]): (number | null)[] {
  const counted = units ? units.map((u) => values[u[0]!] ?? null) : values;
  const norm = Math.sqrt(counted.reduce<number>((s, v) => s + (v ?? 0) ** 2, 0));
  return norm > 0 ? values.map((v) => (v === null ? null : v / norm)) : values;
}
