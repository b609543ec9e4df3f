import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { ModelLoadError } from '../errors.ts';
import type { Override } from '../graph/plan.ts';
import { type HostTensor, sizeOf, tensor } from '../tensor.ts';
import {
  type EmbeddingLookup,
  findEmbeddingsOutput,
  findPositionEmbedding,
  findTokenTypeEmbedding,
  findWordEmbedding,
} from './embeddings.ts';
import { textFeeds } from './feeds.ts';
import type { OnnxModel } from './onnxModel.ts';
import {
  type ForwardEngine,
  type GradientEngine,
  type LoadOptions,
  type ModelConfig,
  labelsOf,
  loadConfig,
  loadOnnxModel,
} from './pretrained.ts';

export type { Device, EngineChoice, ForwardEngine, GradientEngine, LoadOptions, ModelConfig } from './pretrained.ts';

async function loadTokenizer(model: string, revision?: string): Promise<PreTrainedTokenizer> {
  try {
    return await AutoTokenizer.from_pretrained(model, { revision } as never);
  } catch (e) {
    throw new ModelLoadError(
      `model "${model}": could not load its tokenizer (tokenizer.json / tokenizer_config.json): ${(e as Error).message}`,
    );
  }
}

/** Token types and position ids a run uses where they differ from the model's own. */
export interface Segments {
  /** Token types of the input (undefined: the tokenizer's, or none). */
  types?: number[];
  /** Position id of position i, set inside the graph (undefined: the model's own). */
  position?: (i: number) => number;
}

/** A transformers.js text model: tokenizer, config and its ONNX graph on our runtime. */
export class TextModel {
  private vocab: string[] | undefined;
  private embeddingsOutputName: string | null | undefined;

  private constructor(
    readonly id: string,
    readonly tokenizer: PreTrainedTokenizer,
    readonly config: ModelConfig,
    readonly onnx: OnnxModel,
    readonly wordEmbedding: EmbeddingLookup,
    /** Runs forward-only passes (the load option `engine` chose it). */
    readonly forward: ForwardEngine = onnx,
    /** Runs gradient passes (the load option `engine` chose it). */
    readonly gradients: GradientEngine = onnx,
  ) {}

  static async load(model: string, options: LoadOptions = {}): Promise<TextModel> {
    const config = await loadConfig(model, options.revision);
    const [tokenizer, { onnx, forward, gradients, file }] = await Promise.all([
      loadTokenizer(model, options.revision),
      loadOnnxModel(model, options),
    ]);
    const wordEmbedding = findWordEmbedding(onnx.graph);
    if (!wordEmbedding)
      throw new ModelLoadError(
        `model "${model}" (${file}): no word-embedding lookup (a Gather on a [vocab, hidden] table fed by input_ids)`,
      );
    return new TextModel(model, tokenizer, config, onnx, wordEmbedding, forward, gradients);
  }

  get labels(): string[] {
    return labelsOf(this.config);
  }

  /**
   * Give back its device memory (weights, pooled buffers) at once and release its onnxruntime
   * sessions (resolves when they are). Idempotent; later calls throw code 'disposed'.
   */
  async dispose(): Promise<void> {
    this.onnx.dispose();
    await Promise.all([
      this.forward.dispose(),
      this.gradients !== this.onnx && (this.gradients as { dispose?: () => Promise<void> }).dispose?.(),
    ]);
  }

  /** Whether the PyTorch model's forward takes position_ids (all supported families but DistilBERT). */
  get forwardTakesPositionIds(): boolean {
    return this.config.model_type !== 'distilbert';
  }

  /**
   * Whether transformers-interpret's explainers pass position_ids (and token types) to this
   * model: every family whose forward takes them, except the "nonstandard" RoBERTa.
   */
  get transformersInterpretPassesPositionIds(): boolean {
    return this.forwardTakesPositionIds && this.config.model_type !== 'roberta';
  }

  /**
   * The output of the embeddings block (word + position (+ token type) embeddings, then
   * LayerNorm), transformers-interpret's `embedding_type` 2; undefined when the graph has
   * no LayerNorm after the word embeddings.
   */
  get embeddingsOutput(): string | undefined {
    if (this.embeddingsOutputName === undefined)
      this.embeddingsOutputName = findEmbeddingsOutput(this.onnx.graph, this.wordEmbedding.tensor) ?? null;
    return this.embeddingsOutputName ?? undefined;
  }

