import { type VNode, h, toElement, toMarkup } from './dom.ts';
import { rowsOf, scaleOf, type TextResult } from './rows.ts';
import { CSS } from './styles.ts';
import { tableRowViews, tableShell } from './table.ts';
import type { TextViewOptions } from './tokens.ts';

/** One record of a records table: a text result and the options it is shown with (its true label, granularity...). */
export interface TableRecord {
  result: TextResult;
  options?: TextViewOptions;
}

/**
 * Captum's `visualize_text` over a list of records: one table holding every explained score
 * of every record, in order. Each record's rows are coloured on that record's own scale (its
 * largest |attribution|), as each of Captum's rows is coloured by its own attributions; every
 * row carries its record's index as `data-record`. `style` puts the stylesheet inside (a page
 * written by standaloneDocument has it in its head).
 */
export function recordsTableView(records: readonly TableRecord[], style = false): VNode {
  const rows = records.flatMap(({ result, options = {} }, i) => {
    const set = rowsOf(result, options);
    return tableRowViews(set, options.colorMax ?? scaleOf(set.rows, options), options, { 'data-record': String(i) });
  });
  return h(
    'div',
    { class: 'gbv', 'data-view': 'records' },
    style && h('style', {}, CSS),
    tableShell(rows, records[0]?.options?.granularity),
  );
}

/** recordsTableView as markup (every token and label escaped), for a standalone page. */
export const recordsTableMarkup = (records: readonly TableRecord[]): string => toMarkup(recordsTableView(records));

/** recordsTableView as an element, for a page of several results. */
export const renderRecordsTable = (records: readonly TableRecord[]): HTMLElement =>
  toElement(recordsTableView(records, true)) as HTMLElement;
