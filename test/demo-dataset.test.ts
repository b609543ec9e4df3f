import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../demo/pages/csv.ts';
import { glassbox } from './cliRunner.ts';
import { buildDemo, hasChromium, launchChromium } from './demoSite.ts';
import type { Json } from './expectClose.ts';
import { serveStatic } from './staticServer.ts';

/**
 * The demo's data-set page in Chromium (CPU backend): a JSONL and a CSV file given to its file
 * input are read in the page, every row explained, the table's predictions and top tokens
 * equal the CLI's on the same texts, its headers sort it, and its downloads hold what it shows.
 */
const WAIT = { timeout: 180_000 };
const TEXTS = [
  'A gripping, beautifully acted film.',
  'The plot was predictable and the dialogue painfully flat.',
  'She said "wow", and then she left.',
  'I expected nothing and was still disappointed.',
];
const SPECIAL = new Set(['[CLS]', '[SEP]', '[PAD]']);

interface ShownRow {
  row: number;
  text: string;
  predicted: string | null;
  probability: number;
  gold: string | null;
  error: boolean;
  tops: string[];
}

const shownRows = (page: Page): Promise<ShownRow[]> =>
  page.$$eval('[data-page="dataset"] tr[data-row]', (trs) =>
    trs.map((tr) => ({
      row: Number(tr.getAttribute('data-row')),
      text: tr.querySelector('[data-column="text"]')!.textContent!,
      predicted: tr.getAttribute('data-predicted'),
      probability: Number(tr.getAttribute('data-probability')),
      gold: tr.getAttribute('data-gold'),
      error: tr.hasAttribute('data-error'),
      tops: Array.from(tr.querySelectorAll('[data-top-token]'), (t) => t.getAttribute('data-top-token')!),
    })),
  );

/** Give the page a file as a user picking it would, and wait for the run it starts to end well. */
async function explainFile(page: Page, name: string, content: string): Promise<ShownRow[]> {
  const progress = '[data-page="dataset"] .gb-progress';
  await page.$eval(progress, (e) => e.setAttribute('data-state', 'idle')); // not the previous run's end
  await page.setInputFiles('[data-page="dataset"] input[data-role="upload"]', {
    name,
    mimeType: 'text/plain',
    buffer: Buffer.from(content),
  });
  const ended = `${progress}:is([data-state="done"], [data-state="error"])`;
  await page.waitForSelector(ended, WAIT);
  expect(await page.getAttribute(ended, 'data-state'), (await page.textContent(`${ended} .gb-status`)) ?? '').toBe('done');
  return shownRows(page);
}

async function download(page: Page, action: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(`[data-page="dataset"] [data-action="${action}"]`)]);
  return readFile((await file.path())!, 'utf8');
}

