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

/** The position-embedding lookup, found by the table's name (position_embeddings, wpe). */
export function findPositionEmbedding(graph: Graph): EmbeddingLookup | undefined {
  const n = tableGathers(graph).find((g) => /position_embeddings|\bwpe\b|\.wpe\./.test(g.inputs[0]!));
  return n && lookupOf(graph, n);
}

/** The token-type (segment) embedding lookup, found by the table's name. */
export function findTokenTypeEmbedding(graph: Graph): EmbeddingLookup | undefined {
  const n = tableGathers(graph).find((g) => /token_type_embeddings/.test(g.inputs[0]!));
  return n && lookupOf(graph, n);
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
      const affine = next.length === 1 && ['Mul', 'Add'].includes(next[0]!.opType) && next[0]!.inputs.filter((i) => values.has(i)).length === 1;
      if (!affine) return out;
      out = next[0]!.outputs[0]!;
    }
  }
  return undefined;
}
