import { attributionColours } from './colormap.ts';
import { type VNode, h, toElement, toMarkup } from './dom.ts';
import { attributionData, formatAttribution } from './format.ts';
import { standaloneDocument } from './standaloneDocument.ts';
import { legendView } from './legend.ts';
import { type MetaOptions, modelName } from './meta.ts';
import { METRIC_SCALES, metricColours } from './metricColours.ts';
import { CSS } from './styles.ts';
import { displayToken } from './tokens.ts';

/** What core's `benchmark` returns (only the fields the table reads). */
export interface BenchmarkTable {
  model?: string;
  target?: { index: number; label: string };
  /** The metric columns, in order. */
  metrics: readonly string[];
  methods: readonly {
    method: string;
    tokens: readonly { token: string; attribution: number | null }[];
    metrics: Readonly<Record<string, number | undefined>>;
  }[];
}

/** Which way each metric is better (ferret's LOWER_IS_BETTER; interpreto's docs): 'lower' or 'higher'. */
export const METRIC_BETTER: Readonly<Record<string, 'lower' | 'higher'>> = Object.fromEntries(
  Object.entries(METRIC_SCALES).map(([name, s]) => [name, s.better]),
);

export interface BenchmarkViewOptions extends MetaOptions {
  /** The |attribution| drawn at full colour. Default: the largest over the whole table, so that methods compare. */
  colorMax?: number;
  /** Show the colour legend. Default true. */
  legend?: boolean;
}

/** A metric value as the table writes it: 3 decimals, "–" where it was not computed. */
export const formatMetric = (v: number | undefined | null): string =>
  v === undefined || v === null || !Number.isFinite(v) ? '–' : v.toFixed(3);

/** The largest |attribution| of the table. */
export function benchmarkScale(result: BenchmarkTable): number {
  let max = 0;
  for (const m of result.methods) for (const t of m.tokens) max = Math.max(max, Math.abs(t.attribution ?? 0));
  return max;
}

/**
 * ferret's `show_table` with its evaluation columns: one row per method, one heat cell per
 * token (coloured by the attribution, red negative, blue positive; `data-token`,
 * `data-attribution`), then one cell per metric (`data-metric`, `data-value`; the best method's
 * cell of each metric carries `data-best`), coloured as ferret's evaluation table (metricColours:
 * darker purple where better). Header cells of metrics say which way is better.
 */
export function benchmarkTableView(result: BenchmarkTable, scale: number): VNode {
  const tokens = result.methods[0]?.tokens ?? [];
  const best = new Map<string, number>();
  for (const name of result.metrics) {
    const values = result.methods.map((m) => m.metrics[name]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (values.length > 0) best.set(name, METRIC_BETTER[name] === 'lower' ? Math.min(...values) : Math.max(...values));
  }
  const arrow = (name: string) => (METRIC_BETTER[name] === 'lower' ? ' ↓' : METRIC_BETTER[name] === 'higher' ? ' ↑' : '');
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, 'Method'),
    ...tokens.map((t) => h('th', { scope: 'col', class: 'gbv-bench-token', 'data-token': t.token }, displayToken(t.token))),
    ...result.metrics.map((name) =>
      h(
        'th',
        { scope: 'col', class: 'gbv-bench-metric', 'data-metric': name, title: `${name}: ${METRIC_BETTER[name] ?? '?'} is better` },
        `${name}${arrow(name)}`,
      ),
    ),
  );
  const body = result.methods.map((m) =>
    h(
      'tr',
      { 'data-method': m.method },
      h('th', { scope: 'row' }, m.method),
      ...m.tokens.map((t) =>
        h(
          'td',
          {
            class: 'gbv-bench-cell',
            'data-token': t.token,
            'data-attribution': attributionData(t.attribution),
            title: `${t.token}\nattribution: ${formatAttribution(t.attribution)}`,
            style: t.attribution === null ? {} : attributionColours(t.attribution, scale),
          },
          t.attribution === null ? '–' : t.attribution.toFixed(2),
        ),
      ),
      ...result.metrics.map((name) => {
        const v = m.metrics[name];
        const attrs = {
          class: 'gbv-bench-metric',
          'data-metric': name,
          'data-value': v === undefined ? 'null' : String(v),
          'data-best': v !== undefined && best.get(name) === v,
        };
        return h('td', { ...attrs, style: metricColours(name, v) ?? {} }, formatMetric(v));
      }),
    ),
  );
  return h('table', { class: 'gbv-table gbv-bench', 'data-view': 'benchmark' }, h('thead', {}, head), h('tbody', {}, ...body));
}

/** The table with its legend (and the package's CSS when `style`). */
function benchmarkView(result: BenchmarkTable, options: BenchmarkViewOptions, style: boolean): VNode {
  const scale = options.colorMax ?? benchmarkScale(result);
  const attrs = {
    class: 'gbv',
    'data-kind': 'benchmark',
    'data-model': result.model === undefined ? undefined : modelName(result.model, options),
    'data-target': result.target?.label,
  };
  return h('div', attrs, style && h('style', {}, CSS), options.legend !== false && legendView(scale), benchmarkTableView(result, scale));
}

/** The benchmark table of core's `benchmark` result, with its legend. */
export function renderBenchmark(result: BenchmarkTable, options: BenchmarkViewOptions = {}): HTMLElement {
  return toElement(benchmarkView(result, options, true)) as HTMLElement;
}

/**
 * The benchmark table as a standalone HTML page (toHTML's: no script, every token, label and
 * method name escaped); needs no DOM (Node, workers). What `glassbox benchmark --html` writes.
 */
export function benchmarkTableHTML(result: BenchmarkTable, options: BenchmarkViewOptions = {}): string {
  const title = `Glassbox benchmark${result.model === undefined ? '' : `: ${modelName(result.model, options)}`}${result.target ? ` (${result.target.label})` : ''}`;
  return standaloneDocument(title, toMarkup(benchmarkView(result, options, false)));
}
