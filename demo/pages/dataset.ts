/**
 * Data set: explain every row of the user's JSONL or CSV file with a text classifier and
 * get a sortable table of predictions and top tokens, downloadable as JSONL or CSV. The
 * file is read and explained in this page (core's explainAll); nothing is uploaded.
 * URL state: method. A link cannot carry the file.
 */
import { type ExplainOptions, GlassboxError, InvalidInputError, type SequenceClassificationResult, explainAll } from '@glassbox/core';
import {
  type Choice,
  type ModelChoice,
  el,
  field,
  loadExplainer,
  loadingText,
  modelPicker,
  note,
  pageLayout,
  paramSelect,
  resultPanel,
  runControls,
  saveFile,
} from '../controls.ts';
import type { DemoPage, PageContext } from '../page.ts';
import { parseCsv, toCsv } from './csv.ts';
import { truncationToggle } from '../truncation.ts';
import { valuesCaption } from '../values.ts';

const BUNDLED = [{ folder: 'distilbert-sst2-tiny', label: 'DistilBERT SST-2 · bundled' }];
/** Fast methods first: a data set multiplies the cost of one explanation by its rows. */
const METHODS: readonly (Choice & { options: ExplainOptions })[] = [
  { value: 'saliency', label: 'Saliency (one gradient)', options: { method: 'saliency' } },
  { value: 'input-x-gradient', label: 'Input × gradient', options: { method: 'input-x-gradient' } },
  { value: 'integrated-gradients', label: 'Integrated gradients (16 steps)', options: { method: 'integrated-gradients', steps: 16 } },
  { value: 'occlusion', label: 'Occlusion (leave one out)', options: { method: 'occlusion' } },
];
const TOP_TOKENS = 3;
const EXAMPLE = {
  name: 'example.csv',
  content: toCsv([
    ['text', 'label'],
    ['A gripping, beautifully acted film.', 'POSITIVE'],
    ['The plot was predictable and the dialogue painfully flat.', 'NEGATIVE'],
    ['Not bad at all, though the ending dragged on a little.', 'POSITIVE'],
    ['I expected nothing and was still disappointed.', 'NEGATIVE'],
    ['"Unmissable," said nobody, ever.', 'NEGATIVE'],
  ]),
};

const load = (choice: ModelChoice, device: 'webgpu' | 'cpu') => loadExplainer('text-classification', choice, device);

/** A row of the user's file: its number (JSONL: line; CSV: record after the header), text and gold label, or why it cannot be read. */
interface DataRow {
  row: number;
  text: string;
  gold?: string | number;
  problem?: string;
}

/** One row's outcome, as the table shows it and the downloads hold it. */
interface RowResult {
  row: number;
  text: string;
  gold?: string;
  predicted?: string;
  probability?: number;
  topTokens?: { token: string; attribution: number }[];
  /** Set when the row was cut to fit the model (the truncation checkbox). */
  truncated?: { inputTokens: number; explainedTokens: number };
  error?: string;
}

const TEXT_FIELDS = ['text', 'sentence'];

/** The rows of a .csv (header row naming a text or sentence column, optional label column) or a JSONL file (one object per line). */
function readRows(name: string, content: string): DataRow[] {
  return /\.csv$/i.test(name) ? csvRows(name, content) : jsonlRows(content);
}

function csvRows(name: string, content: string): DataRow[] {
  const [header, ...records] = parseCsv(content.replace(/^\uFEFF/, ''));
  const columns = (header ?? []).map((h) => h.trim().toLowerCase());
  const textColumn = columns.findIndex((c) => TEXT_FIELDS.includes(c));
  if (textColumn < 0)
    throw new InvalidInputError(
      `${name} has no "text" or "sentence" column; its header row is ${JSON.stringify(header ?? [])}`,
      'bad_file',
    );
  const labelColumn = columns.indexOf('label');
  return records.flatMap((record, k) => {
    if (record.length === 1 && record[0] === '') return []; // an empty line
    const gold = labelColumn >= 0 && record[labelColumn] ? record[labelColumn] : undefined;
    return [{ row: k + 1, text: record[textColumn] ?? '', ...(gold !== undefined && { gold }) }];
  });
}

