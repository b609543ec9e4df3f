import { InvalidInputError } from '../errors.ts';
import { integratedGradients } from '../methods/integratedGradients.ts';
import { type Layer, layerIntegratedGradients } from '../methods/layerIntegratedGradients.ts';
import { INTEGRATION_METHODS, type IntegrationMethod } from '../methods/integration.ts';
import { inputXGradient } from '../methods/inputXGradient.ts';
import { type NoiseTunnelOptions, noiseTunnel } from '../methods/noiseTunnel.ts';
import { occlusion } from '../methods/occlusion.ts';
import { saliency } from '../methods/saliency.ts';
import type { Attribution, DifferentiableFunction } from '../methods/types.ts';
import { type LoadOptions, TextModel } from '../model/textModel.ts';
import { type HostTensor, formatShape, sizeOf, tensor } from '../tensor.ts';
import { cleanTextLikeTransformersInterpret } from '../text/clean.ts';
import { type TokenSpan, type WordSpan, alignTokens, groupWords } from '../text/tokens.ts';
import { type OutputSpace, classScores, parseTarget, softmax } from './classification.ts';

export const METHODS = ['integrated-gradients', 'saliency', 'input-x-gradient', 'occlusion', 'smoothgrad'] as const;
export type MethodName = (typeof METHODS)[number];
export const BASELINES = ['pad', 'zero', 'mask'] as const;
export type BaselineName = (typeof BASELINES)[number];

export interface ExplainOptions {
  /** Class to explain: index or label. Default: the predicted class. */
  target?: number | string;
  /** Default 'integrated-gradients' (layer IG on the word embeddings). */
  method?: MethodName;
  /**
   * IG baseline: 'pad' (default; every non-special token replaced by the pad token, specials
   * kept), 'mask' (same with the mask token), 'zero' (all-zero embeddings), a list of
   * baseline token ids, or a [T, H] embedding tensor. For occlusion, the replacement token.
   */
  baseline?: BaselineName | number[] | HostTensor;
  /** Default 'gausslegendre' (Captum's default). */
  integration?: IntegrationMethod;
  /** IG points. Default 50. */
  steps?: number;
  /** Explain the target's raw logit or its softmax probability. Default 'softmax', as transformers-interpret. */
  output?: OutputSpace;
  /** How hidden dimensions become one number per token: 'sum' (default) or 'l2' norm. */
  aggregate?: 'sum' | 'l2';
  /** 'l2' (default) divides token attributions by their L2 norm, as transformers-interpret. */
  normalize?: 'none' | 'l2';
  /** Points per forward/backward pass. Default: chosen from the input size. */
  internalBatchSize?: number;
  /** SmoothGrad settings (method 'smoothgrad'). */
  noise?: Omit<NoiseTunnelOptions, 'internalBatchSize'>;
  /** Occlusion window and stride in tokens. Default 1 and 1 (leave-one-out). */
  occlusion?: { window?: number; stride?: number };
  /** Second text of a sentence pair (token types from the tokenizer). */
  textPair?: string;
  /**
   * Reproduce transformers-interpret's preprocessing: its text cleaning (spaces around
   * . , ! ? ( )), token types [0 … 0, 1] on single texts and position ids 0..T−1.
   * Default: on exactly when the configuration is transformers-interpret's (integrated
   * gradients on a softmax target), off otherwise (Captum's conventions).
   */
  transformersInterpretQuirks?: boolean;
}

export interface TokenAttribution extends TokenSpan {
  /** null where the method gives none (occlusion leaves special tokens out). */
  attribution: number | null;
}

export interface WordAttribution extends WordSpan {
  attribution: number | null;
}

export interface SequenceClassificationResult {
  model: string;
  method: MethodName;
  output: OutputSpace;
  /** The text the tokens index into (after transformers-interpret's cleaning when it applied). */
  text: string;
  tokens: TokenAttribution[];
  words: WordAttribution[];
  predicted: { index: number; label: string; score: number };
  target: { index: number; label: string };
  /** Σ attributions − (f(x) − f(baseline)) before normalisation; integrated gradients only. */
  convergenceDelta: number | null;
  logits: number[];
  probabilities: number[];
}

/**
 * Explains a sequence classifier (any transformers.js text-classification model). With no
 * options it reproduces transformers-interpret's SequenceClassificationExplainer: layer
 * integrated gradients on the word embeddings, [CLS] [PAD]… [SEP] baseline, 50
 * Gauss-Legendre steps, softmax probability of the predicted class, summed over the hidden
 * dimension and divided by the L2 norm over tokens.
 */
export class SequenceClassificationExplainer {
  private constructor(readonly model: TextModel) {}

  static async fromPretrained(model: string, options: LoadOptions = {}): Promise<SequenceClassificationExplainer> {
    return new SequenceClassificationExplainer(await TextModel.load(model, options));
  }

