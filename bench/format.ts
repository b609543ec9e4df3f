/** Formatting shared by the benchmark's tables (bench/run.ts and the summaries beside it). */

/** Milliseconds as seconds, with fewer decimals the longer it is. */
export const s = (ms: number | undefined) =>
  ms === undefined
    ? '–'
    : ms >= 100_000
      ? `${(ms / 1000).toFixed(0)} s`
      : ms >= 10_000
        ? `${(ms / 1000).toFixed(1)} s`
        : `${(ms / 1000).toFixed(2)} s`;
export const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);
export const r2 = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(x >= 10 ? 1 : 2)}×`);
/** A number for the JSON line: `d + 1` significant digits, null when missing. */
export const round = (x: number | undefined, d = 3) => (x === undefined || !Number.isFinite(x) ? null : Number(x.toPrecision(d + 1)));

export function markdownTable(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** One part's table (markdown), its JSON keys, and notes printed under it. */
export interface Summary {
  table: string;
  json: Record<string, unknown>;
  notes: string[];
}
