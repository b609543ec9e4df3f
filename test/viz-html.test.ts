import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SequenceClassificationExplainer, type SequenceClassificationResult } from '@glassbox/core';
import { rowsOf, sampleResults, shownPieces, toHTML } from '@glassbox/viz';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalFixtures } from './helpers.ts';

/**
 * toHTML in Node (no DOM), the file opened in Debian's Chromium with JavaScript disabled:
 * it shows the result's values and fetches nothing but itself.
 */
const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('toHTML, opened from a file with JavaScript disabled', () => {
  let browser: Browser;
  let result: SequenceClassificationResult;
  const dir = mkdtempSync(join(tmpdir(), 'glassbox-viz-'));
  beforeAll(async () => {
    useLocalFixtures();
    result = await (await SequenceClassificationExplainer.fromPretrained('distilbert-sst2-tiny')).explain('I love this movie.');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  });
  afterAll(() => browser?.close());

  /** Writes the document, opens it without JavaScript, and returns the page and every request it made. */
  async function open(name: string, html: string) {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, html);
    const page = await browser.newPage({ javaScriptEnabled: false });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, requests, url: pathToFileURL(file).href };
  }

  it('a real explanation: the highlighted tokens carry the result’s exact attributions, model and method', async () => {
    const { page, requests, url } = await open('sst2', toHTML(result));
    try {
      expect(requests).toEqual([url]);
      const shown = await page.$$eval('[data-view="tokens"] [data-token]', (els) =>
        els.map((e) => [(e as HTMLElement).dataset.token, (e as HTMLElement).dataset.attribution, e.textContent]),
      );
      expect(shown).toEqual(result.tokens.map((t) => [t.token, String(t.attribution), t.token]));
      expect(shown.map(([, a]) => Number(a))).toEqual(result.tokens.map((t) => t.attribution! + 0)); // (+0: −0 is written "0")
      expect(await page.getAttribute('section.gbv', 'data-model')).toBe('distilbert-sst2-tiny');
      expect(await page.getAttribute('section.gbv', 'data-method')).toBe('integrated-gradients');
      // hover information without script: the title attributes
      const titles = await page.$$eval('[data-view="tokens"] [data-token]', (els) => els.map((e) => e.getAttribute('title')));
      expect(titles.every((t) => /\nattribution: .+\nrank: \d+ of 7$/.test(t!))).toBe(true);
      // the CSS applies: the largest |attribution| gets the darkest background
      const top = result.tokens.reduce(
        (best, t, i) => (Math.abs(t.attribution!) > Math.abs(result.tokens[best]!.attribution!) ? i : best),
        0,
      );
      const rank1 = await page.$eval('[data-view="tokens"] [data-rank="1"]', (e) => e.textContent);
      expect(rank1).toBe(result.tokens[top]!.token);
      expect(await page.$eval('[data-view="tokens"] [data-rank="1"]', (e) => getComputedStyle(e).backgroundColor)).not.toBe(
        'rgba(0, 0, 0, 0)',
      );
      // the table and the bar chart show the same values
      const table = await page.$$eval('[data-view="table"] [data-token]', (els) => els.map((e) => (e as HTMLElement).dataset.attribution));
      const bars = await page.$$eval('[data-view="bars"] [data-token]', (els) => els.map((e) => (e as SVGElement).dataset.attribution));
      expect(table).toEqual(shown.map(([, a]) => a));
      expect(bars).toEqual(shown.map(([, a]) => a));
    } finally {
      await page.close();
    }
  });

  it('every result kind: each row’s tokens in the table with their values, nothing fetched', async () => {
    for (const [kind, r] of Object.entries(sampleResults())) {
      const { page, requests, url } = await open(kind, toHTML(r, { granularity: 'word' }));
      try {
        expect(requests, kind).toEqual([url]);
        const rows = await page.$$eval('[data-view="table"] tbody tr', (trs) =>
          trs.map((tr) =>
            Array.from(tr.querySelectorAll('[data-token]')).map((e) => [
              (e as HTMLElement).dataset.token,
              (e as HTMLElement).dataset.attribution,
            ]),
          ),
        );
        expect(rows, kind).toEqual(
          rowsOf(r).rows.map((row) => shownPieces(row, { granularity: 'word' }).map((p) => [p.text, String(p.attribution)])),
        );
        expect(await page.$$eval('script', (s) => s.length)).toBe(0);
      } finally {
        await page.close();
      }
    }
  });
});
