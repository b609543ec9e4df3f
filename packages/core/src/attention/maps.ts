import { InvalidInputError } from '../errors.ts';
import { type HostTensor, formatShape } from '../tensor.ts';

/** A square or rectangular matrix, rows first. */
export type Matrix = number[][];

/** Attention probabilities [layers][heads][queries][keys]: rows are queries, columns keys; each row sums to 1. */
export type AttentionMaps = number[][][][];

/** Batch item 0 of a [batch, heads, queries, keys] tensor, as [heads][queries][keys]. */
export function headMaps(t: HostTensor): number[][][] {
  if (t.shape.length !== 4)
    throw new InvalidInputError(`attention tensor must be [batch, heads, queries, keys], got ${formatShape(t.shape)}`, 'attention_shape');
  const [, heads, queries, keys] = t.shape as [number, number, number, number];
  return Array.from({ length: heads }, (_, h) =>
    Array.from({ length: queries }, (_, q) => Array.from(t.data.subarray((h * queries + q) * keys, (h * queries + q + 1) * keys))),
  );
}

/**
 * Check that maps hold at least one layer and head and that every layer has the same heads,
 * queries and keys; with `square`, also that queries equal keys (what rollout and relevance
 * multiply). Returns [layers, heads, queries, keys].
 */
export function mapsShape(maps: AttentionMaps, what: string, square = false): [number, number, number, number] {
  const layers = maps.length;
  const heads = maps[0]?.length ?? 0;
  const queries = maps[0]?.[0]?.length ?? 0;
  const keys = maps[0]?.[0]?.[0]?.length ?? 0;
  if (!layers || !heads || !queries || !keys)
    throw new InvalidInputError(`${what}: no attention maps (need at least one layer, head and token)`, 'attention_shape');
  maps.forEach((layer, l) => {
    if (layer.length !== heads)
      throw new InvalidInputError(`${what}: layer ${l} has ${layer.length} heads, layer 0 has ${heads}`, 'attention_shape');
    layer.forEach((m, h) => {
      if (m.length !== queries || m.some((row) => row.length !== keys)) {
        throw new InvalidInputError(`${what}: layer ${l} head ${h} is not ${queries}×${keys} like layer 0 head 0`, 'attention_shape');
      }
    });
  });
  if (square && queries !== keys) {
    throw new InvalidInputError(
      `${what} needs square maps (queries = keys); these are ${queries}×${keys} (a run with past keys?)`,
      'attention_shape',
    );
  }
  return [layers, heads, queries, keys];
}
