/**
 * Words from tokens alone, for the results that carry no `words` (question answering,
 * token classification, text generation): a token continues the word before it when its
 * subword marker says so (WordPiece "##…"; in byte-level BPE and SentencePiece vocabularies,
 * any token not starting with "Ġ" / "▁"), never across a special token, and punctuation
 * stands alone (as core's groupWords). A word's attribution is the sum of its tokens', null
 * when one of them is null (as core's words).
 */

export interface Piece {
  /** The token or word, exactly as the result has it (untrusted). */
  text: string;
  /** null where the method gave none. */
  attribution: number | null;
  special: boolean;
}

const PUNCTUATION = /^[\p{P}\p{S}]+$/u;
const WORD_START = /^[Ġ▁]/;

/** A token without its subword marker: "##ing" → "ing", "Ġfilm" → "film". */
export function surface(token: string): string {
  return token.replace(/^##/, '').replace(WORD_START, '');
}

export function groupWords(tokens: readonly Piece[]): Piece[] {
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
