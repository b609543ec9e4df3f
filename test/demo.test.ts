import { existsSync, mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, expectClose, refsOf } from './helpers.ts';

/**
 * The product's real target: the demo page, built by vite, running the runtime in Debian's
 * Chromium and giving transformers-interpret's numbers. CI installs chromium (.ci/run);
 * elsewhere the test is skipped when /usr/bin/chromium is absent.
 */
const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };

async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server };
}

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('demo in Chromium', () => {
  let site: { url: string; server: Server };
  beforeAll(async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'glassbox-demo-'));
    await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
    site = await serve(outDir);
  });
  afterAll(() => site?.server.close());

  it('explains a sentence with the bundled model, offline, with transformers-interpret\'s numbers', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    try {
      const page = await browser.newPage();
      const external: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(site.url)) external.push(r.url());
      });
      await page.goto(site.url);
      // Without --enable-unsafe-webgpu this Chromium has no adapter: 'auto' falls back to the CPU.
      await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('model:'), null, { timeout: 60_000 });
      expect(await page.textContent('#status')).toMatch(/\((CPU|WebGPU)\)/);
      const inp = refsOf('distilbert-sst2-tiny').inputs[0];
      await page.fill('#text', inp.text);
      await page.click('#explain');
      await page.waitForFunction(() => document.getElementById('status')!.textContent !== 'explaining…', null, { timeout: 120_000 });
      expect(await page.textContent('#status')).toBe('done');
      const tokens = await page.$$eval('[data-token]', (els) => els.map((e) => [(e as HTMLElement).dataset.token!, Number((e as HTMLElement).dataset.attribution)] as const));
      expect(tokens.map((t) => t[0])).toEqual(inp.tokens);
      const ti = inp.transformers_interpret.find((t: Json) => t.index === inp.predicted_index);
      expectClose(tokens.map((t) => t[1]), ti.word_attributions.map((w: Json) => w[1]), 1e-4, 0, 'TI in Chromium');
      expect(await page.getAttribute('#tokens', 'data-method')).toBe('integrated-gradients');

      // Untrusted text stays text.
      await page.fill('#text', '<img src=x onerror="window.pwned=1"> awful');
      await page.click('#explain');
      await page.waitForFunction(() => document.getElementById('status')!.textContent !== 'explaining…', null, { timeout: 120_000 });
      expect(await page.$$eval('#tokens img', (els) => els.length)).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect(external).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
