/**
 * Words from tokens alone, for the results that carry no `words` (question answering,
 * token classification, text generation): a token continues the word before it when its
 * subword marker says so (WordPiece "##…"; in byte-level BPE and SentencePiece vocabularies,
 * any token not starting with "Ġ" / "▁"), never across a special token, and punctuation
 * stands alone (as core's groupWords). A word's attribution is the sum of its tokens', null
 * when one of them is null (as core's words); tokens that carry a `unit` (word or sentence
 * granularity) give one piece per unit with the unit's value.
 */

export interface Piece {
  /** The token or word, exactly as the result has it (untrusted). */
  text: string;
  /** null where the method gave none. */
  attribution: number | null;
  special: boolean;
  /** At 'word' or 'sentence' granularity, the unit the token belongs to: a unit's tokens share its value. */
  unit?: number;
}

const PUNCTUATION = /^[\p{P}\p{S}]+$/u;
const WORD_START = /^[Ġ▁]/;

/** A token without its subword marker: "##ing" → "ing", "Ġfilm" → "film". */
export function surface(token: string): string {
  return token.replace(/^##/, '').replace(WORD_START, '');
}

export function groupWords(tokens: readonly Piece[]): Piece[] {
  if (tokens.some((t) => t.unit !== undefined)) return groupUnits(tokens);
  const markedStarts = tokens.some((t) => !t.special && WORD_START.test(t.text));
  const words: Piece[] = [];
  let prev: string | null = null; // surface of the previous token, null after a special token
  for (const t of tokens) {
    if (t.special) {
      prev = null;
      continue;
    }
    const piece = surface(t.text);
    const continues = t.text.startsWith('##') || (markedStarts && !WORD_START.test(t.text));
    const last = words[words.length - 1];
    if (last && prev !== null && continues && !PUNCTUATION.test(piece) && !PUNCTUATION.test(prev)) {
      last.text += piece;
      last.attribution = last.attribution === null || t.attribution === null ? null : last.attribution + t.attribution;
    } else {
      words.push({ text: piece, attribution: t.attribution, special: false });
    }
    prev = piece;
  }
  return words;
}

/**
 * Tokens computed at 'word' or 'sentence' granularity: one piece per unit, its words joined
 * by spaces, carrying the unit's value once (not the sum of its tokens' copies of it).
 */
function groupUnits(tokens: readonly Piece[]): Piece[] {
  const units = new Map<number, Piece[]>();
  for (const t of tokens) if (!t.special && t.unit !== undefined) units.set(t.unit, [...(units.get(t.unit) ?? []), t]);
  return [...units.values()].map((members) => ({
    text: groupWords(members.map(({ unit: _, ...t }) => t))
      .map((w) => w.text)
      .join(' '),
    attribution: members[0]!.attribution,
    special: false,
  }));
}
