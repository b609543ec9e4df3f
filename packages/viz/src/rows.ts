import type {
  MultiLabelClassificationResult,
  PairwiseClassificationResult,
  QuestionAnsweringResult,
  SequenceClassificationResult,
  ShapleyBase,
  TextAttributions,
  TextGenerationResult,
  TokenClassificationResult,
  ZeroShotClassificationResult,
} from '@glassbox/core';
import { shapleyBase } from '@glassbox/core';
import { type Piece, groupWords, surface } from './words.ts';

/**
 * The rows of Captum's / transformers-interpret's visualisation table, one registry entry
 * per result kind. A row is one explained score: its labels, and the token and word
 * attributions that explain it. Every view (highlights, table, bar chart) reads rows, so a
 * new result kind is one entry in ROW_TYPES.
 */

export type { Piece };

/** Every text result core has. */
export type TextResult =
  | SequenceClassificationResult
  | PairwiseClassificationResult
  | MultiLabelClassificationResult
  | ZeroShotClassificationResult
  | QuestionAnsweringResult
  | TokenClassificationResult
  | TextGenerationResult
  | MultiTargetResult;

/** One target of a MultiTargetResult: an entry of the CLI's `explanations`, or a library SequenceClassificationResult. */
export interface TargetExplanation extends Partial<ShapleyBase> {
  target: { index: number; label: string };
  tokens: { token: string; attribution: number | null; special?: boolean; unit?: number }[];
  /** Where absent (the CLI's JSON), the tokens grouped by subword markers. */
  words?: { word: string; attribution: number | null }[];
}

/**
 * Several classes of one input: the CLI's `--target 0,2` / `--target all` object
 * (`{explanations, predicted, logits}`), or `{ ...results[0], explanations: results }` of the
 * library's explainBatch results of one input. One row per target, in order; model, method
 * and output where known.
 */
export interface MultiTargetResult {
  explanations: TargetExplanation[];
  predicted: { index: number; label: string; score: number };
  logits: number[];
  model?: string;
  method?: string;
  output?: string;
}

/** A Shapley method's row also has its baseValue and fx (Σ attributions + baseValue = fx). */
export interface Row extends Partial<ShapleyBase> {
  /** Which row this is, for the `select` option: the label (classification, multi-label, zero-shot), 'start' / 'end' (QA), the token's position (NER), the generated token's number from 0 (generation). */
  key: string;
  trueLabel: string;
  predicted: { label: string; score: number | null };
  attributionLabel: string;
  /** Captum's attr_score: Σ of the token attributions (nulls left out). */
  attributionScore: number;
  tokens: Piece[];
  /** The result's words, or its tokens grouped by subword markers where it has none. */
  words: Piece[];
}

/** `trueLabel` option: one label for every row, or labels by row key. Default: transformers-interpret's (see each row type). */
export type TrueLabel = string | Record<string, string>;

export interface RowType<R extends object> {
  /** The result kind, as the CLI's task names. */
  kind: string;
  matches(result: object): result is R;
  rows(result: R, trueLabel: (key: string, fallback: string) => string): Row[];
  /** The row shown when `select` does not pick one: the predicted one. */
  predictedKey(result: R): string;
}

/** A row; `explained` is the result's record of the row's score, whose baseValue and fx it keeps. */
function row(
  key: string,
  trueLabel: string,
  predicted: Row['predicted'],
  attributionLabel: string,
  tokens: Piece[],
  words: Piece[] | undefined,
  explained: Partial<ShapleyBase>,
): Row {
  const attributionScore = countedOnce(tokens).reduce((a, t) => a + (t.attribution ?? 0), 0);
  return {
    key,
    trueLabel,
    predicted,
    attributionLabel,
    attributionScore,
    tokens,
    words: words ?? groupWords(tokens),
    ...shapleyBase(explained),
  };
}

/** A result token as a piece (its unit kept: the tokens of a word or sentence unit share one value). */
const tokenPiece = (t: { token: string; attribution: number | null; special?: boolean; unit?: number }): Piece => ({
  text: t.token,
  attribution: t.attribution,
  special: t.special ?? false,
  ...(t.unit !== undefined && { unit: t.unit }),
});

/** Tokens with each unit's value counted once: the first token of a unit stands for it. */
const countedOnce = (tokens: readonly Piece[]) =>
  tokens.filter((t, i) => t.unit === undefined || tokens.findIndex((u) => u.unit === t.unit) === i);

/** Tokens and words of core's TextAttributions as pieces. */
function pieces(a: Pick<TextAttributions, 'tokens'> & Partial<Pick<TextAttributions, 'words'>>): {
  tokens: Piece[];
  words: Piece[] | undefined;
} {
  // The CLI's printed labels have no words: row() groups their tokens.
  return {
    tokens: a.tokens.map(tokenPiece),
    words: a.words?.map(wordPiece),
  };
}