describe.skipIf(!hasChromium)('demo data-set page in Chromium', () => {
  let site: { url: string; server: Server };
  let browser: Browser;
  let page: Page;
  /** The CLI's saliency result for each of TEXTS. */
  let cli: Map<string, Json>;
  const requests: string[] = [];

  beforeAll(async () => {
    const cases = join(mkdtempSync(join(tmpdir(), 'glassbox-demo-dataset-')), 'cases.jsonl');
    writeFileSync(cases, TEXTS.map((text) => `${JSON.stringify({ text })}\n`).join(''));
    const [outDir, r] = await Promise.all([
      buildDemo(),
      glassbox(['--model', 'models/distilbert-sst2-tiny', '--method', 'saliency', '--inputs', cases]),
    ]);
    expect(r.code, r.stderr).toBe(0);
    cli = new Map(
      r.stdout
        .trim()
        .split('\n')
        .map((l, k) => [TEXTS[k]!, JSON.parse(l)]),
    );
    site = await serveStatic(outDir);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('request', (req) => {
      const local = req.url().startsWith(site.url) || req.url().startsWith('blob:') || req.url().startsWith('data:');
      if (!local || req.method() !== 'GET') requests.push(`${req.method()} ${req.url()}`);
    });
    await page.goto(`${site.url}?page=dataset&method=saliency`);
  });
  afterAll(async () => {
    await browser?.close();
    site?.server.close();
  });

  /** The row shows the CLI's prediction, probability and top three non-special tokens by attribution. */
  function expectAsCli(row: ShownRow): void {
    const want = cli.get(row.text)!;
    expect(want, row.text).toBeDefined();
    expect(row.predicted).toBe(want.predicted.label);
    expect(Math.abs(row.probability - want.predicted.score)).toBeLessThan(1e-6);
    const top = (want.tokens as Json[]).filter((t) => !SPECIAL.has(t.token)).sort((a, b) => b.attribution - a.attribution);
    expect(row.tops).toEqual(top.slice(0, 3).map((t) => t.token));
  }

  it("a JSONL file: one row per line, the CLI's predictions and top tokens, a bad line an error row; sorting; JSONL download", async () => {
    const lines = [
      JSON.stringify({ text: TEXTS[0], label: 1 }),
      JSON.stringify({ sentence: TEXTS[1], label: 'NEGATIVE' }),
      '{"text": oops',
      '',
      JSON.stringify({ text: TEXTS[2] }),
      JSON.stringify({ text: TEXTS[3], label: 0 }),
    ];
    const rows = await explainFile(page, 'reviews.jsonl', `${lines.join('\n')}\n`);
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3, 5, 6]); // line numbers; the blank line is no row
    expect(rows.map((r) => r.error)).toEqual([false, false, true, false, false]);
    expect(await page.textContent('[data-page="dataset"] tr[data-row="3"]')).toMatch(/line 3 is not valid JSON/);
    expect(rows.map((r) => r.gold)).toEqual(['POSITIVE', 'NEGATIVE', null, null, 'NEGATIVE']);
    for (const row of rows.filter((r) => !r.error)) expectAsCli(row);

    // Probability sorts ascending, then descending; the row number puts them back.
    const sortBy = async (column: string) => {
      await page.click(`[data-page="dataset"] th[data-column="${column}"] button`);
      return page.getAttribute(`[data-page="dataset"] th[data-column="${column}"]`, 'aria-sort');
    };
    const probabilities = async () => (await shownRows(page)).filter((r) => !r.error).map((r) => r.probability);
    const sorted = [...(await probabilities())].sort((a, b) => a - b);
    expect(await sortBy('probability')).toBe('ascending');
    expect(await probabilities()).toEqual(sorted);
    expect(await sortBy('probability')).toBe('descending');
    expect(await probabilities()).toEqual([...sorted].reverse());
    expect(await page.getAttribute('[data-page="dataset"] th[data-column="row"]', 'aria-sort')).toBe('none');
    expect(await sortBy('row')).toBe('ascending');
    expect((await shownRows(page)).map((r) => r.row)).toEqual([1, 2, 3, 5, 6]);

    const saved = (await download(page, 'download-jsonl'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    expect(saved.map((s) => [s.row, s.text, s.predicted ?? null, s.gold ?? null, s.topTokens?.map((t: Json) => t.token) ?? []])).toEqual(
      rows.map((r) => [r.row, r.text, r.predicted, r.gold, r.tops]),
    );
    expect(saved.filter((s) => !s.error).map((s) => s.probability)).toEqual(rows.filter((r) => !r.error).map((r) => r.probability));
    expect(saved[2].error).toMatch(/not valid JSON/);
  });

  it('a CSV file with quoted fields: the same predictions, and a CSV download that reads back', async () => {
    const csv = [
      'id,sentence,label',
      `a,"${TEXTS[0]}",POSITIVE`,
      `b,"${TEXTS[2]!.replaceAll('"', '""')}",1`,
      `c,${TEXTS[3]},NEGATIVE`,
    ].join('\r\n');
    const rows = await explainFile(page, 'reviews.csv', csv);
    expect(rows.map((r) => [r.row, r.text, r.gold])).toEqual([
      [1, TEXTS[0], 'POSITIVE'],
      [2, TEXTS[2], 'POSITIVE'],
      [3, TEXTS[3], 'NEGATIVE'],
    ]);
    for (const row of rows) expectAsCli(row);

    const [header, ...records] = parseCsv(await download(page, 'download-csv'));
    expect(header).toEqual(['row', 'text', 'gold', 'predicted', 'probability', 'top_tokens', 'error']);
    expect(records.map((r) => [Number(r[0]), r[1], r[2], r[3], Number(r[4]), r[5]!.split(' '), r[6]])).toEqual(
      rows.map((r) => [r.row, r.text, r.gold, r.predicted, r.probability, r.tops, '']),
    );
    expect(requests).toEqual([]); // nothing left the site, nothing was sent
  });
});
