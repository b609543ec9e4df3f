import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';

/** Debian's Chromium (never a downloaded browser); CI installs it, elsewhere the browser suites skip without it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM) || Boolean(process.env.CI);

/**
 * The demo under a strict Content-Security-Policy, sent as a header on every file: no
 * 'unsafe-eval', no 'unsafe-inline' (scripts or styles); WebAssembly compilation only
 * ('wasm-unsafe-eval', for onnxruntime-web's .wasm); workers from the site or blob: URLs.
 * Element styles the views set through the CSSOM (element.style) are not inline styles in
 * CSP's sense and stay allowed.
 */
export const DEMO_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The demo site built by vite (relative base, as deployed) into a fresh temporary folder; returns the folder. */
export async function buildDemo(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'glassbox-demo-'));
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/**
 * The headers the built site's `_headers` file (Netlify / Cloudflare Pages format, written by
 * vite.config.ts) sends on every path (`/*`), by name.
 */
export function headersFileOf(outDir: string): Record<string, string> {
  const headers: Record<string, string> = {};
  let every = false;
  for (const line of readFileSync(join(outDir, '_headers'), 'utf8').split('\n')) {
    if (/^\S/.test(line)) every = line.trim() === '/*';
    const m = line.match(/^\s+([^:\s]+):\s*(.*)$/);
    if (every && m) headers[m[1]!] = m[2]!.trim();
  }
  return headers;
}

/** Headless Chromium with nothing running in the background (no network of its own). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
