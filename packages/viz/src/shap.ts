import { type PieceOptions, type Row, type ShownPiece, shownPieces } from './rows.ts';

/**
 * What shap's plots (forcePlot, shapBarPlot) share: shap's colours, red for values that push
 * the output up and blue for those that push it down, and the features of a row.
 */
export const SHAP_RED = '#ff0051';
export const SHAP_BLUE = '#008bfb';

export const shapFill = (value: number): string => (value < 0 ? SHAP_BLUE : SHAP_RED);

/**
 * The row's features, each counted once so that their values sum to fx − baseValue: its
 * units when the result was computed at 'word' or 'sentence' granularity (their tokens share
 * one value), else its tokens or words as `granularity` says. Pieces without a value are left out.
 */
export function shapFeatures(row: Row, options: PieceOptions = {}): ShownPiece[] {
  const units = row.tokens.some((t) => t.unit !== undefined);
  return shownPieces(row, units ? { ...options, granularity: 'word' } : options).filter((p) => p.attribution !== null);
}
