/**
 * `pnpm bench`: builds bench/ with vite, serves it with the benchmark models, runs it in
 * headless Chromium (WebGPU on), prints a table and one JSON line of ratios, and rewrites the
 * "## Performance" section of README.md. Not a test: `pnpm test` never runs it.
 *
 * Environment (all optional):
 *   BENCH_MODELS          comma-separated model folders (default: both)
 *   BENCH_CPU_STEPS       points run on the cpu backend, e.g. "distilbert-base-geometry=50,vit-base-geometry=2";
 *                         fewer than 50 are extrapolated linearly (default below)
 *   BENCH_COLD_STEPS      points of the cold webgpu run, same form (default: 50 for both)
 *   BENCH_WARM_BUDGET_S   seconds a warm webgpu run may take before it runs fewer points (default 900)
 *   BENCH_SKIP            parts to leave out: webgpu, cpu, ort-webgpu, ort-wasm, ours-forward, matmul
 *   BENCH_NO_README=1     print only
 *   BENCH_TIMEOUT_S       give up after this long (default 7200)
 *   CHROMIUM_PATH         default /usr/bin/chromium
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import os from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { build } from 'vite';
import type { BenchConfig } from './main.ts';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, '..');
const FIXTURES = resolve(ROOT, '../shared/fixtures/bench');
const ORT_DIST = join(ROOT, 'node_modules/onnxruntime-web/dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MODELS = ['distilbert-base-geometry', 'vit-base-geometry'];
const LABEL: Record<string, string> = { 'distilbert-base-geometry': 'distilbert-base, 28 tokens', 'vit-base-geometry': 'vit-base, 224×224' };
/** On a 2-core machine one cpu LIG-50 of the vit geometry takes hours: a few points, extrapolated. */
const DEFAULT_CPU_STEPS: Record<string, number> = { 'distilbert-base-geometry': 50, 'vit-base-geometry': 2 };

type Json = Record<string, any>;

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(1);
}

