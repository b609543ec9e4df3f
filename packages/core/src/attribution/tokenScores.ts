import { type HostTensor, sizeOf, tensor } from '../tensor.ts';
import { type OutputSpace, classScores } from './classification.ts';
import type { Scorer } from '../model/scorer.ts';

/** Which entry of a group of logits is scored: an index, or the largest entry of each row ('max'). */
export type LogitEntry = number | 'max';

/**
 * A scorer of one entry of a group of logits inside each row of an output: the `size`
 * values from `offset` in the row (QA: all T start logits of a [B, T] output; NER: the C
 * class logits of token t in a [B, T, C] output, offset t·C). The score is the entry's raw
 * logit or its softmax probability over the group; with 'max' the entry is the row's own
 * argmax, chosen again at every evaluation (transformers-interpret's QA target).
 */
export function entryScorer(output: string, offset: number, size: number, entry: LogitEntry, space: OutputSpace): Scorer {
  return {
    output,
    spec: { offset, size, entry, space, sign: 1 },
    score(value: HostTensor) {
      const rows = value.shape[0]!;
      const n = sizeOf(value.shape) / rows;
      const scores = new Float64Array(rows);
      const seed = new Float32Array(rows * n);
      for (let r = 0; r < rows; r++) {
        const group = value.data.subarray(r * n + offset, r * n + offset + size);
        const s = classScores(tensor('float32', [1, size], group), entry === 'max' ? argmax(group) : entry, space);
        scores[r] = s.scores[0]!;
        seed.set(s.seed.data, r * n + offset);
      }
      return { scores, seed: tensor('float32', value.shape, seed) };
    },
  };
}

/** Index of the largest value (the first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