  /** Longest token sequence the model's position table allows. */
  get maxTokens(): number {
    const positions = this.config.max_position_embeddings ?? this.config.n_positions;
    const tokenizerMax = (this.tokenizer as unknown as { model_max_length?: number }).model_max_length;
    // RoBERTa-family tables reserve the first pad_token_id + 1 rows.
    const offset = /roberta|camembert|longformer/.test(this.config.model_type ?? '') ? (this.config.pad_token_id ?? 1) + 1 : 0;
    const fromConfig = positions ? positions - offset : Infinity;
    const fromTokenizer = tokenizerMax && tokenizerMax < 1e6 ? tokenizerMax : Infinity;
    return Math.min(fromConfig, fromTokenizer);
  }

  specialIds(): Set<number> {
    return new Set((this.tokenizer as unknown as { all_special_ids: number[] }).all_special_ids ?? []);
  }

  /** A special token's id: the tokenizer's `<kind>_token_id`, else its `<kind>_token` from tokenizer_config.json (transformers.js keeps no cls_token_id). */
  tokenId(kind: 'pad' | 'mask' | 'cls' | 'sep' | 'eos' | 'bos'): number | undefined {
    const t = this.tokenizer as unknown as Record<string, unknown> & { config?: Record<string, unknown> };
    const id = t[`${kind}_token_id`];
    if (typeof id === 'number') return id;
    const token = t.config?.[`${kind}_token`];
    const content = typeof token === 'object' && token !== null ? (token as { content?: unknown }).content : token;
    if (typeof content !== 'string') return undefined;
    const v = this.tokenizer.get_vocab() as Map<string, number> | Record<string, number>;
    return v instanceof Map ? v.get(content) : v[content];
  }

  /** id → vocabulary string, for the tokens of a result. */
  tokenString(id: number): string {
    if (!this.vocab) {
      const v = this.tokenizer.get_vocab() as Map<string, number> | Record<string, number>;
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
      this.vocab = [];
      for (const [tok, i] of entries) this.vocab[i] = tok;
    }
    return this.vocab[id] ?? this.tokenizer.decode([id]);
  }

  /** Token ids and types for a text (or a text pair), with the tokenizer's special tokens unless told otherwise. */
  encode(text: string, pair?: string, addSpecialTokens = true): { ids: number[]; tokenTypes: number[] | undefined } {
    const enc = (this.tokenizer as unknown as (t: string, o: object) => Record<string, { data: ArrayLike<bigint | number> } | undefined>)(
      text,
      {
        text_pair: pair ?? null,
        add_special_tokens: addSpecialTokens,
      },
    );
    const ids = Array.from(enc.input_ids!.data, Number);
    const types = enc.token_type_ids ? Array.from(enc.token_type_ids.data, Number) : undefined;
    return { ids, tokenTypes: types };
  }

  /** Feeds for rows of ids; `positions` sets a position_ids input where the graph takes one (segmentOverrides sets them inside graphs that do not). */
  feeds(
    ids: readonly (readonly number[])[],
    tokenTypes?: readonly (readonly number[])[],
    positions?: (i: number) => number,
  ): Record<string, HostTensor> {
    return textFeeds(this.onnx.graph, { ids, tokenTypes, positions });
  }

  /** The word-embedding tensor for rows of ids ([B, T, H]). */
  async embed(rows: readonly (readonly number[])[]): Promise<HostTensor> {
    const out = await this.onnx.run({ feeds: this.feeds(rows), fetch: [this.wordEmbedding.tensor] });
    return out[this.wordEmbedding.tensor]!;
  }

  /**
   * Overrides that set the position ids and token types *inside* the graph, for graphs
   * that compute them instead of taking them as inputs (RoBERTa counts positions from
   * pad+1; its token types are a constant). `positions(i)` gives position i's id; `types`
   * are per-token segment ids, applied only where the segment table has that many rows.
   */
  segmentOverrides(positions?: (i: number) => number, types?: readonly number[]): Record<string, Override> {
    const graph = this.onnx.graph;
    const takes = (name: string) => graph.inputs.some((i) => i.name === name);
    const overrides: Record<string, Override> = {};
    const fill = (lookup: EmbeddingLookup | undefined, value: (i: number) => number) => {
      if (!lookup) return;
      // Rows of per-position ids, in whatever layout the graph computes them ([1, T] or [B, T]).
      overrides[lookup.indices] = (shape) => {
        const length = shape[shape.length - 1] ?? 1;
        return tensor(
          'int64',
          shape,
          new Int32Array(sizeOf(shape)).map((_, k) => value(k % length)),
        );
      };
    };
    if (positions && !takes('position_ids')) fill(findPositionEmbedding(graph), positions);
    const segments = findTokenTypeEmbedding(graph);
    const rows = segments ? (graph.initializers.get(segments.table)?.shape[0] ?? 1) : 1;
    if (types && !takes('token_type_ids') && Math.max(...types) < rows) fill(segments, (i) => types[i] ?? 0);
    return overrides;
  }
}