function perModel(env: string | undefined, defaults: Record<string, number>): Record<string, number> {
  const out = { ...defaults };
  for (const part of (env ?? '').split(',').filter(Boolean)) {
    const [name, n] = part.split('=');
    if (!name || !n || !Number.isInteger(Number(n)) || Number(n) < 1) fail(`bad entry "${part}" (want model=steps)`);
    out[name] = Number(n);
  }
  return out;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

/** The built page at /, the models at /models/, onnxruntime-web's runtime files at /ort/. */
async function serve(site: string): Promise<{ url: string; server: Server }> {
  const mounts: [string, string][] = [
    ['/models/', FIXTURES],
    ['/ort/', ORT_DIST],
    ['/', site],
  ];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const [prefix, dir] = mounts.find(([p]) => path.startsWith(p))!;
    const file = normalize(join(dir, path.slice(prefix.length) || 'index.html'));
    if (file !== dir && !file.startsWith(dir + sep)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        // Cross-origin isolation, so onnxruntime-web may use wasm threads.
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server };
}

// ---------------------------------------------------------------------------------------------
// Formatting.

const s = (ms: number | undefined) => (ms === undefined ? '–' : ms >= 100_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);
const r2 = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(x >= 10 ? 1 : 2)}×`);
const round = (x: number | undefined, d = 3) => (x === undefined ? null : Number(x.toPrecision(d + 1)));

function ligCell(run: Json | undefined, steps: number): string {
  if (!run) return '–';
  return run.extrapolated ? `${s(run.msAtFullSteps)} (extrapolated from ${run.steps} points: ${s(run.ms)})` : s(run.ms);
}

function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

interface Summary {
  table: string;
  json: Json;
  notes: string[];
}

function summarize(results: Json[], config: BenchConfig): Summary {
  const find = (kind: string, pred: (r: Json) => boolean = () => true) => results.find((r) => r.kind === kind && pred(r));
  const lig = (m: string, b: string) => find('lig', (r) => r.model === m && r.backend === b);
  const ort = (m: string, ep: string) => find('ort-forward', (r) => r.model === m && r.epRequested === ep);
  const fwd = (m: string) => find('ours-forward', (r) => r.model === m);
  const models = config.models;
  const n = config.steps;
  const b = config.ortBatch;
  const ortEp = (r: Json | undefined) => (r ? (r.epUsed === r.epRequested ? '' : ` (ran ${r.epUsed}: webgpu EP failed)`) : '');
  const rows: string[][] = [
    [`Glassbox LIG-${n}, webgpu, cold (first run)`, ...models.map((m) => ligCell(lig(m, 'webgpu')?.cold, n))],
    [`Glassbox LIG-${n}, webgpu, warm`, ...models.map((m) => ligCell(lig(m, 'webgpu')?.warm, n))],
    [`Glassbox LIG-${n}, cpu (once)`, ...models.map((m) => ligCell(lig(m, 'cpu')?.cold, n))],
    [`Glassbox forward, batch ${b}, webgpu (warm)`, ...models.map((m) => s(fwd(m)?.ms))],
    [`onnxruntime-web forward, batch ${b}, webgpu EP`, ...models.map((m) => s(ort(m, 'webgpu')?.ms) + ortEp(ort(m, 'webgpu')))],
    [`onnxruntime-web forward, batch ${b}, wasm EP`, ...models.map((m) => s(ort(m, 'wasm')?.ms))],
  ];
  const webgpuRatio = (m: string) => ratio(lig(m, 'webgpu')?.warm?.msAtFullSteps, ort(m, 'webgpu')?.ms);
  const cpuRatio = (m: string) => ratio(lig(m, 'cpu')?.cold?.msAtFullSteps, ort(m, 'wasm')?.ms);
  rows.push([`**LIG-${n} webgpu (warm) / ORT webgpu forward ${b}**`, ...models.map((m) => `**${r2(webgpuRatio(m))}**`)]);
  rows.push([`LIG-${n} cpu / ORT wasm forward ${b}`, ...models.map((m) => r2(cpuRatio(m)))]);
  let table = markdownTable(['', ...models.map((m) => LABEL[m] ?? m)], rows);

  const ours = find('matmul', (r) => r.impl === 'glassbox-webgpu');
  const theirs = find('matmul', (r) => String(r.impl).startsWith('ort-'));
  const mm = ratio(ours?.best, theirs?.best);
  if (ours || theirs) {
    const nn = config.matmul.n;
    const g = (r: Json | undefined) => (r ? `${r.best.toFixed(2)}` : '–');
    table +=
      '\n\n' +
      markdownTable(
        [`${nn}×${nn}×${nn} f32 matmul`, 'best GFLOP/s'],
        [
          ['Glassbox webgpu kernel (`backend.run(\'MatMul\')`)', g(ours)],
          [`onnxruntime-web, ${theirs?.impl === 'ort-webgpu' ? 'webgpu EP' : theirs ? `${theirs.impl.slice(4)} EP (webgpu EP failed)` : 'webgpu EP'}${theirs?.io === 'gpu-buffer' ? ', GPU-resident inputs and output' : ''}`, g(theirs)],
          ['**ours / onnxruntime-web**', `**${r2(mm)}**`],
        ],
      );
  }
  const d = 'distilbert-base-geometry';
  const v = 'vit-base-geometry';
  const json: Json = {
    lig_vs_ort_forward50: round(webgpuRatio(d)),
    matmul_vs_ort: round(mm),
    vit_lig_vs_ort_forward50: round(webgpuRatio(v)),
    cpu_lig_vs_ort_wasm_forward50: round(cpuRatio(d)),
    vit_cpu_lig_vs_ort_wasm_forward50: round(cpuRatio(v)),
    ort_webgpu_ep_used: ort(d, 'webgpu')?.epUsed ?? null,
  };
  const notes: string[] = [];
  for (const m of models) {
    const w = lig(m, 'webgpu');
    if (w) {
      const rowsPerPass = [...new Set(w.warm?.passes.map((p: Json) => p.rows))].join('/');
      notes.push(
        `${LABEL[m] ?? m}: ${w.describe}; the library chose ${rowsPerPass} points per pass; ` +
          `warm run ${(100 * w.warm.gradMs / w.warm.ms).toFixed(0)}% in gradient passes; convergence delta ${w.warm.convergenceDelta?.toExponential(2)}; ` +
          `GPU memory peak ${w.gpuPeakMiB.toFixed(0)} MiB.`,
      );
    }
    const o = ort(m, 'webgpu');
    if (o?.fallback) notes.push(`${LABEL[m] ?? m}: onnxruntime-web ${o.fallback}.`);
  }
  if (theirs?.ioNote) notes.push(`matmul: ${theirs.ioNote}.`);
  const wasm = ort(d, 'wasm');
  if (wasm) notes.push(`onnxruntime-web wasm EP with ${wasm.wasmThreads ?? 'default'} thread(s); Glassbox's cpu backend is single-threaded JavaScript.`);
  for (const e of results.filter((r) => r.kind === 'error')) notes.push(`FAILED ${e.what}: ${String(e.message).split('\n')[0]}`);
  return { table, json, notes };
}

