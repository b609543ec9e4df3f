import type { ScoreSpec } from '../compile/gradientModel.ts';
import type { HostTensor } from '../tensor.ts';

/** What is explained: one output tensor, reduced to a score per row, and its cotangent. */
export interface Scorer {
  output: string;
  score(value: HostTensor): { scores: Float64Array; seed: HostTensor };
  /** The same score written as graph nodes, where it has such a form (engines that compile the reverse pass then need one run). */
  spec?: ScoreSpec;
}
