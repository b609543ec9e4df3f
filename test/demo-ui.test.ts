import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { type Browser, type Page, chromium } from 'playwright-core';
import { METRICS } from '@glassbox/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glassbox } from './cliRunner.ts';
import { CHROMIUM, buildDemo, hasChromium, launchChromium } from './demoSite.ts';
import { serveStatic } from './staticServer.ts';

/**
 * What a user of the built demo meets around the numbers, in headless Chromium at 1280 px:
 * the device indicator on a software WebGPU adapter, truncation offered for a text too long,
 * the captions saying what the values are (the library's defaults), the Compare methods table
 * inside its card, and the image page's Download HTML.
 */
const WAIT = { timeout: 180_000 };
const VIEWPORT = { width: 1280, height: 900 };
const SENTENCE = 'A gripping, beautifully acted film that I will not forget.';

/** Open `?query` and wait until the run of `controls` ('run' or 'compare') on page `id` ends; returns its state. */
async function openAndWait(page: Page, base: string, id: string, query: Record<string, string>, controls = 'run'): Promise<string> {
  await page.goto(`${base}?${new URLSearchParams({ page: id, ...query })}`);
  return waitForEnd(page, id, controls);
}

async function waitForEnd(page: Page, id: string, controls = 'run'): Promise<string> {
  const ended = `[data-page="${id}"] [data-controls="${controls}"] .gb-progress:is([data-state="done"], [data-state="error"])`;
  await page.waitForSelector(ended, WAIT);
  return (await page.getAttribute(ended, 'data-state'))!;
}

/** The caption above a page's result (the first note of its result body). */
const caption = (page: Page, id: string) => page.textContent(`[data-page="${id}"] .gb-result-body > .gb-note`);