  get labels(): string[] {
    return this.model.labels;
  }

  async explain(text: string, options: ExplainOptions = {}): Promise<SequenceClassificationResult> {
    const method = options.method ?? 'integrated-gradients';
    if (!METHODS.includes(method)) throw new InvalidInputError(`unknown method "${method}"; use one of ${METHODS.join(', ')}`, 'bad_method');
    const output = options.output ?? 'softmax';
    if (output !== 'logits' && output !== 'softmax') throw new InvalidInputError(`unknown output "${output}"; use logits or softmax`, 'bad_output');
    const aggregate = options.aggregate ?? 'sum';
    if (aggregate !== 'sum' && aggregate !== 'l2') throw new InvalidInputError(`unknown aggregate "${aggregate}"; use sum or l2`, 'bad_aggregate');
    const normalize = options.normalize ?? 'l2';
    if (normalize !== 'none' && normalize !== 'l2') throw new InvalidInputError(`unknown normalize "${normalize}"; use none or l2`, 'bad_normalize');
    if (options.integration !== undefined && !INTEGRATION_METHODS.includes(options.integration)) {
      throw new InvalidInputError(`unknown integration "${options.integration}"; use one of ${INTEGRATION_METHODS.join(', ')}`, 'bad_integration');
    }
    if (typeof text !== 'string' || text.trim() === '') throw new InvalidInputError('text is empty', 'empty_text');
    const quirks = options.transformersInterpretQuirks ?? (method === 'integrated-gradients' && output === 'softmax');

    const m = this.model;
    const shownText = quirks ? cleanTextLikeTransformersInterpret(text) : text;
    const { ids, tokenTypes: tokenizerTypes } = m.encode(shownText, options.textPair);
    const specials = m.specialIds();
    if (ids.every((id) => specials.has(id))) throw new InvalidInputError('text has no tokens once tokenized', 'empty_text');
    if (ids.length > m.maxTokens) {
      throw new InvalidInputError(`text is ${ids.length} tokens long; model "${m.id}" accepts at most ${m.maxTokens}`, 'text_too_long');
    }
    const T = ids.length;
    // transformers-interpret marks every token after the text's last one as segment 1 (on a
    // single text: the final [SEP]) and passes position ids 0..T−1 to models that take them.
    const types = quirks && options.textPair === undefined ? ids.map((_, i) => (i <= T - 2 ? 0 : 1)) : tokenizerTypes;
    const tiPositions = quirks && m.forwardTakesPositionIds;

    const plainFeeds = m.feeds([ids], tokenizerTypes && [tokenizerTypes]);
    const logitsName = m.onnx.graph.outputs[0]!.name;
    const logits = Array.from((await m.onnx.run({ feeds: plainFeeds, fetch: [logitsName] }))[logitsName]!.data);
    const probabilities = softmax(logits);
    const predictedIndex = probabilities.indexOf(Math.max(...probabilities));
    const labels = m.labels.length === logits.length ? m.labels : logits.map((_, i) => `LABEL_${i}`);
    const targetIndex = parseTarget(options.target, labels, predictedIndex);

    /** Feeds and in-graph overrides for rows of ids with the given segments and positions. */
    const inputsFor = (rows: readonly number[][], rowTypes: number[] | undefined, position: ((i: number) => number) | undefined) => {
      const feeds = m.feeds(rows, rowTypes && rows.map(() => rowTypes));
      return { feeds, extra: position || rowTypes !== tokenizerTypes ? m.segmentOverrides(feeds, position, rowTypes) : {} };
    };
    const feedsFor = (b: number) => inputsFor(Array.from({ length: b }, () => ids), types, tiPositions ? (i) => i : undefined);
    const embedding = m.wordEmbedding.tensor;
    const fn: DifferentiableFunction = {
      gradients: async (x) => {
        const b = x.shape[0]!;
        const { feeds, extra } = feedsFor(b);
        let scores: Float64Array = new Float64Array(b);
        const { grads } = await m.onnx.runWithGradient({
          feeds,
          overrides: { ...extra, [embedding]: x },
          fetch: [],
          output: logitsName,
          wrt: [embedding],
          seed: (z) => {
            const r = classScores(z, targetIndex, output);
            scores = r.scores;
            return r.seed;
          },
        });
        return { scores, grads: grads[embedding]! };
      },
      scores: async (x) => {
        const b = x.shape[0]!;
        const { feeds, extra } = feedsFor(b);
        const out = await m.onnx.run({ feeds, overrides: { ...extra, [embedding]: x }, fetch: [logitsName] });
        return classScores(out[logitsName]!, targetIndex, output).scores;
      },
    };

    let perToken: (number | null)[];
    let convergenceDelta: number | null = null;
    if (method === 'occlusion') {
      const replacement = this.replacementId(options.baseline);
      const score = async (rows: number[][]) => {
        const { feeds, extra } = inputsFor(rows, types, tiPositions ? (i) => i : undefined);
        const out = await m.onnx.run({ feeds, overrides: extra, fetch: [logitsName] });
        return classScores(out[logitsName]!, targetIndex, output).scores;
      };
      const positions = ids.flatMap((id, i) => (specials.has(id) ? [] : [i]));
      perToken = (await occlusion(score, ids, { replacement, positions, ...options.occlusion })).values;
    } else {
      const x = dropBatch(await m.embed([ids]));
      let attribution: Attribution;
      if (method === 'integrated-gradients') {
        const ig = { steps: options.steps, method: options.integration, internalBatchSize: options.internalBatchSize };
        const baseline = this.baseline(ids, options.baseline ?? 'pad', x);
        const words: Layer<number[]> = { activation: async (rowIds) => dropBatch(await m.embed([rowIds])) };
        attribution = Array.isArray(baseline)
          ? await layerIntegratedGradients(words, fn, ids, baseline, ig)
          : await integratedGradients(fn, x, baseline, ig);
        convergenceDelta = attribution.convergenceDelta ?? null;
        if (quirks && Array.isArray(baseline)) {
          // Captum's delta in transformers-interpret runs the baseline with its reference
          // token types and position ids, all zeros.
          const zeros = baseline.map(() => 0);
          const ref = inputsFor([baseline], tokenizerTypes && zeros, tiPositions ? () => 0 : undefined);
          const out = await m.onnx.run({ feeds: ref.feeds, overrides: ref.extra, fetch: [logitsName] });
          const fb = classScores(out[logitsName]!, targetIndex, output).scores[0]!;
          convergenceDelta = attribution.values.reduce((a, v) => a + v, 0) - (attribution.inputScore! - fb);
        }
      } else if (method === 'saliency') {
        attribution = await saliency(fn, x);
      } else if (method === 'input-x-gradient') {
        attribution = await inputXGradient(fn, x);
      } else {
        attribution = await noiseTunnel(fn, x, { ...options.noise, internalBatchSize: options.internalBatchSize });
      }
      perToken = perTokenScores(attribution, aggregate);
    }
    if (normalize === 'l2') perToken = l2Normalize(perToken);

    const spans = alignTokens(
      shownText,
      ids.map((id) => ({ id, token: m.tokenString(id), special: specials.has(id) })),
    );
    const tokens = spans.map((s, i) => ({ ...s, attribution: perToken[i] ?? null }));
    const words = groupWords(shownText, spans).map((w) => ({
      ...w,
      attribution: w.tokens.some((i) => perToken[i] === null) ? null : w.tokens.reduce((s, i) => s + perToken[i]!, 0),
    }));
    return {
      model: m.id,
      method,
      output,
      text: shownText,
      tokens,
      words,
      predicted: { index: predictedIndex, label: labels[predictedIndex]!, score: probabilities[predictedIndex]! },
      target: { index: targetIndex, label: labels[targetIndex]! },
      convergenceDelta,
      logits,
      probabilities,
    };
  }