function jsonlRows(content: string): DataRow[] {
  return content.split('\n').flatMap((line, k): DataRow[] => {
    if (line.trim() === '') return [];
    const row = k + 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      return [{ row, text: line, problem: `line ${row} is not valid JSON: ${(e as Error).message}` }];
    }
    if (!value || typeof value !== 'object' || Array.isArray(value))
      return [{ row, text: line, problem: `line ${row} is not a JSON object` }];
    const record = value as Record<string, unknown>;
    const text = TEXT_FIELDS.map((f) => record[f]).find((t) => typeof t === 'string');
    if (typeof text !== 'string') return [{ row, text: line, problem: `line ${row} has no "text" or "sentence" string` }];
    const gold = typeof record.label === 'string' || typeof record.label === 'number' ? record.label : undefined;
    return [{ row, text, ...(gold !== undefined && { gold }) }];
  });
}

/** A gold label as the model names it: a class index (a number, or digits in a CSV) becomes its label. */
function goldLabel(gold: string | number, labels: readonly string[]): string {
  const index = typeof gold === 'number' ? gold : /^\s*\d+\s*$/.test(gold) ? Number(gold) : NaN;
  return labels[index] ?? String(gold);
}

/**
 * The tokens (not special ones) with the largest attributions to the predicted class, largest
 * first: those that pushed most towards it, or, for the gradient-norm methods (saliency's
 * default), those it is most sensitive to.
 */
const topTokensOf = (result: SequenceClassificationResult, n = TOP_TOKENS) =>
  result.tokens
    .filter((t): t is typeof t & { attribution: number } => !t.special && t.attribution !== null)
    .sort((a, b) => b.attribution - a.attribution)
    .slice(0, n)
    .map((t) => ({ token: t.token, attribution: t.attribution }));

interface Column {
  key: string;
  label: string;
  value: (r: RowResult) => string | number;
}

const COLUMNS: readonly Column[] = [
  { key: 'row', label: '#', value: (r) => r.row },
  { key: 'text', label: 'Text', value: (r) => r.text },
  { key: 'predicted', label: 'Predicted', value: (r) => r.predicted ?? '' },
  { key: 'probability', label: 'Probability', value: (r) => r.probability ?? -1 },
  { key: 'gold', label: 'Gold label', value: (r) => r.gold ?? '' },
  { key: 'top', label: `Top ${TOP_TOKENS} tokens`, value: (r) => r.topTokens?.map((t) => t.token).join(' ') ?? '' },
];

function compareBy(column: Column, direction: 1 | -1) {
  return (a: RowResult, b: RowResult) => {
    const [x, y] = [column.value(a), column.value(b)];
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return direction * order || a.row - b.row;
  };
}

function rowElement(r: RowResult): HTMLTableRowElement {
  const tr = el('tr', {
    'data-row': r.row,
    'data-predicted': r.predicted,
    'data-probability': r.probability,
    'data-gold': r.gold,
    'data-error': r.error !== undefined,
    'data-correct': r.gold !== undefined && r.predicted !== undefined && String(r.gold === r.predicted),
  });
  const top = el('td', { 'data-column': 'top' });
  for (const t of r.topTokens ?? [])
    top.append(
      el(
        'span',
        { class: 'gb-chip', 'data-top-token': t.token, 'data-attribution': t.attribution, title: t.attribution.toFixed(4) },
        t.token,
      ),
      ' ',
    );
  const cells = [
    el('td', { 'data-column': 'row' }, r.row),
    el(
      'td',
      { 'data-column': 'text' },
      r.text,
      r.truncated &&
        el(
          'small',
          { class: 'gb-hint', 'data-role': 'truncated' },
          ` (first ${r.truncated.explainedTokens} of ${r.truncated.inputTokens} tokens explained)`,
        ),
    ),
    r.error !== undefined
      ? el('td', { 'data-column': 'predicted', class: 'gb-error', colspan: 2 }, r.error)
      : el('td', { 'data-column': 'predicted' }, r.predicted),
    r.error === undefined &&
      el('td', { 'data-column': 'probability' }, r.probability === undefined ? '' : `${(r.probability * 100).toFixed(1)}%`),
    el('td', { 'data-column': 'gold' }, r.gold ?? ''),
    top,
  ];
  tr.append(...cells.filter((c) => c !== false));
  return tr;
}

