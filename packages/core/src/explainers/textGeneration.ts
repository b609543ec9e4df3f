import { type AttentionOutput, attentionFor } from '../attention/attentionFor.ts';
import { InvalidInputError } from '../errors.ts';
import { greedy, logitsOutput } from '../model/generate.ts';
import type { TextModel } from '../model/textModel.ts';
import { alignTokens } from '../text/tokens.ts';
import { type TextLayout, attributeTokens } from '../attribution/attributeTokens.ts';
import type { ExplainedForward } from '../attention/explainedForward.ts';
import { type Truncation, fitTexts } from '../attribution/explainedText.ts';
import { GENERATION_OUTPUTS, type GenerationOutput, type LmHead, findLmHead, nextTokenScorer } from '../attribution/nextTokenScorer.ts';
import { checkTaskOptions, taskRule } from '../attribution/optionRules.ts';
import { type ShapleyBase, shapleyBase } from '../attribution/shapleyBase.ts';
import { type MethodName, type ExplainOptions, resolveOptions } from '../attribution/explainOptions.ts';
import { TextRunner } from '../attribution/textRunner.ts';
import { ModelExplainer } from './modelExplainer.ts';

export { GENERATION_OUTPUTS, type GenerationOutput } from '../attribution/nextTokenScorer.ts';

/** Greedy continuations are this long unless `maxNewTokens` says otherwise. */
export const DEFAULT_MAX_NEW_TOKENS = 8;

export interface GenerateOptions {
  /** New tokens at most (generation also stops at the end-of-sequence token). Default 8. */
  maxNewTokens?: number;
}

export interface TextGenerationOptions
  extends Omit<ExplainOptions, 'target' | 'output' | 'normalize' | 'textPair' | 'transformersInterpretQuirks'>,
    GenerateOptions {
  /** The continuation to explain, as text (tokenized without special tokens) or token ids. Default: the greedy one (then maxNewTokens applies). */
  continuation?: string | readonly number[];
  /** Default 'logits'. */
  output?: GenerationOutput;
  /** 'none' (default) or 'l2': each row divided by its L2 norm. */
  normalize?: 'none' | 'l2';
}

export interface GenerationToken {
  token: string;
  id: number;
}

/** Shapley methods add baseValue and fx (Σ attributions + baseValue = fx; see ShapleyBase). */
export interface GeneratedToken extends GenerationToken, Partial<ShapleyBase> {
  /** The explained score of this token at the position before it (logit, probability or log-probability). */
  score: number;
  /** Σ attributions − (f(x) − f(baseline)) of this row, before normalisation; integrated gradients only. */
  convergenceDelta: number | null;
}

export interface GeneratedText {
  promptIds: number[];
  /** The new tokens (ending with the end-of-sequence token when generation stopped on it). */
  ids: number[];
  tokens: string[];
  /** The new tokens decoded, special tokens left out. */
  text: string;
  /** Next-token logits ([vocab]) each new token was chosen from. */
  logits: Float32Array[];
}

/** A prompt as text, or as token ids (any ids of the vocabulary, special tokens included). */
export type Prompt = string | readonly number[];

/** One input of explainBatch: a prompt, or a prompt with its own continuation (which replaces the options' `continuation`). */
export type GenerationInput = Prompt | { prompt: Prompt; continuation?: string | readonly number[] };

export interface TextGenerationResult {
  /** What the result is: the task that explained it (viz draws by it). */
  kind: 'text-generation';
  model: string;
  method: MethodName;
  output: GenerationOutput;
  /** The prompt as given, or, for a prompt of token ids, those ids decoded (special tokens left out). */
  prompt: string;
  promptTokens: GenerationToken[];
  generated: GeneratedToken[];
  /** The generated tokens decoded, special tokens left out. */
  generatedText: string;
  /**
   * [generated][prompt + generated]: row j attributes generated token j to the prompt tokens
   * and the j generated tokens before it; null from its own position on (and where the method
   * gives none: occlusion leaves special tokens out).
   */
  matrix: (number | null)[][];
  /** Attention maps of the forward pass over prompt + continuation, gradient-weighted ones for the first generated token's score (`attention` option). */
  attentions?: AttentionOutput;
  /** Present when the `truncation` option cut the prompt to leave room for the continuation: `prompt` is then the explained prefix. */
  truncated?: Truncation;
}

