import type { OnnxModel } from '../model/onnxModel.ts';
import { type HostTensor, tensor } from '../tensor.ts';
import { classScores } from './classification.ts';
import type { Scorer } from '../model/scorer.ts';

/**
 * What a generated token's score is: its raw logit (interpreto's default,
 * `InferenceModes.LOGITS`), its softmax probability (inseq's default, `probability`), or its
 * log-probability.
 */
export const GENERATION_OUTPUTS = ['logits', 'softmax', 'log-softmax'] as const;
export type GenerationOutput = (typeof GENERATION_OUTPUTS)[number];

/** A language-model head `logits = hidden · weight` with a constant weight [H, vocab]. */
export interface LmHead {
  /** The [B, T, H] tensor the head reads. */
  hidden: string;
  weight: HostTensor;
}

/**
 * The LM head, when the logits output is a MatMul of the hidden states by a constant (GPT-2's
 * tied `lm_head`, after constant folding). Scoring the hidden states through it on the host
 * spares the graph the [B, T, vocab] logits, of which one position is explained.
 */
export function findLmHead(onnx: OnnxModel, logits: string, feeds: Record<string, HostTensor>): LmHead | undefined {
  const node = onnx.graph.nodes.find((n) => n.outputs[0] === logits);
  if (node?.opType !== 'MatMul') return undefined;
  const plan = onnx.planFor(feeds);
  const weight = plan.constants.get(node.inputs[1]!);
  const hidden = plan.shapes.get(node.inputs[0]!);
  if (weight?.dtype !== 'float32' || weight.shape.length !== 2 || hidden?.length !== 3 || hidden[2] !== weight.shape[0]) return undefined;
  return { hidden: node.inputs[0]!, weight };
}

/** log p_c = z_c − logsumexp(z) per row of [B, V], and its cotangent δ_cj − p_j. */
function logSoftmaxScores(z: HostTensor, c: number): { scores: Float64Array; seed: HostTensor } {
  const [b, v] = z.shape as [number, number];
  const scores = new Float64Array(b);
  const seed = new Float32Array(b * v);
  for (let r = 0; r < b; r++) {
    const row = z.data.subarray(r * v, (r + 1) * v);
    let max = -Infinity;
    for (const x of row) max = Math.max(max, x);
    let sum = 0;
    for (const x of row) sum += Math.exp(x - max);
    const lse = max + Math.log(sum);
    scores[r] = row[c]! - lse;
    for (let j = 0; j < v; j++) seed[r * v + j] = (j === c ? 1 : 0) - Math.exp(row[j]! - lse);
  }
  return { scores, seed: tensor('float32', [b, v], seed) };
}

/**
 * The score of `token` at `position` of a causal LM's output, in the chosen space, with its
 * cotangent: read from the logits [B, T, vocab], or, given the LM head, from the hidden
 * states [B, T, H] projected on the host (the same numbers in float64).
 */
export function nextTokenScorer(
  logits: string,
  head: LmHead | undefined,
  position: number,
  token: number,
  output: GenerationOutput,
  vocab?: number,
): Scorer {
  return {
    output: head ? head.hidden : logits,
    // Read from the logits [B, T, vocab]: row r's group is position `position`'s vocab logits.
    spec: head || !vocab ? undefined : { offset: position * vocab, size: vocab, entry: token, space: output, sign: 1 },
    score: (value) => {
      const [b, t, d] = value.shape as [number, number, number];
      const w = head?.weight.data;
      const v = head ? head.weight.shape[1]! : d;
      const at = (r: number) => (r * t + position) * d;
      const z = new Float32Array(b * v);
      for (let r = 0; r < b; r++) {
        const x = value.data.subarray(at(r), at(r) + d);
        if (!w) z.set(x, r * v);
        else {
          const acc = new Float64Array(v);
          for (let k = 0; k < d; k++) for (let j = 0; j < v; j++) acc[j]! += x[k]! * w[k * v + j]!;
          z.set(acc, r * v);
        }
      }
      const zt = tensor('float32', [b, v], z);
      const { scores, seed } = output === 'log-softmax' ? logSoftmaxScores(zt, token) : classScores(zt, token, output);
      const full = new Float32Array(b * t * d);
      for (let r = 0; r < b; r++) {
        const s = seed.data.subarray(r * v, (r + 1) * v);
        if (!w) full.set(s, at(r));
        else {
          for (let k = 0; k < d; k++) {
            let g = 0;
            for (let j = 0; j < v; j++) g += w[k * v + j]! * s[j]!;
            full[at(r) + k] = g;
          }
        }
      }
      return { scores, seed: tensor('float32', value.shape, full) };
    },
  };
}
