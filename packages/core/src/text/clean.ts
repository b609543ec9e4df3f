/**
 * transformers-interpret's text cleaning, applied before tokenizing: spaces around
 * . , ! ? ( ) and runs of whitespace collapsed. WordPiece ids do not change; byte-level
 * BPE ids do, which is why Glassbox applies it only when reproducing transformers-interpret.
 */
export function cleanTextLikeTransformersInterpret(text: string): string {
  return text.replace(/([.,!?()])/g, ' $1 ').replace(/\s{2,}/g, ' ');
}
