import { InvalidInputError } from '../errors.ts';
import type { HostTensor } from '../tensor.ts';
import type { Override } from '../graph/plan.ts';
import type { Scorer } from '../model/scorer.ts';
import type { Segments, TextModel } from '../model/textModel.ts';

/** A row of token ids a runner's model is scored on; `attention` (0/1 per token) replaces its all-ones attention mask. */
export interface TextRow {
  ids: readonly number[];
  attention?: readonly number[];
}

/** What SharedForward reads of a runner (TextRunner is one): its model, the explained input's ids and segments, and the feeds of rows. */
export interface RowRunner {
  readonly model: TextModel;
  readonly ids: readonly number[];
  readonly segments: Segments;
  inputs(rows: readonly (readonly number[])[]): { feeds: Record<string, HostTensor>; overrides: Record<string, Override> };
}

interface Request {
  /** Which rows may share a pass with this request's (poolKey). */
  pool: string;
  runner: RowRunner;
  rows: readonly TextRow[];
  scorer: Scorer;
  resolve: (scores: Float64Array) => void;
  reject: (error: unknown) => void;
}

/** Output rows kept for later requests, at most this many floats in all. */
const CACHE_FLOATS = 1 << 22;

/**
 * Scores rows of token ids for any number of explanations running at once (several
 * targets of one input, several inputs), sharing forward passes: requests made in the same
 * turn of the event loop are run together, a row asked for twice (the same masks drawn for
 * two targets) is run once, and rows of different lengths are right-padded with the pad
 * token and attention 0, which leaves every real position's output as it was. Rows whose
 * runner sets position ids or token types inside the graph (transformers-interpret's run)
 * share passes only with rows of the same runner.
 */
export class SharedForward {
  private pending: Request[] = [];
  private scheduled = false;
  private readonly cache = new Map<string, HostTensor>();
  private cachedFloats = 0;