const asJsonl = (results: readonly RowResult[]) => results.map((r) => `${JSON.stringify(r)}\n`).join('');
const asCsv = (results: readonly RowResult[]) =>
  toCsv([
    ['row', 'text', 'gold', 'predicted', 'probability', 'top_tokens', 'error'],
    ...results.map((r) => [
      r.row,
      r.text,
      r.gold ?? '',
      r.predicted ?? '',
      r.probability ?? '',
      r.topTokens?.map((t) => t.token).join(' ') ?? '',
      r.error ?? '',
    ]),
  ]);

function mount(root: HTMLElement, context: PageContext): void {
  const picker = modelPicker(context, { bundled: BUNDLED });
  const truncation = truncationToggle(context, 'rows');
  const method = paramSelect(context, 'method', METHODS, METHODS[0]!.value);
  method.id = 'method';

  // ---- the file: picked or dropped, read here
  const fileInput = el('input', {
    class: 'gb-input',
    type: 'file',
    accept: '.jsonl,.ndjson,.csv,.txt',
    'data-role': 'upload',
    'aria-label': 'A JSONL or CSV file (stays on this device)',
  });
  // The whole field takes a dropped file.
  const drop = field(
    'Data file (.jsonl or .csv): choose or drop one',
    fileInput,
    'JSONL: one object per line with "text" (or "sentence") and an optional "label". CSV: a header row naming a text (or sentence) column and an optional label column. Read in this page, never uploaded.',
  );
  drop.dataset.role = 'drop';
  const exampleButton = el('button', { class: 'gb-btn gb-btn-ghost', type: 'button', 'data-action': 'example' }, 'Use an example file');
  const about = el('p', { class: 'gb-note', 'data-role': 'file-about' }, 'No file yet.');
  let rows: DataRow[] = [];
  let fileName = '';

  function useFile(name: string, content: string): void {
    try {
      rows = readRows(name, content);
      fileName = name;
      about.className = 'gb-note';
      about.textContent = `${rows.length} rows in ${name}, read in this page: nothing is uploaded.`;
    } catch (e) {
      rows = [];
      about.className = 'gb-error';
      about.textContent = e instanceof Error ? e.message : String(e);
      return;
    }
    if (controls.state === 'loading' || controls.state === 'running')
      about.textContent += ' Cancel the current run, then press Explain rows.';
    else void controls.run();
  }
  const readFile = async (file: File | undefined) => file && useFile(file.name, await file.text());
  fileInput.addEventListener('change', () => void readFile(fileInput.files?.[0]));
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.dataset.over = 'true';
  });
  drop.addEventListener('dragleave', () => delete drop.dataset.over);
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    delete drop.dataset.over;
    void readFile(e.dataTransfer?.files[0]);
  });
  exampleButton.addEventListener('click', () => useFile(EXAMPLE.name, EXAMPLE.content));

  // ---- the results table, sortable by any column
  const results = resultPanel();
  results.element.dataset.role = 'dataset';
  const summary = el('div', { class: 'gb-hint', 'data-role': 'summary' });
  const meaning = note('');
  results.head.append(summary);
  let done: RowResult[] = [];
  /** Rows in the order shown. */
  let shown: { result: RowResult; tr: HTMLTableRowElement }[] = [];
  let sort = { column: COLUMNS[0]!, direction: 1 as 1 | -1 };
  const headers = COLUMNS.map((column) => {
    const button = el('button', { class: 'gb-btn gb-btn-ghost', type: 'button', 'data-sort': column.key }, column.label);
    const th = el('th', { scope: 'col', 'data-column': column.key, 'aria-sort': column === sort.column ? 'ascending' : 'none' }, button);
    button.addEventListener('click', () => {
      sort = { column, direction: sort.column === column ? (-sort.direction as 1 | -1) : 1 };
      for (const h of headers) h.setAttribute('aria-sort', h === th ? (sort.direction === 1 ? 'ascending' : 'descending') : 'none');
      const compare = compareBy(sort.column, sort.direction);
      shown.sort((a, b) => compare(a.result, b.result));
      tbody.append(...shown.map((s) => s.tr));
    });
    return th;
  });
  const tbody = el('tbody');
  results.body.append(
    meaning,
    el('table', { class: 'gbp-dataset', 'data-role': 'rows' }, el('thead', {}, el('tr', {}, ...headers)), tbody),
  );

  /** Add a finished row where the current sort puts it. */
  function addRow(result: RowResult): void {
    done.push(result);
    const compare = compareBy(sort.column, sort.direction);
    let at = shown.length;
    while (at > 0 && compare(shown[at - 1]!.result, result) > 0) at--;
    const tr = rowElement(result);
    tbody.insertBefore(tr, shown[at]?.tr ?? null);
    shown.splice(at, 0, { result, tr });
    const scored = done.filter((r) => r.gold !== undefined && r.predicted !== undefined);
    const correct = scored.filter((r) => r.gold === r.predicted).length;
    const errors = done.filter((r) => r.error !== undefined).length;
    summary.textContent = [
      `${done.length} of ${rows.length} rows explained`,
      errors > 0 && `${errors} could not be`,
      scored.length > 0 && `accuracy ${((100 * correct) / scored.length).toFixed(1)}% on ${scored.length} gold labels`,
    ]
      .filter(Boolean)
      .join(' · ');
  }

  const inRowOrder = () => [...done].sort((a, b) => a.row - b.row);
  const base = () => fileName.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '-') || 'dataset';
  const downloadJsonl = el('button', { class: 'gb-btn', type: 'button', 'data-action': 'download-jsonl' }, 'Download JSONL');
  const downloadCsv = el('button', { class: 'gb-btn', type: 'button', 'data-action': 'download-csv' }, 'Download CSV');
  downloadJsonl.addEventListener('click', () => saveFile(asJsonl(inRowOrder()), 'application/x-ndjson', `${base()}-glassbox.jsonl`));
  downloadCsv.addEventListener('click', () => saveFile(asCsv(inRowOrder()), 'text/csv', `${base()}-glassbox.csv`));
  results.tools.append(downloadJsonl, downloadCsv);

  const controls = runControls({
    label: 'Explain rows',
    onRun: async (run) => {
      if (rows.length === 0) throw new GlassboxError('no_file', 'choose a .jsonl or .csv file with at least one row first');
      const choice = picker.value();
      run.loading(loadingText(choice));
      const explainer = await load(choice, context.device);
      const chosen = METHODS.find((m) => m.value === method.value) ?? METHODS[0]!;
      const options = { ...chosen.options, ...truncation.options() };
      meaning.textContent = `Top tokens: the ${TOP_TOKENS} with the largest values (${chosen.label}). ${valuesCaption(options, 'P(predicted class)')}`;
      const total = rows.length;
      done = [];
      shown = [];
      tbody.replaceChildren();
      results.element.hidden = false;
      run.running(`Explaining ${total} rows…`);
      const stage = (index: number) => `Row ${index + 1} of ${total}`;
      const explainRow = (row: DataRow, index: number) => {
        if (row.problem !== undefined) return Promise.reject(new InvalidInputError(row.problem, 'bad_row'));
        return explainer.explain(row.text, {
          ...options,
          signal: run.signal,
          onProgress: (f) => run.onProgress((index + f) / total, stage(index)),
        });
      };
      for await (const item of explainAll(explainRow, rows, {
        signal: run.signal,
        onProgress: (n) => run.onProgress(n / total, stage(Math.min(n, total - 1))),
      })) {
        const { row, text, gold } = item.input;
        const read = { row, text, ...(gold !== undefined && { gold: goldLabel(gold, explainer.labels) }) };
        addRow(
          item.error
            ? { ...read, error: item.error.message }
            : {
                ...read,
                predicted: item.result.predicted.label,
                probability: item.result.predicted.score,
                topTokens: topTokensOf(item.result),
                ...(item.result.truncated && { truncated: item.result.truncated }),
              },
        );
      }
    },
  });

  root.append(
    ...pageLayout(
      'Explain a data set',
      'Drop a JSONL or CSV file of texts: each row is classified and explained in this browser, and the table shows the prediction, its probability and the tokens that weighed most in it. Sort by any column; download the results. Nothing is uploaded.',
      [
        el('div', { class: 'gb-row' }, drop),
        el('div', { class: 'gb-row' }, exampleButton),
        about,
        el('div', { class: 'gb-row' }, picker.element, field('Method', method, 'Applied to every row')),
        truncation.element,
        controls.element,
        note('Rows are explained one after the other; the table fills as they finish. Cancel keeps the rows already done.'),
      ],
      results.element,
    ),
  );
}

export const dataset: DemoPage = { id: 'dataset', title: 'Data set', mount };
