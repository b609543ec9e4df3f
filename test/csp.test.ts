import type { IncomingMessage, Server } from 'node:http';
import { SequenceClassificationExplainer } from '@glassbox/core';
import { sampleResults, toHTML } from '@glassbox/viz';
import type { Browser, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CSP, buildDemo, hasChromium, headersFileOf, launchChromium } from './demoSite.ts';
import { useLocalFixtures } from './helpers.ts';
import { serveStatic } from './staticServer.ts';

/**
 * The demo under a strict Content-Security-Policy (DEMO_CSP, sent as a header on every
 * file) and the headers its build ships in `_headers` (cross-origin isolation): it explains,
 * renders styled, and reports no violation; the page and its worker are cross-origin isolated
 * and onnxruntime-web runs on wasm threads. And toHTML's standalone files reference nothing
 * outside themselves.
 */
const WAIT = { timeout: 180_000 };
const SENTENCE = 'A gripping, beautifully acted film that I will not forget.';

type Violations = { violations: string[] };

/** Records the CSP violations the document reports (securitypolicyviolation events, with where they happened), from before the page's first script. */
function recordViolations(page: Page): void {
  void page.addInitScript(() => {
    const w = window as unknown as Violations;
    w.violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`),
    );
  });
}
const violationsIn = (page: Page) => page.evaluate(() => (window as unknown as Violations).violations);

describe.skipIf(!hasChromium)('demo under a strict Content-Security-Policy, with the headers of its _headers file', () => {
  let site: { url: string; server: Server };
  let shipped: Record<string, string>;
  let browser: Browser;
  /**
   * Every violation report the browser sent (the policy's report-uri, on this server): these
   * come from workers too, which have no document to fire events at.
   */
  const reports: string[] = [];

  beforeAll(async () => {
    const outDir = await buildDemo();
    shipped = headersFileOf(outDir);
    site = await serveStatic(outDir, '/', { ...shipped, 'content-security-policy': `${DEMO_CSP}; report-uri /csp-report` });
    // Beside the file handler (which answers this POST with 404): keep each report's body.
    site.server.on('request', (req: IncomingMessage) => {
      if (req.method !== 'POST' || !req.url?.startsWith('/csp-report')) return;
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => reports.push(body));
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    site?.server.close();
  });

  it('the policy is in force: an inline script is refused and reported', async () => {
    const page = await browser.newPage();
    try {
      recordViolations(page);
      await page.goto(site.url);
      const ran = await page.evaluate(async () => {
        const s = document.createElement('script');
        s.textContent = 'window.inlineRan = true';
        document.body.append(s);
        await new Promise((r) => setTimeout(r, 50));
        return (window as unknown as { inlineRan?: boolean }).inlineRan ?? false;
      });
      expect(ran).toBe(false);
      expect((await violationsIn(page)).join('\n')).toMatch(/script-src/);
      await expect.poll(() => reports.join('\n')).toMatch(/script-src/);
    } finally {
      await page.close();
      reports.length = 0;
    }
  });

  it('the text page explains from a link: numbers shown, styled, and no violation reported', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      recordViolations(page);
      for (const method of ['integrated-gradients', 'occlusion']) {
        await page.goto(`${site.url}?${new URLSearchParams({ page: 'text', text: SENTENCE, method, run: '1' })}`);
        const ended = '[data-page="text"] .gb-progress:is([data-state="done"], [data-state="error"])';
        await page.waitForSelector(ended, WAIT);
        expect(await page.getAttribute(ended, 'data-state'), (await page.textContent(`${ended} .gb-status`)) ?? '').toBe('done');
        expect(await page.getAttribute('[data-page="text"] [data-model][data-method]', 'data-method')).toBe(method);

        const shown = await page.$$eval('[data-page="text"] [data-view="tokens"] [data-token]', (els) =>
          els.map((e) => e.getAttribute('data-attribution')!),
        );
        expect(shown.length).toBeGreaterThan(3);
        const numbers = shown.filter((a) => a !== 'null').map(Number);
        expect(numbers.every(Number.isFinite)).toBe(true);
        expect(numbers.some((a) => a !== 0)).toBe(true);
        // The views' stylesheet and their per-token colours both apply under the policy, and the demo's own style.css.
        const top = '[data-page="text"] [data-view="tokens"] [data-rank="1"]';
        expect(await page.$eval(top, (e) => getComputedStyle(e).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
        expect(await page.$eval(top, (e) => getComputedStyle(e).borderRadius)).toBe('3px');
        expect(await page.$eval('.gb-header', (e) => getComputedStyle(e).backgroundColor)).toBe('rgb(16, 19, 37)');

        expect(await violationsIn(page), method).toEqual([]);
      }
      expect(errors).toEqual([]);

      // The explainer's worker (where the demo runs one) is under the policy too, and the reports would show its
      // violations: fetching a data: URL succeeds anywhere but under connect-src 'self'. (Not onnxruntime-web's
      // wasm threads: they wait on shared memory and never run a script they are sent.)
      const workers = page.workers().filter((w) => !isOrtThread(w));
      for (const worker of workers)
        expect(
          await worker.evaluate(() =>
            fetch('data:text/plain,x').then(
              () => 'fetched',
              () => 'refused',
            ),
          ),
        ).toBe('refused');
      if (workers.length > 0) await expect.poll(() => reports.join('\n')).toMatch(/connect-src/);
      // Nothing but those probes was ever reported.
      expect(
        reports
          .map((r) => JSON.parse(r)['csp-report'])
          .filter((r) => !(r['effective-directive'] === 'connect-src' && r['blocked-uri'] === 'data')),
      ).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("_headers makes the site cross-origin isolated: page and worker isolated, onnxruntime-web's wasm on more than one thread", async () => {
    expect(shipped).toEqual({ 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    const page = await browser.newPage();
    try {
      // The cpu device (no WebGPU flag here), whose default engine is onnxruntime-web's wasm.
      await page.goto(`${site.url}?${new URLSearchParams({ page: 'text', text: SENTENCE, method: 'integrated-gradients', run: '1' })}`);
      const ended = '[data-page="text"] .gb-progress:is([data-state="done"], [data-state="error"])';
      await page.waitForSelector(ended, WAIT);
      expect(await page.getAttribute(ended, 'data-state'), (await page.textContent(`${ended} .gb-status`)) ?? '').toBe('done');
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      const engine = page.workers().find((w) => !isOrtThread(w));
      expect(await engine!.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer])).toEqual([true, 'function']);
      // ortRuntime.ts sets ort.env.wasm.numThreads to the core count where the page is isolated; each thread past the first is a worker.
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      if (cores > 1) expect(page.workers().filter(isOrtThread).length).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });
});

/** onnxruntime-web's wasm threads: workers on its own chunk (vite.config.ts), one per thread beyond the first. */
const isOrtThread = (worker: Worker) => /\/assets\/onnxruntime-web-[^/]*\.js$/.test(worker.url());

describe('exported HTML references nothing external', () => {
  /** XML namespace names: identifiers in xmlns attributes, never fetched. */
  const NAMESPACES = ['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink'];

  /** Every way a document can pull in another resource (markup or CSS) is absent, or a data: URL. */
  function expectSelfContained(html: string, what: string): void {
    expect(html, what).not.toMatch(/<(script|link|iframe|frame|object|embed|base|audio|video|source)\b/i);
    expect(html, what).not.toMatch(/@import/i);
    expect(html, what).not.toMatch(/\s(src|href|srcset|action|poster|xlink:href|background)\s*=\s*["']?(?!data:)/i);
    expect(html, what).not.toMatch(/url\(\s*["']?(?!data:)/i);
    const urls = Array.from(html.matchAll(/(?:https?:)?\/\/[^\s"'<>)]*/gi), (m) => m[0]);
    expect(
      urls.filter((u) => !NAMESPACES.includes(u)),
      what,
    ).toEqual([]);
  }

  it('every sample result kind, by token and by word', () => {
    for (const [kind, r] of Object.entries(sampleResults())) {
      for (const granularity of ['token', 'word'] as const) expectSelfContained(toHTML(r, { granularity }), `${kind} ${granularity}`);
    }
  });

  it('a real explanation, and the file carries its own strict policy', async () => {
    useLocalFixtures();
    const result = await (await SequenceClassificationExplainer.fromPretrained('distilbert-sst2-tiny')).explain(
      'See https://example.com/x.png and //evil.test/a.js',
      { method: 'saliency' },
    );
    const html = toHTML(result);
    // The URLs typed in the text are tokens shown as text, never a reference.
    expect(result.tokens.map((t) => t.token)).toContain('example');
    expectSelfContained(html, 'sst2');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  });
});
