import { InvalidInputError } from '../errors.ts';
import { type AttentionMaps, type Matrix, mapsShape } from './maps.ts';

export const AGGREGATE_OVER = ['heads', 'layers', 'both'] as const;
export type AggregateOver = (typeof AGGREGATE_OVER)[number];
/** `median` of an even count is the lower of the two middle values (torch.median's, as the course computes it; not numpy's mean of the two). */
export const REDUCTIONS = ['mean', 'median', 'max', 'min'] as const;
export type Reduction = (typeof REDUCTIONS)[number];

const reducers: Record<Reduction, (v: number[]) => number> = {
  mean: (v) => v.reduce((s, x) => s + x, 0) / v.length,
  median: (v) => {
    const s = [...v].sort((a, b) => a - b);
    return s[(s.length - 1) >> 1]!;
  },
  max: (v) => Math.max(...v),
  min: (v) => Math.min(...v),
};

/** Elementwise reduction of equally shaped matrices. */
function reduceStack(stack: readonly Matrix[], reduce: Reduction): Matrix {
  const f = reducers[reduce];
  return stack[0]!.map((row, q) => row.map((_, k) => f(stack.map((m) => m[q]![k]!))));
}

/**
 * Reduce attention maps [layers][heads][queries][keys] elementwise over heads (→ [layers][q][k]),
 * over layers (→ [heads][q][k]) or over both (→ [q][k]).
 */
export function aggregate(maps: AttentionMaps, options: { over: 'heads' | 'layers'; reduce: Reduction }): number[][][];
export function aggregate(maps: AttentionMaps, options: { over: 'both'; reduce: Reduction }): Matrix;
export function aggregate(maps: AttentionMaps, options: { over: AggregateOver; reduce: Reduction }): number[][][] | Matrix;
export function aggregate(maps: AttentionMaps, { over, reduce }: { over: AggregateOver; reduce: Reduction }): number[][][] | Matrix {
  if (!AGGREGATE_OVER.includes(over))
    throw new InvalidInputError(`aggregate over "${over}": expected one of ${AGGREGATE_OVER.join(', ')}`, 'invalid_option');
  if (!REDUCTIONS.includes(reduce))
    throw new InvalidInputError(`aggregate reduce "${reduce}": expected one of ${REDUCTIONS.join(', ')}`, 'invalid_option');
  const [, heads] = mapsShape(maps, 'aggregate');
  if (over === 'heads') return maps.map((layer) => reduceStack(layer, reduce));
  if (over === 'layers')
    return Array.from({ length: heads }, (_, h) =>
      reduceStack(
        maps.map((layer) => layer[h]!),
        reduce,
      ),
    );
  return reduceStack(maps.flat(1), reduce);
}
