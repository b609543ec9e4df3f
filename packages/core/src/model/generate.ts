import { GlassboxError, InvalidInputError, ModelLoadError } from '../errors.ts';
import type { ForwardEngine } from './pretrained.ts';
import type { Graph } from '../graph/ir.ts';
import { type HostTensor, tensor } from '../tensor.ts';
import { textFeeds } from './feeds.ts';
import type { OnnxModel } from './onnxModel.ts';

/** The causal LM's logits output ([batch, sequence, vocab]): `logits`, else the first output. */
export function logitsOutput(graph: Graph): string {
  const out = graph.outputs.find((o) => o.name === 'logits') ?? graph.outputs[0];
  if (out?.shape.length !== 3) {
    throw new ModelLoadError(
      `the graph has no [batch, sequence, vocab] logits output (outputs: ${graph.outputs.map((o) => o.name).join(', ')}); is it a causal language model?`,
    );
  }
  return out.name;
}

/** Past key/value inputs and the outputs that feed them back (`past_key_values.N.key` ← `present.N.key`). */
export function pastPairs(graph: Graph): { past: string; present: string }[] {
  const outputs = new Set(graph.outputs.map((o) => o.name));
  return graph.inputs
    .filter((i) => i.name.startsWith('past_key_values'))
    .map(({ name }) => {
      const present = name.replace(/^past_key_values/, 'present');
      if (!outputs.has(present)) throw new ModelLoadError(`past input "${name}" has no matching output "${present}"`);
      return { past: name, present };
    });
}

/**
 * Feeds of one decoding step of a batch-1 decoder: `ids` are the new tokens, `past` the
 * previous step's presents covering `offset` earlier tokens (attention mask over past and
 * new tokens, position ids offset..offset+n−1). Without past, the graph's own text feeds
 * (zero-length past tensors).
 */
export function decoderFeeds(
  graph: Graph,
  ids: readonly number[],
  past?: { values: Record<string, HostTensor>; offset: number },
): Record<string, HostTensor> {
  const feeds = textFeeds(graph, { ids: [ids] });
  if (!past) return feeds;
  const dtypeOf = (name: string) => graph.inputs.find((i) => i.name === name)!.dtype;
  if (feeds.attention_mask)
    feeds.attention_mask = tensor(
      dtypeOf('attention_mask'),
      [1, past.offset + ids.length],
      new Int32Array(past.offset + ids.length).fill(1),
    );
  if (feeds.position_ids)
    feeds.position_ids = tensor(
      dtypeOf('position_ids'),
      [1, ids.length],
      ids.map((_, i) => past.offset + i),
    );
  for (const { past: name, present } of pastPairs(graph)) feeds[name] = past.values[present]!;
  return feeds;
}

export interface GreedyOptions {
  maxNewTokens: number;
  /** Tokens that end generation (included in the output, as transformers does). */
  stopIds: ReadonlySet<number>;
}

export interface Generation {
  /** The new tokens. */
  ids: number[];
  /** Next-token logits ([vocab]) each new token was chosen from. */
  logits: Float32Array[];
}

/** First index of the largest value (torch.argmax). */
function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Greedy decoding of a batch-1 causal LM on the model's forward engine (default: our runtime): the prompt runs once with empty
 * past tensors, then each new token runs alone with the presents fed back as past. Graphs
 * without past inputs rerun the whole sequence at every step.
 */
export async function greedy(
  onnx: OnnxModel,
  prompt: readonly number[],
  options: GreedyOptions,
  engine: ForwardEngine = onnx,
): Promise<Generation> {
  const { maxNewTokens, stopIds } = options;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1)
    throw new InvalidInputError(`maxNewTokens must be a positive integer, got ${maxNewTokens}`, 'bad_max_new_tokens');
  const graph = onnx.graph;
  const logitsName = logitsOutput(graph);
  const pairs = pastPairs(graph);
  const presents = pairs.map((p) => p.present);
  const sequence = [...prompt];
  const ids: number[] = [];
  const logits: Float32Array[] = [];
  let past: { values: Record<string, HostTensor>; offset: number } | undefined;
  while (ids.length < maxNewTokens) {
    const step = past ? sequence.slice(past.offset) : sequence;
    const out = await engine.run({ feeds: decoderFeeds(graph, step, past), fetch: [logitsName, ...presents] });
    const z = out[logitsName]!;
    const [, t, v] = z.shape as [number, number, number];
    if (t !== step.length) throw new GlassboxError('bad_graph', `logits cover ${t} positions for ${step.length} tokens`);
    const last = (z.data as Float32Array).slice((t - 1) * v, t * v);
    const next = argmax(last);
    ids.push(next);
    logits.push(last);
    sequence.push(next);
    if (stopIds.has(next)) break;
    if (pairs.length) past = { values: out, offset: sequence.length - 1 };
  }
  return { ids, logits };
}