  private replacementId(baseline: ExplainOptions['baseline']): number {
    const m = this.model;
    const b = baseline ?? 'pad';
    if (b === 'pad') return m.tokenId('pad') ?? m.tokenId('eos') ?? 0;
    if (b === 'mask') {
      const id = m.tokenId('mask');
      if (id === undefined) throw new InvalidInputError(`model "${m.id}" has no mask token; use baseline "pad"`, 'bad_baseline');
      return id;
    }
    throw new InvalidInputError('occlusion replaces tokens: use baseline "pad" or "mask"', 'bad_baseline');
  }

  /** The IG baseline: token ids (layer IG through the embedding) or an embedding tensor. */
  private baseline(ids: number[], baseline: NonNullable<ExplainOptions['baseline']>, x: HostTensor): number[] | HostTensor {
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
      const specials = this.model.specialIds();
      const replacement = this.replacementId(baseline);
      return ids.map((id) => (specials.has(id) ? id : replacement));
    }
    throw new InvalidInputError(`unknown baseline "${String(baseline)}"; use pad, zero, mask, a list of ids or a tensor`, 'bad_baseline');
  }
}

const dropBatch = (t: HostTensor): HostTensor => tensor(t.dtype, t.shape.slice(1), t.data);

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

function l2Normalize(values: (number | null)[]): (number | null)[] {
  const norm = Math.sqrt(values.reduce<number>((s, v) => s + (v ?? 0) ** 2, 0));
  return norm > 0 ? values.map((v) => (v === null ? null : v / norm)) : values;
}
