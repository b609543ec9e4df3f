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