/**
 * Explains a causal language model (transformers.js text-generation models, e.g. GPT-2)
 * token by token, as interpreto and inseq do: each token of a continuation (given, or
 * generated greedily) is attributed to the prompt and to the tokens generated before it,
 * its score taken at the position before it with the whole prefix run without past.
 */
export class TextGenerationExplainer extends ModelExplainer<TextModel> {
  static override readonly task = taskRule('text-generation', {
    own: ['continuation', 'maxNewTokens'],
    without: ['target', 'textPair', 'transformersInterpretQuirks'],
  });

  /** The LM head scored on the host (undefined: score the logits), found on first use. */
  private head: LmHead | null | undefined;

  /** An explainer of `model`: a causal LM (its graph's logits output is found here, or the error names what is missing). */
  constructor(model: TextModel) {
    super(model);
    logitsOutput(model.onnx.graph);
  }

  /** Greedy continuation of a prompt (text or token ids) through our runtime, with past key/values. */
  async generate(prompt: Prompt, options: GenerateOptions = {}): Promise<GeneratedText> {
    const m = this.model;
    const promptIds = this.promptIds(prompt);
    const maxNewTokens = options.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1)
      throw new InvalidInputError(`maxNewTokens must be a positive integer, got ${maxNewTokens}`, 'bad_max_new_tokens');
    this.checkLength(promptIds.length + maxNewTokens, `the prompt (${promptIds.length} tokens) plus maxNewTokens ${maxNewTokens}`);
    const { ids, logits } = await greedy(m.onnx, promptIds, { maxNewTokens, stopIds: this.stopIds() }, m.forward);
    return { promptIds, ids, tokens: ids.map((id) => m.tokenString(id)), text: this.decode(ids), logits };
  }

  /**
   * Attribute each token of the continuation to the tokens before it. Defaults: the greedy
   * continuation (maxNewTokens 8), layer integrated gradients on the word embeddings (50
   * Gauss-Legendre points) from the 'pad' baseline (every token but specials replaced by the
   * pad token, else end-of-sequence: <|endoftext|> for GPT-2), the token's logit, sums over
   * the hidden dimension, no normalisation (normalize 'l2' divides each row by its norm).
   * A prompt of token ids is explained as those ids; the result's `prompt` is their decoded text.
   */
  async explain(givenPrompt: Prompt, options: TextGenerationOptions = {}): Promise<TextGenerationResult> {
    const m = this.model;
    const { continuation, maxNewTokens, output = 'logits', ...common } = options;
    this.checkOptions(options);
    // The output space is checked above; everything else as every text explainer, with Captum's conventions.
    const resolved = resolveOptions({ ...common, normalize: common.normalize ?? 'none', transformersInterpretQuirks: false });

    // With truncation, the prompt keeps its first tokens that leave room for the continuation.
    const given = continuation === undefined ? undefined : this.continuationIds(continuation);
    const room = given?.length ?? maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
    const { prompt, promptIds, truncated } = this.fitPrompt(givenPrompt, common.truncation === true, m.maxTokens - room);
    const generated = given ?? (await this.generate(promptIds, { maxNewTokens })).ids;
    const all = [...promptIds, ...generated];
    this.checkLength(all.length, `the prompt (${promptIds.length} tokens) plus its continuation (${generated.length})`);

    const logitsName = logitsOutput(m.onnx.graph);
    // On our runtime the LM head runs on the host; an engine that compiles the pass scores the logits in the graph.
    if (this.head === undefined)
      this.head = (m.gradients === m.onnx ? findLmHead(m.onnx, logitsName, m.feeds([promptIds])) : undefined) ?? null;
    const head = this.head ?? undefined;
    const vocab = m.onnx.graph.outputs.find((o) => o.name === logitsName)?.shape[2];
    const scorerOf = (j: number) =>
      nextTokenScorer(logitsName, head, promptIds.length + j - 1, generated[j]!, output, typeof vocab === 'number' ? vocab : undefined);
    const layout = this.layout(prompt, all, generated);
    const matrix: (number | null)[][] = [];
    const rows: GeneratedToken[] = [];
    for (let j = 0; j < generated.length; j++) {
      const runner = new TextRunner(m, all.slice(0, promptIds.length + j));
      const scorer = scorerOf(j);
      const prefixLayout = { texts: layout.texts, spans: layout.spans.slice(0, runner.ids.length) };
      const { perToken, convergenceDelta, ...base } = await attributeTokens(runner, scorer, common, resolved, undefined, prefixLayout);
      const [score] = await runner.scoreIds([runner.ids], scorer);
      matrix.push(all.map((_, i) => (i < runner.ids.length ? (perToken[i] ?? null) : null)));
      rows.push({ token: m.tokenString(generated[j]!), id: generated[j]!, score: score!, convergenceDelta, ...shapleyBase(base) });
    }

    const result: TextGenerationResult = {
      kind: 'text-generation',
      model: m.id,
      method: resolved.method,
      output,
      prompt,
      promptTokens: promptIds.map((id) => ({ token: m.tokenString(id), id })),
      generated: rows,
      generatedText: this.decode(generated),
      matrix,
      ...(truncated && { truncated }),
    };
    if (options.attention) {
      const forward: ExplainedForward = {
        onnx: m.onnx,
        feeds: m.feeds([all]),
        scorer: scorerOf(0),
        forwardEngine: m.forward,
        gradientEngine: m.gradients,
      };
      result.attentions = await attentionFor(forward, options.attention);
    }
    return result;
  }

  /** The options' checks that need no input: no target, the task's options, a known output. */
  private checkOptions(options: TextGenerationOptions): void {
    if ((options as ExplainOptions).target !== undefined) {
      throw new InvalidInputError(
        'option "target" is not read by task "text-generation": each generated token is a target; give "continuation" to choose them',
        'unused_option',
      );
    }
    checkTaskOptions(TextGenerationExplainer.task, options, options.method);
    const output = options.output ?? 'logits';
    if (!GENERATION_OUTPUTS.includes(output))
      throw new InvalidInputError(`unknown output "${output}"; use one of ${GENERATION_OUTPUTS.join(', ')}`, 'bad_output');
  }

  /**
   * Explains several prompts with the same options: `results[i]` is input i's explanation,
   * equal to `explain(prompt_i, options)` (with input i's own `continuation` where it gives
   * one). The options and each input's form (a non-empty text, or ids of the vocabulary; its
   * continuation) are checked before any is explained; an input's error names its index.
   */
  async explainBatch(inputs: readonly GenerationInput[], options: TextGenerationOptions = {}): Promise<TextGenerationResult[]> {
    if (!Array.isArray(inputs) || inputs.length === 0)
      throw new InvalidInputError('explainBatch needs a non-empty list of prompts', 'empty_text');
    this.checkOptions(options);
    const atInput = <T>(i: number, f: () => T): T => {
      try {
        return f();
      } catch (e) {
        throw e instanceof InvalidInputError ? new InvalidInputError(`input ${i}: ${e.message}`, e.code) : e;
      }
    };
    const cases = inputs.map((input, i) =>
      atInput(i, () => {
        const own =
          typeof input === 'object' && input !== null && !Array.isArray(input)
            ? (input as { prompt: Prompt; continuation?: string | readonly number[] })
            : undefined;
        const prompt = own ? own.prompt : (input as Prompt);
        const continuation = own?.continuation ?? options.continuation;
        // The cheap checks first (type, emptiness, ids in the vocabulary), so that a bad input fails before any is explained.
        if (Array.isArray(prompt)) this.promptIds(prompt);
        else if (typeof prompt !== 'string')
          throw new InvalidInputError(
            `prompt must be a text or a list of token ids, got ${prompt === null ? 'null' : typeof prompt}`,
            'bad_prompt',
          );
        else if (prompt.trim() === '') throw new InvalidInputError('prompt text is empty', 'empty_text');
        if (continuation !== undefined) this.continuationIds(continuation);
        return { prompt, continuation };
      }),
    );
    const results: TextGenerationResult[] = [];
    for (const [i, { prompt, continuation }] of cases.entries()) {
      results.push(await atInputAsync(i, () => this.explain(prompt, { ...options, continuation })));
    }
    return results;
  }

  /**
   * Where the prompt and continuation tokens lie in the prompt followed by the decoded
   * continuation. Each token is matched by the text it decodes to, so byte-level tokens
   * (GPT-2's "Ġfox", "cafÃ©") align; a token holding part of a character's bytes matches
   * nothing and joins the unit before it.
   */
  private layout(prompt: string, ids: number[], generated: number[]): TextLayout {
    const m = this.model;
    const specials = m.specialIds();
    const text = prompt + this.decode(generated);
    const tokens = ids.map((id) => ({ id, token: m.tokenizer.decode([id]), special: specials.has(id) }));
    return { texts: [text], spans: alignTokens(text, tokens) };
  }

  /**
   * The prompt's ids within `maxTokens` (its first tokens when `truncation` allows cutting) and
   * its text: the text as given (a cut text: the prefix explained), or the ids decoded.
   */
  private fitPrompt(
    given: Prompt,
    truncation: boolean,
    maxTokens: number,
  ): { prompt: string; promptIds: number[]; truncated?: Truncation } {
    if (typeof given === 'string') {
      const fitted = truncation
        ? fitTexts(this.model, [given], { truncation, name: 'the prompt', maxTokens })
        : { texts: [given] as [string], truncated: undefined };
      const [prompt] = fitted.texts;
      return { prompt, promptIds: this.promptIds(prompt), ...(fitted.truncated && { truncated: fitted.truncated }) };
    }
    const all = this.promptIds(given);
    // Cut to one token at least: a continuation that leaves no room fails the length check after.
    const promptIds = truncation ? all.slice(0, Math.max(1, maxTokens)) : all;
    const truncated = promptIds.length < all.length ? { inputTokens: all.length, explainedTokens: promptIds.length } : undefined;
    return { prompt: this.decode(promptIds), promptIds, ...(truncated && { truncated }) };
  }

  private promptIds(prompt: Prompt): number[] {
    if (Array.isArray(prompt)) {
      if (prompt.length === 0) throw new InvalidInputError('prompt must be a non-empty text or list of token ids', 'empty_text');
      // Its length is checked with the continuation's, after any truncation.
      return this.vocabularyIds(prompt, 'prompt', 'bad_prompt');
    }
    if (typeof prompt !== 'string')
      throw new InvalidInputError(`prompt must be a text or a list of token ids, got ${typeof prompt}`, 'bad_prompt');
    if (prompt.trim() === '') throw new InvalidInputError('prompt text is empty', 'empty_text');
    const { ids } = this.model.encode(prompt);
    if (ids.length === 0) throw new InvalidInputError('prompt has no tokens once tokenized', 'empty_text');
    this.checkLength(ids.length, 'the prompt');
    return ids;
  }

  private continuationIds(continuation: string | readonly number[]): number[] {
    if (typeof continuation === 'string') {
      const { ids } = this.model.encode(continuation, undefined, false);
      if (ids.length === 0) throw new InvalidInputError('continuation is empty once tokenized', 'empty_continuation');
      return ids;
    }
    if (!Array.isArray(continuation) || continuation.length === 0) {
      throw new InvalidInputError('continuation must be a non-empty text or list of token ids', 'empty_continuation');
    }
    return this.vocabularyIds(continuation, 'continuation', 'bad_continuation');
  }

  /** A copy of `ids` after checking each is a token id of the vocabulary. */
  private vocabularyIds(ids: readonly unknown[], name: string, code: string): number[] {
    const vocab = this.model.onnx.graph.initializers.get(this.model.wordEmbedding.table)!.shape[0]!;
    const bad = ids.find((id) => !Number.isInteger(id) || (id as number) < 0 || (id as number) >= vocab);
    if (bad !== undefined)
      throw new InvalidInputError(`${name} token id ${JSON.stringify(bad)} is not in the vocabulary (0..${vocab - 1})`, code);
    return [...(ids as number[])];
  }

  private checkLength(n: number, what: string): void {
    const max = this.model.maxTokens;
    if (n > max) throw new InvalidInputError(`${what} is ${n} tokens; model "${this.model.id}" accepts at most ${max}`, 'text_too_long');
  }

  /** Tokens that end generation: the config's eos_token_id (one or several), else the tokenizer's. */
  private stopIds(): Set<number> {
    const eos = this.model.config.eos_token_id as number | number[] | undefined;
    const ids = eos === undefined || eos === null ? [this.model.tokenId('eos')] : [eos].flat();
    return new Set(ids.filter((id): id is number => typeof id === 'number'));
  }

  private decode(ids: number[]): string {
    return ids.length ? this.model.tokenizer.decode(ids, { skip_special_tokens: true }) : '';
  }
}

/** `f()`, an InvalidInputError from it prefixed with the input's index. */
async function atInputAsync<T>(i: number, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw e instanceof InvalidInputError ? new InvalidInputError(`input ${i}: ${e.message}`, e.code) : e;
  }
}
