import { InvalidInputError } from '../errors.ts';
import { type TokenSpan, groupWords } from './tokens.ts';

export const GRANULARITIES = ['token', 'word', 'sentence', 'all-tokens'] as const;
/** The units a text is attributed over: its non-special tokens, words or sentences, or every token (specials included). */
export type Granularity = (typeof GRANULARITIES)[number];

const SENTENCE_END = /[.!?]+/g;

/** [start, end) character ranges of the sentences of `text`: split after each run of . ! ? */
export function sentenceRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  for (const m of text.matchAll(SENTENCE_END)) {
    const end = m.index! + m[0].length;
    if (text.slice(start, end).trim() !== '') ranges.push([start, end]);
    start = end;
  }
  if (text.slice(start).trim() !== '') ranges.push([start, text.length]);
  return ranges;
}

/**
 * Token positions of each unit of a tokenized text, in order. `spans` are the tokens' spans
 * (alignTokens), `segment` says which of `texts` a token's offsets index into (default 0).
 * 'token': each non-special token alone; 'all-tokens': every token, specials included;
 * 'word': the tokens of each word (groupWords); 'sentence': the tokens whose span starts in
 * each sentence (sentenceRanges). Specials belong to no unit except under 'all-tokens'; a
 * non-special token without a span (a byte fragment) joins the unit of the token before it.
 */
export function unitsOf(
  spans: readonly (TokenSpan & { segment?: number })[],
  texts: readonly string[],
  granularity: Granularity,
): number[][] {
  if (granularity === 'all-tokens') return spans.map((_, i) => [i]);
  if (granularity === 'token') return spans.flatMap((s, i) => (s.special ? [] : [[i]]));
  const unitOf = new Array<number>(spans.length).fill(-1);
  let count = 0;
  texts.forEach((text, seg) => {
    const inSeg = (s: TokenSpan & { segment?: number }) => (s.segment ?? 0) === seg;
    if (granularity === 'word') {
      const words = groupWords(
        text,
        spans.map((s) => (inSeg(s) ? s : { ...s, start: null, end: null })),
      );
      for (const w of words) {
        for (const i of w.tokens) unitOf[i] = count;
        count++;
      }
    } else if (granularity === 'sentence') {
      for (const [a, b] of sentenceRanges(text)) {
        let used = false;
        spans.forEach((s, i) => {
          if (inSeg(s) && !s.special && s.start !== null && s.start >= a && s.start < b) {
            unitOf[i] = count;
            used = true;
          }
        });
        if (used) count++;
      }
    } else {
      throw new InvalidInputError(
        `unknown granularity "${String(granularity)}"; use one of ${GRANULARITIES.join(', ')}`,
        'bad_granularity',
      );
    }
  });
  // Byte fragments and other unaligned non-special tokens follow the token before them.
  spans.forEach((s, i) => {
    if (!s.special && unitOf[i] === -1 && i > 0 && unitOf[i - 1]! >= 0 && (spans[i - 1]!.segment ?? 0) === (s.segment ?? 0))
      unitOf[i] = unitOf[i - 1]!;
  });
  const units: number[][] = Array.from({ length: count }, () => []);
  unitOf.forEach((u, i) => u >= 0 && units[u]!.push(i));
  return units.filter((u) => u.length > 0);
}
