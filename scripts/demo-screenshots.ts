/**
 * The README's screenshots of the demo: builds the site, opens each page in Debian's
 * headless Chromium (no network but this site) with a sentence in the URL and run=1,
 * and saves docs/screenshots/<page>.png.  Run: `pnpm tsx scripts/demo-screenshots.ts [page...]`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { build } from 'vite';
import { serveStatic } from '../test/staticServer.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Each view: its query and what shows it is done. */
const VIEWS: Record<string, { query: Record<string, string>; ready: string }> = {
  text: {
    query: { page: 'text', text: 'A gripping, beautifully acted film that I will not forget.', run: '1' },
    ready: '[data-page="text"] .gb-progress[data-state="done"]',
  },
  image: { query: { page: 'image', run: '1' }, ready: '[data-page="image"] .gb-progress[data-state="done"]' },
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(VIEWS);
const outDir = mkdtempSync(join(tmpdir(), 'glassbox-shots-'));
await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
const site = await serveStatic(outDir);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true });
try {
  for (const name of wanted) {
    const view = VIEWS[name];
    if (!view) throw new Error(`unknown view ${name}; use ${Object.keys(VIEWS).join(', ')}`);
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(`${site.url}?${new URLSearchParams(view.query)}`);
    await page.waitForSelector(view.ready, { timeout: 180_000 });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const file = join(ROOT, 'docs', 'screenshots', `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(file);
    await page.close();
  }
} finally {
  await browser.close();
  site.server.close();
}