const wordPiece = (w: { word: string; attribution: number | null }): Piece => ({
  text: w.word,
  attribution: w.attribution,
  special: false,
});

/** One row per label (multi-label, zero-shot): transformers-interpret puts the label in every label column. */
function labelRows<L extends Pick<TextAttributions, 'tokens' | 'words' | 'baseValue' | 'fx'> & { label: string }>(
  labels: L[],
  score: (l: L) => number,
  trueLabel: (key: string, fallback: string) => string,
): Row[] {
  return labels.map((l) => {
    const { tokens, words } = pieces(l);
    return row(l.label, trueLabel(l.label, l.label), { label: l.label, score: score(l) }, l.label, tokens, words, l);
  });
}

/** The labels' entries, each with its label (the CLI's printed entries have none: their key is it). */
const labelled = <L extends { label: string }>(labels: Record<string, L>): L[] =>
  Object.entries(labels).map(([key, l]) => ({ ...l, label: l.label ?? key }));

const has = (result: object, ...keys: string[]) => keys.every((k) => k in result);

const classification = (kind: string, matches: (r: object) => boolean): RowType<SequenceClassificationResult> => ({
  kind,
  // The CLI's object has no words: its tokens are grouped (row).
  matches: (r): r is SequenceClassificationResult => has(r, 'tokens', 'predicted', 'target') && matches(r),
  // transformers-interpret: the true class defaults to the predicted one.
  rows: (r, trueLabel) => [
    row(
      r.target.label,
      trueLabel(r.target.label, r.predicted.label),
      r.predicted,
      r.target.label,
      r.tokens.map(tokenPiece),
      r.words?.map(wordPiece),
      r,
    ),
  ],
  predictedKey: (r) => r.target.label,
});

export const ROW_TYPES: RowType<object>[] = [
  {
    kind: 'text-generation',
    matches: (r): r is TextGenerationResult => has(r, 'matrix', 'generated', 'promptTokens'),
    // One row per generated token: attributed to the prompt and the tokens generated before it.
    rows: (r: TextGenerationResult, trueLabel) => {
      const all = [...r.promptTokens, ...r.generated];
      const p = r.promptTokens.length;
      return r.generated.map((g, j) => {
        const tokens = all.slice(0, p + j).map((t, i) => ({ text: t.token, attribution: r.matrix[j]?.[i] ?? null, special: false }));
        const shown = surface(g.token);
        return row(String(j), trueLabel(String(j), shown), { label: shown, score: g.score }, `${shown} (${p + j})`, tokens, undefined, g);
      });
    },
    predictedKey: () => '0',
  } satisfies RowType<TextGenerationResult>,
  {
    kind: 'token-classification',
    matches: (r): r is TokenClassificationResult => has(r, 'explained', 'tokens'),
    // One row per explained token (transformers-interpret: true class = predicted, attribution class = the token).
    rows: (r: TokenClassificationResult, trueLabel) =>
      r.explained.map((e) => {
        const tokens = e.tokens.map(tokenPiece);
        return row(
          String(e.index),
          trueLabel(String(e.index), e.predicted.label),
          e.predicted,
          `${surface(e.token)} (${e.index}) → ${e.target.label}`,
          tokens,
          undefined,
          e,
        );
      }),
    predictedKey: (r) => String(r.explained[0]?.index ?? ''),
  } satisfies RowType<TokenClassificationResult>,
  {
    kind: 'question-answering',
    matches: (r): r is QuestionAnsweringResult => has(r, 'start', 'end', 'predictedAnswer'),
    // Start and end rows (transformers-interpret: predicted = the answer with the side's max logit, true = attribution class = "token (position)").
    rows: (r: QuestionAnsweringResult, trueLabel) =>
      (['start', 'end'] as const).flatMap((side) => {
        const s = r[side];
        if (!s) return [];
        const at = `${s.tokens[s.position]?.token ?? ''} (${s.position})`;
        const tokens = s.tokens.map(tokenPiece);
        return [row(side, trueLabel(side, at), { label: r.predictedAnswer, score: s.logit }, `${side}: ${at}`, tokens, undefined, s)];
      }),
    predictedKey: (r) => (r.start ? 'start' : 'end'),
  } satisfies RowType<QuestionAnsweringResult>,
  {
    kind: 'zero-shot',
    matches: (r): r is ZeroShotClassificationResult => has(r, 'predictedLabel', 'labels'), // the CLI's object has no hypothesisTemplate
    // One row per candidate label (transformers-interpret: the label in every label column).
    rows: (r: ZeroShotClassificationResult, trueLabel) => labelRows(labelled(r.labels), (l) => l.score, trueLabel),
    predictedKey: (r) => r.predictedLabel,
  } satisfies RowType<ZeroShotClassificationResult>,
  {
    kind: 'multi-label',
    matches: (r): r is MultiLabelClassificationResult => has(r, 'labels', 'probabilities'), // the CLI's object has no targets
    rows: (r: MultiLabelClassificationResult, trueLabel) => labelRows(labelled(r.labels), (l) => l.probability, trueLabel),
    predictedKey: (r) => r.predicted.label,
  } satisfies RowType<MultiLabelClassificationResult>,
  {
    kind: 'multi-target',
    matches: (r): r is MultiTargetResult => has(r, 'explanations', 'predicted'),
    // One row per target (interpreto's multi-class plot), the true class defaulting to the predicted one as for one target.
    rows: (r: MultiTargetResult, trueLabel) =>
      r.explanations.map((e) =>
        row(
          e.target.label,
          trueLabel(e.target.label, r.predicted.label),
          r.predicted,
          e.target.label,
          e.tokens.map(tokenPiece),
          e.words?.map(wordPiece),
          e,
        ),
      ),
    predictedKey: (r) => r.predicted.label,
  } satisfies RowType<MultiTargetResult>,
  classification('pair-classification', (r) => has(r, 'textPair', 'flipSign')),
  classification('text-classification', () => true),
];