  score(runner: RowRunner, rows: readonly TextRow[], scorer: Scorer): Promise<Float64Array> {
    const T = runner.ids.length;
    for (const row of rows) {
      if (row.attention && row.attention.length !== row.ids.length) {
        throw new InvalidInputError(
          `an attention mask of ${row.attention.length} entries for a row of ${row.ids.length} tokens`,
          'bad_attention_mask',
        );
      }
      if (row.ids.length !== T) throw new InvalidInputError(`a row of ${row.ids.length} tokens for an input of ${T}`, 'bad_row');
    }
    if (rows.length === 0) return Promise.resolve(new Float64Array(0));
    return new Promise((resolve, reject) => {
      this.pending.push({ pool: poolKey(runner, scorer), runner, rows, scorer, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setTimeout(() => void this.flush(), 0);
      }
    });
  }

  private async flush(): Promise<void> {
    const requests = this.pending;
    this.pending = [];
    this.scheduled = false;
    const groups = new Map<unknown, Request[]>();
    for (const r of requests) {
      groups.set(r.pool, [...(groups.get(r.pool) ?? []), r]);
    }
    for (const group of groups.values()) {
      try {
        const outputs = await this.outputs(group);
        for (const r of group) {
          r.resolve(Float64Array.from(r.rows, (row) => r.scorer.score(outputs.get(rowKey(r, row))!).scores[0]!));
        }
      } catch (e) {
        group.forEach((r) => r.reject(e));
      }
    }
  }

  /** The scorers' output for every distinct row of the group (one row each, batch axis kept). */
  private async outputs(group: Request[]): Promise<Map<string, HostTensor>> {
    const { runner, scorer } = group[0]!;
    const out = new Map<string, HostTensor>();
    const todo = new Map<string, { runner: RowRunner; row: TextRow }>();
    for (const r of group) {
      for (const row of r.rows) {
        const key = rowKey(r, row);
        const hit = this.cache.get(key);
        if (hit) out.set(key, hit);
        else todo.set(key, { runner: r.runner, row });
      }
    }
    const items = [...todo.entries()];
    const model = runner.model;
    const takesMask = model.onnx.graph.inputs.some((i) => i.name === 'attention_mask');
    // Without an attention mask rows cannot be padded: rows of each length run on their own.
    const byLength = new Map<number, typeof items>();
    for (const item of items) {
      const length = takesMask ? 0 : item[1].row.ids.length;
      byLength.set(length, [...(byLength.get(length) ?? []), item]);
    }
    for (const batch of byLength.values()) {
      const longest = batch.reduce((best, [, it]) => (it.row.ids.length > best.runner.ids.length ? it : best), batch[0]![1]);
      const perPass = model.onnx.rowsPerPass(longest.runner.inputs([longest.runner.ids]).feeds);
      for (let s = 0; s < batch.length; s += perPass) {
        const chunk = batch.slice(s, s + perPass);
        const value = await runRows(
          chunk.map(([, it]) => it),
          scorer.output,
          takesMask,
        );
        const rest = value.shape.slice(1);
        const size = rest.reduce((p, d) => p * d, 1);
        chunk.forEach(([key], r) => {
          const row: HostTensor = { dtype: value.dtype, shape: [1, ...rest], data: value.data.slice(r * size, (r + 1) * size) };
          out.set(key, row);
          if (this.cachedFloats + size <= CACHE_FLOATS) {
            this.cache.set(key, row);
            this.cachedFloats += size;
          }
        });
      }
    }
    return out;
  }
}

const ids = new WeakMap<object, number>();
let nextId = 1;
function idOf(o: object): number {
  if (!ids.has(o)) ids.set(o, nextId++);
  return ids.get(o)!;
}

/**
 * Rows that may share a pass: same model and output, and the same length unless the output
 * is a graph output of shape [batch, n] (it then does not depend on the length); with
 * in-graph segment overrides or set position ids, only rows of the same runner.
 */
function poolKey(runner: RowRunner, scorer: Scorer): string {
  const { overrides } = runner.inputs([runner.ids]);
  const owner = Object.keys(overrides).length > 0 || runner.segments.position ? runner : runner.model;
  const info = runner.model.onnx.graph.outputs.find((o) => o.name === scorer.output);
  const lengthFree = info?.shape.length === 2 && typeof info.shape[1] === 'number';
  return `${idOf(owner)}|${scorer.output}|${lengthFree ? '' : runner.ids.length}`;
}

/** What a row computes: its pool's model (or runner), ids, token types and attention. */
function rowKey(r: Request, row: TextRow): string {
  return [r.pool, row.ids.join(','), r.runner.segments.types?.join(',') ?? '', row.attention?.join(',') ?? ''].join('|');
}

/** One forward pass over rows of possibly different lengths (right-padded), fetching `output`. */
async function runRows(items: readonly { runner: RowRunner; row: TextRow }[], output: string, takesMask: boolean): Promise<HostTensor> {
  const { runner } = items[0]!;
  const model = runner.model;
  const T = Math.max(...items.map((it) => it.row.ids.length));
  const pad = model.tokenId('pad') ?? model.tokenId('eos') ?? 0;
  const padded = (row: readonly number[], fill: number) => [...row, ...new Array<number>(T - row.length).fill(fill)];
  const ids = items.map((it) => padded(it.row.ids, pad));
  const types = items.map((it) => padded(it.runner.segments.types ?? it.row.ids.map(() => 0), 0));
  const feeds = model.feeds(ids, types, runner.segments.position);
  const overrides = model.segmentOverrides(runner.segments.position, runner.segments.types);
  const needsMask = items.some((it) => it.row.attention || it.row.ids.length < T);
  if (needsMask) {
    const mask = feeds.attention_mask;
    if (!takesMask || !mask)
      throw new InvalidInputError(`model "${model.id}" takes no attention_mask: use masking "pad" or "mask"`, 'bad_masking');
    items.forEach((it, r) => {
      for (let i = 0; i < T; i++)
        (mask.data as Int32Array | Float32Array)[r * T + i] = i < it.row.ids.length ? (it.row.attention?.[i] ?? 1) : 0;
    });
  }
  return (await model.forward.run({ feeds, overrides, fetch: [output] }))[output]!;
}
