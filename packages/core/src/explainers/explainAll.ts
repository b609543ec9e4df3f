import { GlassboxError } from '../errors.ts';
import { throwIfAborted } from '../methods/batch.ts';

/** One input's outcome in explainAll: its result, or the error explaining it threw. */
export type Explained<I, R> =
  | { index: number; input: I; result: R; error?: undefined }
  | { index: number; input: I; error: Error; result?: undefined };

export interface ExplainAllOptions {
  /**
   * Stops the stream: once aborted, no further input is read or explained and the iteration
   * rejects with a GlassboxError of code 'aborted'. Pass the same signal to `explain`'s own
   * options so that the input being explained stops within one batch too.
   */
  signal?: AbortSignal;
  /** Called after each input with how many are done and how many there are (undefined unless `inputs` is an array). */
  onProgress?: (done: number, total: number | undefined) => void;
}

/**
 * Explains many inputs as a stream: `explain` runs on each input in turn (one at a time, as
 * an engine runs explanations; results come in input order) and each outcome is yielded as
 * soon as it is known, so a data set of any size is never held whole. `inputs` may be any
 * iterable or async iterable (e.g. lines of a file read lazily): the next input is pulled
 * only when the previous one is done and its outcome has been taken.
 *
 * An error explaining one input (a bad input's GlassboxError, or any other) is yielded as
 * that input's `error` and the stream goes on; an abort (`signal`, or an 'aborted' error
 * from `explain`) ends it by rejecting. Task-agnostic, e.g.
 * `explainAll((text) => explainer.explain(text, { method: 'saliency', signal }), texts, { signal })`.
 */
export async function* explainAll<I, R>(
  explain: (input: I, index: number) => Promise<R>,
  inputs: Iterable<I> | AsyncIterable<I>,
  options: ExplainAllOptions = {},
): AsyncGenerator<Explained<I, R>, void, undefined> {
  const { signal, onProgress } = options;
  const total = Array.isArray(inputs) ? inputs.length : undefined;
  throwIfAborted(signal);
  let index = 0;
  for await (const input of inputs) {
    let outcome: Explained<I, R>;
    try {
      outcome = { index, input, result: await explain(input, index) };
    } catch (e) {
      if (e instanceof GlassboxError && e.code === 'aborted') throw e;
      throwIfAborted(signal);
      outcome = { index, input, error: e instanceof Error ? e : new Error(String(e)) };
    }
    index++;
    onProgress?.(index, total);
    yield outcome;
    throwIfAborted(signal); // before the next input is pulled
  }
}