export interface RowSet {
  kind: string;
  rows: Row[];
  /** The row the single-row views show: `select`'s, else the predicted one. */
  selected: Row | undefined;
}

export interface RowOptions {
  /** Which row the highlights and the bar chart show (see Row.key). Default: the predicted one. */
  select?: string | number;
  trueLabel?: TrueLabel;
}

/** Row types named apart from core's result kinds (the task that explained it); every other kind is its row type's name. */
const ROW_TYPE_OF_KIND: Record<string, string> = {
  'multi-label-classification': 'multi-label',
  'zero-shot-classification': 'zero-shot',
};

/**
 * The row type of a result: the one its `kind` names (core's results), else the first whose
 * fields it has (the CLI's printed objects carry no kind). Several targets of one result
 * (`explanations`) are a multi-target result whatever the kind spread into them.
 */
function rowTypeOf(result: object): (typeof ROW_TYPES)[number] | undefined {
  const kind = (result as { kind?: unknown }).kind;
  const named = typeof kind === 'string' ? (ROW_TYPE_OF_KIND[kind] ?? kind) : undefined;
  const several = ROW_TYPES.find((t) => t.kind === 'multi-target' && t.matches(result));
  return several ?? (named === undefined ? ROW_TYPES.find((t) => t.matches(result)) : ROW_TYPES.find((t) => t.kind === named));
}

/** The result's kind and rows; throws for a result no row type matches. */
export function rowsOf(result: object, options: RowOptions = {}): RowSet {
  const type = rowTypeOf(result);
  if (!type) throw new Error(`@glassbox/viz: no text view for this result (fields: ${Object.keys(result).join(', ')})`);
  const given = options.trueLabel;
  const trueLabel = (key: string, fallback: string) => (typeof given === 'string' ? given : (given?.[key] ?? fallback));
  const rows = type.rows(result, trueLabel);
  const key = options.select === undefined ? type.predictedKey(result) : String(options.select);
  const selected = rows.find((r) => r.key === key) ?? (options.select === undefined ? rows[0] : undefined);
  if (!selected && options.select !== undefined)
    throw new Error(`@glassbox/viz: no row "${key}"; rows: ${rows.map((r) => r.key).join(', ')}`);
  return { kind: type.kind, rows, selected };
}

export type Granularity = 'token' | 'word';

export interface PieceOptions {
  /** 'token' (default, as Captum and transformers-interpret) or 'word'. */
  granularity?: Granularity;
  /** Token granularity: show special tokens ([CLS], [SEP]…). Default true (as transformers-interpret); words never include them. */
  showSpecial?: boolean;
}

/** A piece as shown, with its rank: 1 for the largest |attribution| among those shown, null for null attributions. */
export interface ShownPiece extends Piece {
  rank: number | null;
  /** How many shown pieces have a rank. */
  ranked: number;
}

export function shownPieces(row: Row, options: PieceOptions = {}): ShownPiece[] {
  const list =
    options.granularity === 'word' ? row.words : options.showSpecial === false ? row.tokens.filter((t) => !t.special) : row.tokens;
  const order = list
    .flatMap((p, i) => (p.attribution === null ? [] : [i]))
    .sort((a, b) => Math.abs(list[b]!.attribution!) - Math.abs(list[a]!.attribution!) || a - b);
  const rank = new Map(order.map((i, r) => [i, r + 1]));
  return list.map((p, i) => ({ ...p, rank: rank.get(i) ?? null, ranked: order.length }));
}

/** The colour scale: the largest |attribution| over every row as shown, so that rows compare. */
export function scaleOf(rows: readonly Row[], options: PieceOptions = {}): number {
  let max = 0;
  for (const r of rows) for (const p of shownPieces(r, options)) max = Math.max(max, Math.abs(p.attribution ?? 0));
  return max;
}
