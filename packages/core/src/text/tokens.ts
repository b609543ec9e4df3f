export interface TokenSpan {
  token: string;
  id: number;
  /** Character offsets into the explained text; null when the token has no span (specials). */
  start: number | null;
  end: number | null;
  special: boolean;
}

export interface WordSpan {
  word: string;
  start: number;
  end: number;
  /** Indices of the tokens that make up the word. */
  tokens: number[];
}

/** Strip accents and case so a token's surface can be found in the original text. */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** What a vocabulary entry looks like in text: WordPiece "##" and byte-level "Ġ"/"Ċ" markers removed. */
export function tokenSurface(token: string): string {
  return token.replace(/^##/, '').replace(/^▁/, '').replace(/Ġ/g, ' ').replace(/Ċ/g, '\n').replace(/ĉ/g, '\t').trim();
}

/**
 * Character offsets of each token in `text`, by matching token surfaces left to right on
 * case- and accent-folded text. Tokens that cannot be matched (specials, byte fragments)
 * get null offsets.
 */
export function alignTokens(text: string, tokens: { token: string; id: number; special: boolean }[]): TokenSpan[] {
  let folded = '';
  const origin: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const f = fold(ch);
    folded += f;
    // One origin per UTF-16 unit of the folded text (indexOf below counts units; astral characters take two).
    for (let k = 0; k < f.length; k++) origin.push(i);
    i += ch.length;
  }
  origin.push(text.length);
  let cursor = 0;
  return tokens.map((t) => {
    const surface = t.special ? '' : fold(tokenSurface(t.token));
    const at = surface ? folded.indexOf(surface, cursor) : -1;
    if (at < 0) return { ...t, start: null, end: null };
    cursor = at + surface.length;
    return { ...t, start: origin[at]!, end: origin[cursor]! };
  });
}

/**
 * alignTokens over several texts: token i is matched in `texts[segmentOf(i)]`, left to right
 * within its text. The spans keep the tokens' order and say which text they index into.
 */
export function alignSegments(
  texts: readonly string[],
  tokens: { token: string; id: number; special: boolean }[],
  segmentOf: (i: number) => number,
): (TokenSpan & { segment: number })[] {
  const spans = new Array<TokenSpan & { segment: number }>(tokens.length);
  texts.forEach((text, segment) => {
    const positions = tokens.flatMap((_, i) => (segmentOf(i) === segment ? [i] : []));
    alignTokens(
      text,
      positions.map((i) => tokens[i]!),
    ).forEach((span, k) => (spans[positions[k]!] = { ...span, segment }));
  });
  return spans;
}

const PUNCTUATION = /^[\p{P}\p{S}]+$/u;

/**
 * Group tokens into words: consecutive non-special tokens whose spans touch, except that
 * punctuation stands alone (as BERT's basic tokenizer splits it).
 */
export function groupWords(text: string, spans: TokenSpan[]): WordSpan[] {
  const words: WordSpan[] = [];
  let prev: TokenSpan | undefined;
  spans.forEach((s, i) => {
    if (s.special || s.start === null || s.end === null) {
      prev = undefined;
      return;
    }
    const piece = text.slice(s.start, s.end);
    const last = words[words.length - 1];
    const joins = last && prev && prev.end === s.start && !PUNCTUATION.test(piece) && !PUNCTUATION.test(text.slice(prev.start!, prev.end!));
    if (joins) {
      last.end = s.end;
      last.word = text.slice(last.start, last.end);
      last.tokens.push(i);
    } else {
      words.push({ word: piece, start: s.start, end: s.end, tokens: [i] });
    }
    prev = s;
  });
  return words;
}
