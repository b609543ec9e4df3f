import type { Graph, Node } from '../graph/ir.ts';

/** Ops that pass ids through unchanged in value (only shape or type changes). */
const ID_PASSTHROUGH = new Set(['Reshape', 'Cast', 'Unsqueeze', 'Squeeze', 'Identity', 'Flatten']);

function producers(graph: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}

function tracesTo(graph: Graph, name: string, input: string): boolean {
  const prod = producers(graph);
  let cur = name;
  for (let guard = 0; guard < 64; guard++) {
    if (cur === input) return true;
    const n = prod.get(cur);
    if (!n || !ID_PASSTHROUGH.has(n.opType)) return false;
    cur = n.inputs[0]!;
  }
  return false;
}

export interface EmbeddingLookup {
  /** The tensor to override/differentiate: the lookup's output (after dequantization, if any). */
  tensor: string;
  /** The [vocab, hidden] table it reads. */
  table: string;
  /** The Gather node. */
  gather: string;
  /** Its indices tensor. */
  indices: string;
}

function lookupOf(graph: Graph, gather: Node): EmbeddingLookup {
  let tensor = gather.outputs[0]!;
  const consumers = graph.nodes.filter((n) => n.inputs.includes(tensor));
  // Quantized graphs gather from a uint8 table, then DequantizeLinear restores the float tensor.
  if (consumers.length === 1 && consumers[0]!.opType === 'DequantizeLinear') tensor = consumers[0]!.outputs[0]!;
  return { tensor, table: gather.inputs[0]!, gather: gather.name, indices: gather.inputs[1]! };
}

function tableGathers(graph: Graph): Node[] {
  return graph.nodes.filter((n) => {
    if (n.opType !== 'Gather' || (n.attrs.axis ?? 0) !== 0) return false;
    const table = graph.initializers.get(n.inputs[0]!);
    return !!table && table.shape.length === 2;
  });
}

/**
 * The word-embedding lookup: a Gather on a [vocab, hidden] initializer whose indices are
 * the `input_ids` input (possibly reshaped or cast). With several, the largest table wins.
 */
export function findWordEmbedding(graph: Graph, idsInput = 'input_ids'): EmbeddingLookup | undefined {
  const candidates = tableGathers(graph).filter((n) => tracesTo(graph, n.inputs[1]!, idsInput));
  candidates.sort((a, b) => graph.initializers.get(b.inputs[0]!)!.shape[0]! - graph.initializers.get(a.inputs[0]!)!.shape[0]!);
  return candidates[0] && lookupOf(graph, candidates[0]);
}

/**
 * The embeddings sum: the word-embedding tensor `word`, then the chain of Adds that adds
 * other table lookups to it (BERT: token types then positions; DistilBERT, GPT-2: positions),
 * and where that chain ends (`sum`, what a LayerNorm normalises or the first block reads).
 * Each added term is a Gather on a [rows, hidden] initializer (dequantized or cast, if so).
 */
export function findEmbeddingSum(graph: Graph, word: string): { sum: string; terms: EmbeddingLookup[] } {
  const lookups = new Map(tableGathers(graph).map((g) => [lookupOf(graph, g).tensor, lookupOf(graph, g)] as const));
  const prod = producers(graph);
  /** The lookup a value is (through casts), if any. */
  const termOf = (name: string): EmbeddingLookup | undefined => {
    for (let cur = name, guard = 0; guard < 8; guard++) {
      const hit = lookups.get(cur);
      if (hit) return hit;
      const n = prod.get(cur);
      if (!n || !['Cast', 'Identity'].includes(n.opType)) return undefined;
      cur = n.inputs[0]!;
    }
    return undefined;
  };
  const valueConsumers = (name: string) =>
    graph.nodes.filter((n) => n.inputs.includes(name) && n.opType !== 'Shape' && n.opType !== 'Size');
  const terms: EmbeddingLookup[] = [];
  let sum = word;
  for (let guard = 0; guard < 8; guard++) {
    const next = valueConsumers(sum);
    const add = next.length === 1 && next[0]!.opType === 'Add' ? next[0]! : undefined;
    const term = add && termOf(add.inputs.find((i) => i !== sum) ?? '');
    if (!add || !term || term.tensor === word) break;
    terms.push(term);
    sum = add.outputs[0]!;
  }
  return { sum, terms };
}

/**
 * The lookups added to the word embeddings (findEmbeddingSum), told apart by structure: one
 * whose indices are the `token_type_ids` input is the token-type lookup, one on `position_ids`
 * the position lookup; of lookups on computed indices (RoBERTa computes both, DistilBERT its
 * positions), the largest table holds the positions and a smaller one the token types.
 * Graphs with no such sum fall back to the tables' names (position_embeddings, wpe, token_type_embeddings).
 */
function addedLookups(graph: Graph): AddedLookups {
  let found = ADDED.get(graph);
  if (!found) ADDED.set(graph, (found = findAddedLookups(graph)));
  return found;
}