describe.skipIf(!hasChromium)('demo usability in Chromium', () => {
  let site: { url: string; server: Server };
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    site = await serveStatic(await buildDemo());
    browser = await launchChromium();
    page = await browser.newPage({ viewport: VIEWPORT });
  });
  afterAll(async () => {
    await browser?.close();
    site?.server.close();
  });

  it('the device indicator: a software adapter (SwiftShader) is skipped for the CPU and says so; ?device=webgpu still takes it', async () => {
    // The browser suite's flags: WebGPU on, which headless Chromium without a GPU serves with SwiftShader.
    const webgpu = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const p = await webgpu.newPage({ viewport: VIEWPORT });
      await p.goto(`${site.url}?${new URLSearchParams({ text: SENTENCE })}`);
      await p.waitForSelector('#gb-device', WAIT);
      const fallback = await p.evaluate(async () => {
        const adapter = await (navigator as Navigator & { gpu: GPU }).gpu.requestAdapter();
        return (adapter?.info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true;
      });
      if (fallback) {
        expect(await p.getAttribute('#gb-device', 'data-device')).toBe('cpu');
        expect(await p.getAttribute('#gb-device', 'data-reason')).toBe('software-adapter');
        expect(await p.textContent('#gb-device select option:checked')).toBe('CPU (software GPU adapter skipped)');
      } else {
        expect(await p.getAttribute('#gb-device', 'data-device')).toBe('webgpu');
      }
      await p.goto(`${site.url}?${new URLSearchParams({ text: SENTENCE, device: 'webgpu' })}`);
      await p.waitForSelector('#gb-device', WAIT);
      expect(await p.getAttribute('#gb-device', 'data-device')).toBe('webgpu');
      expect(await p.getAttribute('#gb-device', 'data-reason')).toBe('asked');
    } finally {
      await webgpu.close();
    }
    // Without the flag there is no adapter at all.
    await page.goto(`${site.url}?${new URLSearchParams({ text: SENTENCE })}`);
    await page.waitForSelector('#gb-device', WAIT);
    expect(await page.getAttribute('#gb-device', 'data-reason')).toBe('no-adapter');
    expect(await page.textContent('#gb-device select option:checked')).toBe('CPU (no WebGPU adapter)');
  });

  it('a text too long: the error offers "Truncate and explain", which ticks truncation (in the URL) and shows what was cut; the tokens are the CLI\'s with --truncation true', async () => {
    const long = Array.from({ length: 700 }, (_, i) => ['great', 'film', 'but', 'a', 'dull', 'ending'][i % 6]).join(' ');
    expect(await openAndWait(page, site.url, 'text', { text: long, method: 'saliency', run: '1' })).toBe('error');
    const status = await page.textContent('[data-page="text"] [data-controls="run"] .gb-status');
    expect(status).toMatch(/tokens long; model .* accepts at most 512/);
    expect(status).not.toMatch(/CLI|--truncation/);
    const recover = page.locator('[data-page="text"] [data-controls="run"] [data-action="recover"]');
    expect(await recover.textContent()).toBe('Truncate and explain');

    await recover.click();
    expect(await waitForEnd(page, 'text')).toBe('done');
    expect(new URL(page.url()).searchParams.get('truncation')).toBe('true');
    expect(await page.isChecked('[data-page="text"] [data-role="truncation"] input')).toBe(true);
    expect(await recover.isHidden()).toBe(true);
    const cut = page.locator('[data-page="text"] [data-role="truncated"]');
    const [input, explained] = [
      Number(await cut.getAttribute('data-input-tokens')),
      Number(await cut.getAttribute('data-explained-tokens')),
    ];
    expect(input).toBeGreaterThan(512);
    expect(explained).toBeLessThanOrEqual(512);
    expect(await cut.textContent()).toContain('Left out: “');

    const r = await glassbox(['--model', 'models/distilbert-sst2-tiny', '--text', long, '--method', 'saliency', '--truncation', 'true']);
    expect(r.code, r.stderr).toBe(0);
    const cli = JSON.parse(r.stdout) as { tokens: { token: string }[]; truncated: { inputTokens: number; explainedTokens: number } };
    expect(cli.truncated).toEqual({ inputTokens: input, explainedTokens: explained });
    const highlights = await page.$eval('[data-page="text"] .gbv-text', (el) =>
      Array.from(el.querySelectorAll('[data-token]'), (e) => e.getAttribute('data-token')),
    );
    expect(highlights).toEqual(cli.tokens.map((t) => t.token));
  });

  it("captions say what the numbers are, from the library defaults: L2-normalised integrated gradients, raw occlusion drops, saliency's gradient norm", async () => {
    expect(await openAndWait(page, site.url, 'text', { text: SENTENCE, run: '1' })).toBe('done');
    expect(await caption(page, 'text')).toContain('L2-normalised token attributions (transformers-interpret): integrated gradients of P(');
    expect(await openAndWait(page, site.url, 'text', { text: SENTENCE, method: 'occlusion', run: '1' })).toBe('done');
    expect(await caption(page, 'text')).toMatch(/Raw values: the drop in P\(\w+\) when the token is replaced by \[PAD\]/);
    expect(await openAndWait(page, site.url, 'text', { text: SENTENCE, method: 'saliency', run: '1' })).toBe('done');
    expect(await caption(page, 'text')).toContain('Raw values: the gradient norm');
    // Gradient norms are never negative.
    const values = await page.$$eval('[data-page="text"] [data-token]', (els) =>
      els
        .map((e) => e.getAttribute('data-attribution'))
        .filter((a) => a !== 'null')
        .map(Number),
    );
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) expect(v).toBeGreaterThanOrEqual(0);
    // The other text pages share the rule.
    expect(await openAndWait(page, site.url, 'pair', { run: '1' })).toBe('done');
    expect(await caption(page, 'pair')).toContain('L2-normalised token attributions (transformers-interpret)');
    expect(await openAndWait(page, site.url, 'ner', { method: 'occlusion', run: '1' })).toBe('done');
    expect(await caption(page, 'ner')).toContain('Raw values: the drop in P(entity)');
  });

  it('Compare methods: the table fits its card at 1280 px and the page does not scroll sideways', async () => {
    expect(await openAndWait(page, site.url, 'text', { text: SENTENCE, run: 'compare' }, 'compare')).toBe('done');
    const sizes = await page.evaluate(() => {
      const table = document.querySelector('[data-role="comparison"] table')!;
      const card = table.closest('.gb-result-body')!;
      return {
        table: table.getBoundingClientRect().width,
        card: card.clientWidth,
        page: document.documentElement.scrollWidth,
        viewport: document.documentElement.clientWidth,
      };
    });
    expect(sizes.table).toBeLessThanOrEqual(sizes.card + 0.5);
    expect(sizes.page).toBeLessThanOrEqual(sizes.viewport);
    // Every metric column is in view, inside the card.
    const cardRight = await page.evaluate(
      () => document.querySelector('[data-role="comparison"] .gb-result-body')!.getBoundingClientRect().right,
    );
    const metricRights = await page.$$eval('[data-role="comparison"] thead th[data-metric]', (els) =>
      els.map((e) => e.getBoundingClientRect().right),
    );
    expect(metricRights).toHaveLength(METRICS.length);
    for (const right of metricRights) expect(right).toBeLessThanOrEqual(cardRight + 0.5);
  });

  it('image: Download HTML saves a standalone page with the picked map beside the original', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: VIEWPORT });
    try {
      const p = await context.newPage();
      expect(await openAndWait(p, site.url, 'image', { sample: 'sneaker-9.png', mode: 'heatmap', run: '1' })).toBe('done');
      const [download] = await Promise.all([p.waitForEvent('download'), p.click('[data-page="image"] [data-action="download"]')]);
      expect(download.suggestedFilename()).toBe('glassbox-vit-fashion-tiny-integrated-gradients-heatmap.html');
      const html = await readFile((await download.path())!, 'utf8');
      expect(html).not.toMatch(/<script/i);
      expect(html.match(/<img [^>]*src="data:image\/png;base64,/g)?.length).toBe(2); // the original and the map
      expect(html).toContain('vit-fashion-tiny');
    } finally {
      await context.close();
    }
  });
});
