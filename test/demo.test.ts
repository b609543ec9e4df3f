import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glassbox } from './cliRunner.ts';
import { type Json, expectClose, refsOf } from './helpers.ts';
import { buildDemo, hasChromium, launchChromium } from './demoSite.ts';
import { RequestLog } from './requestLog.ts';
import { serveStatic } from './staticServer.ts';

/**
 * The demo site as a user gets it: built by vite (relative base), served by a plain static
 * server, driven in Debian's headless Chromium (no WebGPU flag: the CPU backend, as the CLI).
 * CI installs chromium (.ci/run); elsewhere the suite is skipped when /usr/bin/chromium is absent.
 *
 * Tolerance against the CLI: 1e-6 absolute. Both sides run the same runtime on the same CPU
 * backend in float32 with the same options, so the numbers agree to float32 rounding; the
 * only possible difference is the JavaScript engine's Math functions (Node's V8 against
 * Chromium's), far below 1e-6 on L2-normalised attributions (|a| ≤ 1).
 */
const MODEL = 'distilbert-sst2-tiny';
const TIMEOUT = { timeout: 180_000 };

type Token = { token: string; attribution: number | null };

async function cli(text: string, flags: string[] = []): Promise<{ tokens: Token[]; predicted: Json; target: Json }> {
  const r = await glassbox(['--model', `models/${MODEL}`, '--text', text, ...flags]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/** Every [data-token] element of the page (every view: highlights, bar chart, table), as [token, attribution]. */
const pageTokens = (page: Page) =>
  page.$$eval('[data-token]', (els) => els.map((e) => [e.getAttribute('data-token')!, e.getAttribute('data-attribution')!] as const));

/** Each view shows the same tokens in order: every [data-token] equals the CLI's token at its position (mod the token count). */
function expectSameAsCli(shown: (readonly [string, string])[], tokens: Token[], tol = 1e-6): void {
  expect(shown.length).toBeGreaterThan(0);
  expect(shown.length % tokens.length).toBe(0);
  expect(shown.length / tokens.length).toBeGreaterThanOrEqual(3); // highlights, bar chart, table
  expect(shown.map(([t]) => t)).toEqual(shown.map((_, i) => tokens[i % tokens.length]!.token));
  const nums = shown.map(([, a]) => (a === 'null' ? null : Number(a)));
  const want = shown.map((_, i) => tokens[i % tokens.length]!.attribution);
  expect(nums.map((v) => v === null)).toEqual(want.map((v) => v === null));
  expectClose(
    nums.map((v) => v ?? 0),
    want.map((v) => v ?? 0),
    tol,
    0,
    'page vs CLI',
  );
}

const done = (page: Page) => page.waitForSelector('[data-page="text"] .gb-progress[data-state="done"]', TIMEOUT);

describe.skipIf(!hasChromium)('demo in Chromium', () => {
  let site: { url: string; server: Server };
  let subSite: { url: string; server: Server };
  let browser: Browser;
  const ref = refsOf(MODEL).inputs[0];
  const SENTENCE = 'A gripping, beautifully acted film that I will not forget.';
  let cliDefault: Awaited<ReturnType<typeof cli>>;
  let cliRef: Awaited<ReturnType<typeof cli>>;
  let cliSaliency: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    const built = buildDemo();
    let outDir: string;
    [cliDefault, cliRef, cliSaliency, outDir] = await Promise.all([
      cli(SENTENCE),
      cli(ref.text),
      cli(SENTENCE, ['--method', 'saliency', '--target', 'NEGATIVE']),
      built,
    ]);
    site = await serveStatic(outDir);
    // The same build from a sub-path: the relative base works on any static host.
    subSite = await serveStatic(outDir, '/some/sub/path/');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    site?.server.close();
    subSite?.server.close();
  });

  it("a link with the text and run=1 explains at once; every [data-token] equals the CLI's numbers", async () => {
    const page = await browser.newPage();
    try {
      // A first visit (no state in the URL) explains the example sentence at once, and puts it in the URL.
      await page.goto(site.url);
      await done(page);
      expect(await page.$$('[data-token]')).not.toHaveLength(0);
      expect(new URL(page.url()).searchParams.get('run')).toBe('1');
      expect(new URL(page.url()).searchParams.get('text')).toBe(await page.inputValue('#text'));

      await page.goto(`${site.url}?${new URLSearchParams({ text: SENTENCE, run: '1' })}`);
      await done(page);
      expect(await page.getAttribute('#gb-device', 'data-device')).toMatch(/^(cpu|webgpu)$/);
      expectSameAsCli(await pageTokens(page), cliDefault.tokens);
      const result = page.locator('[data-model]');
      expect(await result.count()).toBe(1);
      expect(await result.getAttribute('data-model')).toBe(MODEL);
      expect(await result.getAttribute('data-method')).toBe('integrated-gradients');
      expect(await page.textContent('.gb-verdict-label')).toBe(cliDefault.predicted.label);

      // transformers-interpret's numbers on the reference sentence (what the CLI is tested against).
      await page.goto(`${site.url}?${new URLSearchParams({ text: ref.text, run: '1' })}`);
      await done(page);
      const shown = await pageTokens(page);
      expectSameAsCli(shown, cliRef.tokens);
      const ti = ref.transformers_interpret.find((t: Json) => t.index === ref.predicted_index);
      expectClose(
        shown.slice(0, ref.tokens.length).map(([, a]) => Number(a)),
        ti.word_attributions.map((w: Json) => w[1]),
        1e-4,
        0,
        'TI in Chromium',
      );
    } finally {
      await page.close();
    }
  });

  it("model, method and target from the URL are the CLI's --model, --method and --target", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(
        `${site.url}?${new URLSearchParams({ text: SENTENCE, model: MODEL, method: 'saliency', target: 'NEGATIVE', run: '1' })}`,
      );
      await done(page);
      expectSameAsCli(await pageTokens(page), cliSaliency.tokens);
      expect(await page.getAttribute('[data-model]', 'data-model')).toBe(MODEL);
      expect(await page.getAttribute('[data-model]', 'data-method')).toBe('saliency');
      expect(await page.textContent('[data-field="row"]')).toContain('NEGATIVE');
    } finally {
      await page.close();
    }
  });

  it('privacy: every request stays on the origin and none carries the text (from a sub-path)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const log = new RequestLog(context);
    const typed = 'My private diary entry: the meeting went terribly wrong';
    try {
      const fromUrl = 'Confidential sentence from the link';
      // The bundled model written as its repository path, as the CLI takes it.
      await log.open(page, `${subSite.url}?${new URLSearchParams({ text: fromUrl, model: `models/${MODEL}`, run: '1' })}`);
      await done(page);
      expect(await page.getAttribute('[data-model]', 'data-model')).toBe(MODEL);
      // A typed text, another method, explained with the button.
      await page.fill('#text', typed);
      await page.selectOption('#method', 'occlusion');
      await page.click('[data-action="run"]');
      await page.waitForFunction(() => document.querySelector('[data-model]')?.getAttribute('data-method') === 'occlusion', null, TIMEOUT);
      await done(page);
      expect(new URL(page.url()).searchParams.get('text')).toBe(typed);
      expect(log.requests.length).toBeGreaterThan(3); // the page, its script and style, the model's files
      await log.expectPrivate(new URL(subSite.url).origin, [fromUrl, typed]);
    } finally {
      await context.close();
    }
  });

  it('cancel stops a long run between passes; the next run succeeds', async () => {
    const page = await browser.newPage();
    try {
      // 10 000 integration points: about ten passes on the CPU backend.
      await page.goto(`${site.url}?${new URLSearchParams({ text: SENTENCE, steps: '10000' })}`);
      await page.waitForSelector('#target option[value="POSITIVE"]', { ...TIMEOUT, state: 'attached' }); // the model has loaded
      await page.click('[data-action="run"]');
      // After the first pass the bar moves; cancel then.
      await page.waitForFunction(
        () => /Integrating gradients… [1-9]\d?%/.test(document.querySelector('.gb-status')?.textContent ?? ''),
        null,
        TIMEOUT,
      );
      // The button's click handler runs between passes (the page yields to the event loop after each). A DOM click event:
      // Playwright's mouse clicks poll for visibility and position with animation frames, which a page busy computing does not give.
      expect(await page.$eval('[data-action="cancel"]', (b) => (b as HTMLButtonElement).hidden)).toBe(false);
      await page.dispatchEvent('[data-action="cancel"]', 'click');
      await page.waitForSelector('.gb-progress[data-state="cancelled"]', TIMEOUT);
      expect(await page.textContent('.gb-status')).toBe('Cancelled.');
      expect(await page.$$('[data-token]')).toHaveLength(0);
      expect(await page.isHidden('[data-action="cancel"]')).toBe(true);
      expect(new URL(page.url()).searchParams.has('run')).toBe(false);

      // The explainer is still usable: back to 50 points.
      // A link with steps opens the advanced options.
      expect(await page.$eval('.gb-details', (d) => (d as HTMLDetailsElement).open)).toBe(true);
      await page.fill('#steps', '');
      await page.dispatchEvent('#steps', 'change');
      await page.click('[data-action="run"]');
      await done(page);
      expectSameAsCli(await pageTokens(page), cliDefault.tokens);
    } finally {
      await page.close();
    }
  });

  it('download as HTML: a standalone file showing the same numbers with JavaScript off', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    try {
      await page.goto(`${site.url}?${new URLSearchParams({ text: SENTENCE, run: '1' })}`);
      await done(page);
      const onPage = await pageTokens(page);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="download"]')]);
      expect(download.suggestedFilename()).toBe(`glassbox-${MODEL}-integrated-gradients.html`);
      const html = await readFile((await download.path())!, 'utf8');
      expect(html).not.toMatch(/<script/i);

      const offline = await browser.newContext({ javaScriptEnabled: false, offline: true });
      try {
        const view = await offline.newPage();
        await view.setContent(html);
        const inFile = await pageTokens(view);
        expect(inFile).toEqual(onPage);
        expectSameAsCli(inFile, cliDefault.tokens);
        expect(await view.getAttribute('[data-model]', 'data-model')).toBe(MODEL);
        expect(await view.getAttribute('[data-model]', 'data-method')).toBe('integrated-gradients');
      } finally {
        await offline.close();
      }
    } finally {
      await context.close();
    }
  });

  it('URL state round-trips: method, target and text changes update the URL, and the link reproduces the result', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${site.url}?text=hello`);
      await page.waitForSelector('#target option[value="NEGATIVE"]', { ...TIMEOUT, state: 'attached' });
      await page.selectOption('#method', 'occlusion');
      await page.selectOption('#target', 'NEGATIVE');
      await page.fill('#text', SENTENCE);
      await page.waitForFunction((s) => new URL(location.href).searchParams.get('text') === s, SENTENCE, TIMEOUT);
      let url = new URL(page.url());
      expect(url.searchParams.get('method')).toBe('occlusion');
      expect(url.searchParams.get('target')).toBe('NEGATIVE');
      expect(url.searchParams.has('run')).toBe(false);
      await page.click('[data-action="run"]');
      await done(page);
      url = new URL(page.url());
      expect(url.searchParams.get('run')).toBe('1');
      const shown = await pageTokens(page);

      // The link alone reproduces the same explanation.
      const again = await browser.newPage();
      try {
        await again.goto(url.href);
        await done(again);
        expect(await again.inputValue('#text')).toBe(SENTENCE);
        expect(await again.inputValue('#method')).toBe('occlusion');
        expect(await again.inputValue('#target')).toBe('NEGATIVE');
        expect(await again.getAttribute('[data-model]', 'data-method')).toBe('occlusion');
        expect(await pageTokens(again)).toEqual(shown);
      } finally {
        await again.close();
      }
      // Back to the default method: the parameter leaves the URL.
      await page.selectOption('#method', 'integrated-gradients');
      url = new URL(page.url());
      expect(url.searchParams.has('method')).toBe(false);
      expect(url.searchParams.has('run')).toBe(false);
    } finally {
      await page.close();
    }
  });

  it('untrusted text from a link stays text', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${site.url}?${new URLSearchParams({ text: '<img src=x onerror="window.pwned=1"> awful', run: '1' })}`);
      await done(page);
      expect(await page.$$eval('[data-page] img', (els) => els.length)).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect((await pageTokens(page)).map(([t]) => t)).toContain('<');
    } finally {
      await page.close();
    }
  });
});