function writeReadme(section: string): void {
  const path = join(ROOT, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const start = readme.search(/^## Performance\s*$/m);
  let out: string;
  if (start >= 0) {
    const rest = readme.slice(start + 1);
    const next = rest.search(/^## /m);
    out = readme.slice(0, start) + section + (next >= 0 ? '\n' + rest.slice(next) : '');
  } else {
    const layout = readme.search(/^## Layout\s*$/m);
    out = layout >= 0 ? readme.slice(0, layout) + section + '\n' + readme.slice(layout) : readme.trimEnd() + '\n\n' + section;
  }
  writeFileSync(path, out);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const models = (process.env.BENCH_MODELS ?? MODELS.join(',')).split(',').filter(Boolean);
  if (!existsSync(FIXTURES)) fail(`the benchmark models are not at ${FIXTURES} (expected ../shared/fixtures/bench next to the repository, with ${MODELS.join(' and ')})`);
  for (const m of models) {
    for (const f of ['onnx/model.onnx', 'sample.json']) {
      if (!existsSync(join(FIXTURES, m, f))) fail(`missing ${join(FIXTURES, m, f)}`);
    }
  }
  if (!existsSync(CHROMIUM)) fail(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  if (!existsSync(ORT_DIST)) fail(`onnxruntime-web is not installed (${ORT_DIST}); run pnpm install`);

  const config: BenchConfig = {
    models,
    steps: 50,
    cpuSteps: perModel(process.env.BENCH_CPU_STEPS, DEFAULT_CPU_STEPS),
    coldSteps: perModel(process.env.BENCH_COLD_STEPS, {}),
    warmBudgetS: Number(process.env.BENCH_WARM_BUDGET_S ?? 900),
    ortBatch: 50,
    skip: (process.env.BENCH_SKIP ?? '').split(',').filter(Boolean),
    matmul: { n: 1024, trials: 4, perTrial: 3 },
  };

  const outDir = mkdtempSync(join(os.tmpdir(), 'glassbox-bench-'));
  const started = Date.now();
  console.error('bench: building the page with vite…');
  await build({
    configFile: false,
    root: BENCH,
    base: './',
    publicDir: false,
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1 << 30, reportCompressedSize: false },
  });
  const site = await serve(outDir);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const results: Json[] = [];
  try {
    const page = await browser.newPage();
    const done = new Promise<string>((resolveDone) => {
      page.on('console', (msg) => {
        const text = msg.text();
        if (text.startsWith('[bench-result] ')) results.push(JSON.parse(text.slice('[bench-result] '.length)));
        else if (text.startsWith('[bench] ')) console.error(text.slice(8));
        else if (text === '[bench-done]') resolveDone('done');
        else if (msg.type() === 'error') console.error(`page: ${text}`);
      });
      page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
      page.on('crash', () => resolveDone('the page crashed'));
      page.on('close', () => resolveDone('the page closed'));
    });
    const timeoutS = Number(process.env.BENCH_TIMEOUT_S ?? 7200);
    const timeout = new Promise<string>((r) => setTimeout(() => r(`timed out after ${timeoutS} s`), timeoutS * 1000).unref());
    await page.goto(`${site.url}?config=${encodeURIComponent(JSON.stringify(config))}`);
    const how = await Promise.race([done, timeout]);
    if (how !== 'done') {
      console.error(`bench: ${how}; reporting what was measured`);
      results.push({ kind: 'error', what: 'page', message: how });
    }
  } finally {
    await browser.close();
    site.server.close();
    rmSync(outDir, { recursive: true, force: true });
  }

  const env = results.find((r) => r.kind === 'env') ?? {};
  const { table, json, notes } = summarize(results, config);
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}`;
  const a = env.adapter ?? {};
  const adapter = a.available
    ? `${[a.vendor, a.architecture, a.description].filter(Boolean).join(' / ')}${a.isFallbackAdapter ? ' (fallback adapter)' : ''}`
    : 'none';
  const browserName = /Chrom(e|ium)\/[\d.]+/.exec(env.userAgent ?? '')?.[0] ?? 'Chromium';
  const date = new Date().toISOString().slice(0, 10);
  const minutes = ((Date.now() - started) / 60_000).toFixed(0);

  console.log(`\nGlassbox benchmark, ${date}`);
  console.log(`machine: ${machine}`);
  console.log(`browser: ${browserName} (headless); WebGPU adapter: ${adapter}; onnxruntime-web ${env.ortVersion ?? '?'}\n`);
  console.log(table);
  console.log('');
  for (const note of notes) console.log(`- ${note}`);
  console.log('');
  console.log(JSON.stringify(json));

  if (process.env.BENCH_NO_README) return;
  const section = [
    '## Performance',
    '',
    `\`pnpm bench\` (bench/) measures, in one headless Chromium page, Glassbox's layer integrated gradients with ${config.steps} Gauss–Legendre points`,
    `against onnxruntime-web running a plain forward pass of a batch of ${config.ortBatch} on the same model (what a batched LIG-${config.steps} has to beat),`,
    `on the real-geometry models in \`../shared/fixtures/bench\` (random weights). DistilBERT: LIG on the word embeddings of its 28-token sample;`,
    `ViT: IG on \`pixel_values\` of one seeded random 224×224 image; zero baselines, target logit ${1}, the library's own internal batch size.`,
    `Cold is the first run on a fresh device (weight upload, shader compilation, plan building); warm is the second.`,
    '',
    `Measured ${date} on ${machine}; ${browserName} headless; WebGPU adapter: ${adapter}; onnxruntime-web ${env.ortVersion ?? '?'}; the whole run took ${minutes} min.`,
    '',
    table,
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    '```json',
    JSON.stringify(json),
    '```',
    '',
    a.isFallbackAdapter
      ? 'The adapter here is a software one (no GPU): these numbers compare the two runtimes on the same adapter, not what a GPU gives.'
      : 'Both runtimes ran on the same adapter.',
    '',
  ].join('\n');
  writeReadme(section);
  console.error('bench: README.md "## Performance" updated');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
