import { InvalidInputError } from '../errors.ts';
import type { TokenSpan } from '../text/tokens.ts';
import { unitsOf } from '../text/units.ts';
import { checkRationale } from './plausibility.ts';

/**
 * A human rationale over a text, given as one 0/1 per token (every token, special tokens
 * included, as the result lists them, or only the non-special ones) or per word, as one 0/1
 * per feature (`units`: the token positions of each feature): a feature is in the rationale
 * when one of its tokens is marked; a marked word marks each of its tokens. The length says
 * which was given (word and token counts are equal only when every word is one token).
 */
export function unitRationale(
  rationale: ArrayLike<number | boolean>,
  spans: readonly (TokenSpan & { segment?: number })[],
  texts: readonly string[],
  units: readonly number[][],
): Uint8Array {
  const tokens = unitsOf(spans, texts, 'token');
  const words = unitsOf(spans, texts, 'word');
  const given = [unitsOf(spans, texts, 'all-tokens'), tokens, words].find((g) => g.length === rationale.length);
  if (!given) {
    throw new InvalidInputError(
      `"rationale" must hold one 0/1 per token (${tokens.length}, or ${spans.length} with the special tokens) or per word (${words.length}); got ${rationale.length} values`,
      'bad_rationale',
    );
  }
  const values = checkRationale(rationale, rationale.length);
  const marked = new Uint8Array(spans.length);
  given.forEach((positions, j) => {
    if (values[j]) for (const p of positions) marked[p] = 1;
  });
  return checkRationale(
    Uint8Array.from(units, (u) => (u.some((p) => marked[p] === 1) ? 1 : 0)),
    units.length,
  );
}
