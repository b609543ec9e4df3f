import { InvalidInputError } from '../errors.ts';
import type { DifferentiableFunction } from '../methods/types.ts';
import type { Segments, TextModel } from '../model/textModel.ts';
import type { Scorer } from '../model/scorer.ts';
import { type Override, buildPlan } from '../graph/plan.ts';
import { type HostTensor, sizeOf, tensor } from '../tensor.ts';
import { SharedForward } from './sharedForward.ts';

/**
 * Runs a text model on copies of one tokenized input (the inference wrapper of every text
 * explainer): as a function of one of its tensors (`layer`: by default the word
 * embeddings) for gradient methods, and on rows of token ids for perturbation methods.
 */
export class TextRunner {
  constructor(
    readonly model: TextModel,
    readonly ids: readonly number[],
    readonly segments: Segments = {},
    /** The [B, T, H] tensor gradient methods attribute to (Captum's layer). */
    readonly layer: string = model.wordEmbedding.tensor,
  ) {}

  /** Feeds and in-graph overrides for rows of ids under the given segments. */
  inputs(
    rows: readonly (readonly number[])[],
    segments: Segments = this.segments,
  ): { feeds: Record<string, HostTensor>; overrides: Record<string, Override> } {
    const m = this.model;
    const feeds = m.feeds(rows, segments.types && rows.map(() => segments.types!), segments.position);
    return { feeds, overrides: m.segmentOverrides(segments.position, segments.types) };
  }

  private shared: boolean | undefined;

  /**
   * Whether the graph computes the layer once for every row ([1, T, H], broadcast onto the
   * batch: BERT's and DistilBERT's position embeddings): it then takes one row per pass
   * (rowByRow), as its rows cannot differ within one. The word embeddings never are.
   */
  get sharedAcrossRows(): boolean {
    if (this.shared === undefined) {
      if (this.layer === this.model.wordEmbedding.tensor) return (this.shared = false);
      const { feeds, overrides } = this.inputs([this.ids, this.ids]);
      this.shared = buildPlan(this.model.onnx.graph, feeds, overrides, true).plan.shapes.get(this.layer)?.[0] === 1;
    }
    return this.shared;
  }

  /** The scorer's score as a function of the layer (what gradient methods attribute); one row per pass where the layer is shared across rows. */
  overEmbeddings(scorer: Scorer): DifferentiableFunction {
    const fn = this.batchedOverEmbeddings(scorer);
    return this.sharedAcrossRows ? rowByRow(fn) : fn;
  }

  private batchedOverEmbeddings(scorer: Scorer): DifferentiableFunction {
    const { forward, gradients } = this.model;
    const embedding = this.layer;
    const copies = (b: number) => this.inputs(Array.from({ length: b }, () => this.ids));
    return {
      gradients: async (x) => {
        const { feeds, overrides } = copies(x.shape[0]!);
        let scores: Float64Array = new Float64Array(0);
        const { grads } = await gradients.runWithGradient({
          feeds,
          overrides: { ...overrides, [embedding]: x },
          fetch: [],
          output: scorer.output,
          wrt: [embedding],
          scores: scorer.spec && [scorer.spec],
          seed: (value) => {
            const s = scorer.score(value);
            scores = s.scores;
            return s.seed;
          },
        });
        return { scores, grads: grads[embedding]! };
      },
      scores: async (x) => {
        const { feeds, overrides } = copies(x.shape[0]!);
        const out = await forward.run({ feeds, overrides: { ...overrides, [embedding]: x }, fetch: [scorer.output] });
        return scorer.score(out[scorer.output]!).scores;
      },
      rowsPerPass: () => gradients.rowsPerPass(copies(1).feeds),
    };
  }

  /**
   * Scores of rows of token ids (what perturbation methods compare). `attentionMasks`, one
   * 0/1 row per row of ids, replaces the model's all-ones attention_mask (a position at 0 is
   * removed from attention); the model must take an attention_mask input. Every row has
   * the input's length; they run in passes that fit the backend (SharedForward).
   */
  async scoreIds(
    rows: readonly (readonly number[])[],
    scorer: Scorer,
    segments: Segments = this.segments,
    attentionMasks?: readonly (readonly number[])[],
  ): Promise<Float64Array> {
    if (attentionMasks && attentionMasks.length !== rows.length) {
      throw new InvalidInputError(`${attentionMasks.length} attention masks for ${rows.length} rows`, 'bad_attention_mask');
    }
    const runner = segments === this.segments ? this : new TextRunner(this.model, this.ids, segments, this.layer);
    return new SharedForward().score(
      runner,
      rows.map((ids, r) => ({ ids, attention: attentionMasks?.[r] })),
      scorer,
    );
  }

  /** The layer's value for one row of ids under the given segments, without the batch axis. */
  async embed(ids: readonly number[], segments: Segments = this.segments): Promise<HostTensor> {
    const { feeds, overrides } = this.inputs([ids], segments);
    const t = (await this.model.forward.run({ feeds, overrides, fetch: [this.layer] }))[this.layer]!;
    return { dtype: t.dtype, shape: t.shape.slice(1), data: t.data };
  }
}

/** fn evaluated one row of x at a time ([1, ...] per pass), the results stacked back. */
export function rowByRow(fn: DifferentiableFunction): DifferentiableFunction {
  const rows = (x: HostTensor) => {
    const n = sizeOf(x.shape.slice(1));
    return Array.from({ length: x.shape[0]! }, (_, r) => tensor('float32', [1, ...x.shape.slice(1)], x.data.subarray(r * n, (r + 1) * n)));
  };
  return {
    gradients: async (x) => {
      const scores = new Float64Array(x.shape[0]!);
      const grads = new Float32Array(sizeOf(x.shape));
      let r = 0;
      for (const row of rows(x)) {
        const part = await fn.gradients(row);
        scores[r] = part.scores[0]!;
        grads.set(part.grads.data, r * sizeOf(row.shape));
        r++;
      }
      return { scores, grads: tensor('float32', x.shape, grads) };
    },
    scores: async (x) => {
      const scores = new Float64Array(x.shape[0]!);
      let r = 0;
      for (const row of rows(x)) scores[r++] = (await fn.scores(row))[0]!;
      return scores;
    },
    rowsPerPass: () => 1,
  };
}
