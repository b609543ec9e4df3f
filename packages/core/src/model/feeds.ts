import type { Graph } from '../graph/ir.ts';
import { type HostTensor, tensor } from '../tensor.ts';

export interface TextRows {
  ids: readonly (readonly number[])[];
  /** Token types per row; zeros when absent. */
  tokenTypes?: readonly (readonly number[])[];
  /** Position id of position i; 0..T−1 when absent. */
  positions?: (i: number) => number;
}

/**
 * Feeds for a text model's inputs from token rows: input_ids, attention_mask (ones),
 * token_type_ids, position_ids (0..T−1 unless `positions` says otherwise) and empty past key/values, whichever the graph takes.
 */
export function textFeeds(graph: Graph, rows: TextRows): Record<string, HostTensor> {
  const b = rows.ids.length;
  const t = rows.ids[0]!.length;
  const flat = (f: (r: number, i: number) => number) => {
    const out = new Int32Array(b * t);
    for (let r = 0; r < b; r++) for (let i = 0; i < t; i++) out[r * t + i] = f(r, i);
    return out;
  };
  const feeds: Record<string, HostTensor> = {};
  for (const input of graph.inputs) {
    const name = input.name;
    if (name === 'input_ids')
      feeds[name] = tensor(
        input.dtype,
        [b, t],
        flat((r, i) => rows.ids[r]![i]!),
      );
    else if (name === 'attention_mask')
      feeds[name] = tensor(
        input.dtype,
        [b, t],
        flat(() => 1),
      );
    else if (name === 'token_type_ids')
      feeds[name] = tensor(
        input.dtype,
        [b, t],
        flat((r, i) => rows.tokenTypes?.[r]?.[i] ?? 0),
      );
    else if (name === 'position_ids')
      feeds[name] = tensor(
        input.dtype,
        [b, t],
        flat((_, i) => rows.positions?.(i) ?? i),
      );
    else if (name.startsWith('past_key_values')) {
      const shape = input.shape.map((d, i) => (i === 0 ? b : typeof d === 'number' ? d : 0));
      feeds[name] = tensor(input.dtype, shape);
    }
  }
  return feeds;
}
