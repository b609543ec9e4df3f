import { InvalidInputError } from '../errors.ts';
import type { DifferentiableFunction } from '../methods/types.ts';
import { type HostTensor, sizeOf, tensor } from '../tensor.ts';
import type { TextRunner } from './textRunner.ts';
import type { Segments } from '../model/textModel.ts';
import type { Scorer } from '../model/scorer.ts';

/**
 * Several targets of one input as one function of k stacked copies of the runner's layer,
 * X = [k, ...layer shape]: F(X) = Σ_j f_j(X_j), f_j being scorer j's score. F is separable,
 * so integrated gradients, saliency or input × gradient of F hold in slice j exactly target
 * j's attribution. On stacked copies of one input (and of one baseline) the copies are equal
 * at every point such a method evaluates: each point then runs forward once, and backward
 * once per target from the same forward values. Unequal copies are refused.
 */
export function stackedTargets(runner: TextRunner, scorers: readonly Scorer[]): DifferentiableFunction {
  const output = sharedOutput(scorers);
  const { gradients } = runner.model;
  const layer = runner.layer;
  const specs = scorers.every((s) => s.spec) ? scorers.map((s) => s.spec!) : undefined;
  const k = scorers.length;
  return {
    gradients: async (x) => {
      const points = firstCopies(x, k);
      const b = points.shape[0]!;
      const { feeds, overrides } = copies(runner, b);
      let scores: Float64Array[] = [];
      const { grads } = await gradients.runWithGradients({
        feeds,
        overrides: { ...overrides, [layer]: points },
        fetch: [],
        output,
        wrt: [layer],
        scores: specs,
        seeds: (value) => {
          const scored = scorers.map((s) => s.score(value));
          scores = scored.map((s) => s.scores);
          return scored.map((s) => s.seed);
        },
      });
      const n = sizeOf(points.shape.slice(1));
      const stacked = new Float32Array(b * k * n);
      grads.forEach((g, j) => {
        const data = g[layer]!.data;
        for (let r = 0; r < b; r++) stacked.set(data.subarray(r * n, (r + 1) * n), (r * k + j) * n);
      });
      return { scores: sumOverTargets(scores, b), grads: tensor('float32', x.shape, stacked) };
    },
    scores: async (x) => sumOverTargets(await targetScores(runner, scorers, firstCopies(x, k)), x.shape[0]!),
    rowsPerPass: () => gradients.rowsPerPass(copies(runner, 1).feeds),
  };
}

/** k copies of one tensor along a new first axis ([k, ...shape]). */
export function stackCopies(t: HostTensor, k: number): HostTensor {
  const n = sizeOf(t.shape);
  const data = new Float32Array(k * n);
  for (let j = 0; j < k; j++) data.set(t.data.subarray(0, n), j * n);
  return tensor('float32', [k, ...t.shape], data);
}

/** Every scorer's scores of the rows of x ([b, ...layer shape], the layer's values), from one forward pass. */
export async function targetScores(runner: TextRunner, scorers: readonly Scorer[], x: HostTensor): Promise<Float64Array[]> {
  const b = x.shape[0]!;
  if (runner.sharedAcrossRows && b > 1) {
    // A layer shared across rows takes one row per pass (TextRunner.sharedAcrossRows).
    const n = sizeOf(x.shape.slice(1));
    const out = scorers.map(() => new Float64Array(b));
    for (let r = 0; r < b; r++) {
      const row = await targetScores(runner, scorers, tensor('float32', [1, ...x.shape.slice(1)], x.data.subarray(r * n, (r + 1) * n)));
      row.forEach((s, j) => (out[j]![r] = s[0]!));
    }
    return out;
  }
  const output = sharedOutput(scorers);
  const { feeds, overrides } = copies(runner, x.shape[0]!);
  const value = (await runner.model.forward.run({ feeds, overrides: { ...overrides, [runner.layer]: x }, fetch: [output] }))[output]!;
  return scorers.map((s) => s.score(value).scores);
}

/** Every scorer's scores of rows of token ids under the given segments, from the forward passes of one scoreIds. */
export async function targetScoresOfIds(
  runner: TextRunner,
  rows: readonly (readonly number[])[],
  scorers: readonly Scorer[],
  segments: Segments,
): Promise<Float64Array[]> {
  const values: HostTensor[] = [];
  const keep: Scorer = {
    output: sharedOutput(scorers),
    score: (value) => {
      values.push(value);
      return scorers[0]!.score(value);
    },
  };
  await runner.scoreIds(rows, keep, segments);
  return scorers.map((s) => {
    const scores = new Float64Array(rows.length);
    let at = 0;
    for (const value of values) {
      const part = s.score(value).scores;
      scores.set(part, at);
      at += part.length;
    }
    return scores;
  });
}

/** The runner's input ids, b times, with its segments. */
function copies(runner: TextRunner, b: number) {
  return runner.inputs(Array.from({ length: b }, () => runner.ids));
}

function sharedOutput(scorers: readonly Scorer[]): string {
  if (scorers.length === 0) throw new InvalidInputError('no targets to explain', 'unknown_target');
  const output = scorers[0]!.output;
  const other = scorers.find((s) => s.output !== output);
  if (other)
    throw new InvalidInputError(
      `targets explained together must score one output; got "${output}" and "${other.output}"`,
      'unknown_target',
    );
  return output;
}

/** Row r: Σ_j scores[j][r]. */
function sumOverTargets(scores: readonly Float64Array[], b: number): Float64Array {
  return Float64Array.from({ length: b }, (_, r) => scores.reduce((sum, s) => sum + s[r]!, 0));
}

/** The first copy of every point of x ([b, k, ...shape] → [b, ...shape]), checking that the k copies are equal. */
function firstCopies(x: HostTensor, k: number): HostTensor {
  const [b, copiesGiven, ...shape] = x.shape;
  if (copiesGiven !== k) throw new InvalidInputError(`stacked input has ${copiesGiven} copies for ${k} targets`, 'input_shape');
  const n = sizeOf(shape);
  const out = new Float32Array(b! * n);
  for (let r = 0; r < b!; r++) {
    const first = r * k * n;
    for (let j = 1; j < k; j++) {
      for (let i = 0; i < n; i++) {
        if (x.data[first + j * n + i] !== x.data[first + i]) {
          throw new InvalidInputError(
            `copy ${j} of point ${r} differs from copy 0: stacked targets are attributed at the same points`,
            'input_shape',
          );
        }
      }
    }
    out.set(x.data.subarray(first, first + n), r * n);
  }
  return tensor('float32', [b!, ...shape], out);
}