interface AddedLookups {
  position?: EmbeddingLookup;
  tokenType?: EmbeddingLookup;
}
/** Graphs are not changed once loaded: their lookups are found once. */
const ADDED = new WeakMap<Graph, AddedLookups>();

function findAddedLookups(graph: Graph): AddedLookups {
  const word = findWordEmbedding(graph);
  const terms = word ? findEmbeddingSum(graph, word.tensor).terms : [];
  if (terms.length === 0) {
    const named = (re: RegExp) => {
      const n = tableGathers(graph).find((g) => re.test(g.inputs[0]!));
      return n && lookupOf(graph, n);
    };
    return { position: named(/position_embeddings|\bwpe\b|\.wpe\./), tokenType: named(/token_type_embeddings/) };
  }
  const rows = (l: EmbeddingLookup) => graph.initializers.get(l.table)?.shape[0] ?? 0;
  let tokenType = terms.find((t) => tracesTo(graph, t.indices, 'token_type_ids'));
  let position = terms.find((t) => tracesTo(graph, t.indices, 'position_ids'));
  const rest = terms.filter((t) => t !== tokenType && t !== position).sort((a, b) => rows(b) - rows(a));
  if (!position) position = rest.shift();
  if (!tokenType) tokenType = rest.shift();
  return { position, tokenType };
}

/** The position-embedding lookup (see addedLookups). */
export function findPositionEmbedding(graph: Graph): EmbeddingLookup | undefined {
  return addedLookups(graph).position;
}

/** The token-type (segment) embedding lookup (see addedLookups). */
export function findTokenTypeEmbedding(graph: Graph): EmbeddingLookup | undefined {
  return addedLookups(graph).tokenType;
}

/**
 * The output of the whole embeddings block (what interpret-flair attributes, Captum's layer
 * `model.embeddings`): the embeddings sum's LayerNorm when the sum feeds nothing else (BERT,
 * DistilBERT, RoBERTa), else the sum itself (GPT-2: the first block's LayerNorm and residual
 * both read wte + wpe). Graphs with no sum: the first LayerNorm after the word embeddings.
 */
export function findEmbeddingsBlock(graph: Graph, word: string): string | undefined {
  const { sum, terms } = findEmbeddingSum(graph, word);
  if (terms.length === 0) return findEmbeddingsOutput(graph, word);
  const readers = graph.nodes.filter((n) => n.inputs.includes(sum) && n.opType !== 'Shape' && n.opType !== 'Size');
  const onlyLayerNorm = readers.length > 0 && readers.every((n) => ['LayerNormalization', 'ReduceMean', 'Sub'].includes(n.opType));
  return onlyLayerNorm ? (findEmbeddingsOutput(graph, sum) ?? sum) : sum;
}

/** Nodes whose output depends on the value of `from` (shape-only reads excepted), in graph order. */
function downstreamOf(graph: Graph, from: string): { nodes: Node[]; values: Set<string> } {
  const values = new Set([from]);
  const nodes: Node[] = [];
  for (const n of graph.nodes) {
    if (n.opType === 'Shape' || n.opType === 'Size' || !n.inputs.some((i) => values.has(i))) continue;
    nodes.push(n);
    for (const o of n.outputs) values.add(o);
  }
  return { nodes, values };
}

/**
 * The output of the embeddings block (transformers-interpret's `embedding_type` 2: word +
 * position (+ token type) embeddings, then LayerNorm): the first LayerNorm downstream of
 * the word-embedding tensor `word`, either a fused `LayerNormalization` (opset 17) or its
 * opset-14 decomposition ReduceMean → Sub → Pow → ReduceMean → Add → Sqrt → Div, followed
 * by the scale Mul and the bias Add.
 */
export function findEmbeddingsOutput(graph: Graph, word: string): string | undefined {
  const { nodes, values } = downstreamOf(graph, word);
  const consumers = (name: string) => nodes.filter((n) => n.inputs.includes(name));
  for (const n of nodes) {
    if (n.opType === 'LayerNormalization') return n.outputs[0];
    if (n.opType !== 'ReduceMean') continue;
    const x = n.inputs[0]!;
    const centred = consumers(n.outputs[0]!).find((s) => s.opType === 'Sub' && s.inputs[0] === x);
    const normed = centred && consumers(centred.outputs[0]!).find((d) => d.opType === 'Div' && d.inputs[0] === centred.outputs[0]);
    if (!normed) continue;
    // The affine tail: Mul by the scale, Add of the bias (operands that do not depend on the input).
    let out = normed.outputs[0]!;
    for (;;) {
      const next = consumers(out);
      const affine =
        next.length === 1 && ['Mul', 'Add'].includes(next[0]!.opType) && next[0]!.inputs.filter((i) => values.has(i)).length === 1;
      if (!affine) return out;
      out = next[0]!.outputs[0]!;
    }
  }
  return undefined;
}
