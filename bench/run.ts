/**
 * `pnpm bench`: builds the benchmark models on first use (bench/models/, cached in
 * bench/.models/), builds bench/ with vite, serves it with those models, runs it in
 * headless Chromium (WebGPU on), prints a table and one JSON line of ratios, and rewrites the
 * "## Performance" section of README.md. Not a test: `pnpm test` never runs it.
 *
 * Environment (all optional):
 *   BENCH_MODELS          comma-separated model folders (default: both)
 *   BENCH_MODELS_ONLY=1   build the models (if missing or stale) and stop
 *   BENCH_BUDGET_SCALE    multiply every time budget (BUDGETS below) by this; BENCH_FULL=1 measures
 *                         everything in full however long it takes (hours on a software adapter)
 *   BENCH_SKIP            parts to leave out: the page's webgpu, cpu, ort-webgpu, ort-wasm, ours-forward, matmul, profile,
 *                         kernel-shap, ort-lig-wasm, ort-lig-webgpu (the onnxruntime engine's LIG on wasm and on the webgpu
 *                         provider), or all of it (browser); the Node part's (bench/node.ts) torch, cli, ort-node, ort-web-node,
 *                         glassbox-cpu (Glassbox's cpu backend in Node: about 3.5 minutes on distilbert-base and 10, budgeted
 *                         and extrapolated, on vit, on 2 shared cores; leave it out to save them), node-forward, or all of it (node)
 *                         and the data set of many lengths (dataset: bench/dataset.ts; BENCH_DATASET_TEXTS texts, default 200)
 *   BENCH_PYTHON          the Python for the PyTorch anchor (default /usr/bin/python3; needs numpy, onnx, torch)
 *   BENCH_THREADS         threads for PyTorch and onnxruntime-web wasm in Node (default: every core)
 *   BENCH_VIT_POINTS_PER_PASS  IG points per gradient pass on vit, every engine and PyTorch alike (default 10)
 *   BENCH_KERNEL_SHAP_SAMPLES, BENCH_KERNEL_SHAP_BATCH  KernelSHAP's model evaluations per engine and
 *                         masks per pass (default 64 and 32; samples a multiple of the batch)
 *   BENCH_NO_README=1     print only
 *   BENCH_STRICT=1        exit 1 when a measured target (bench/targets.ts) is missed
 *   BENCH_TIMEOUT_S       give up after this long (default 10800)
 *   CHROMIUM_PATH         default /usr/bin/chromium
 */
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import os from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { build } from 'vite';
import type { BenchConfig } from './main.ts';
import { BENCH_MODELS, ensureBenchModels } from './models/build.ts';
import { summarizeChromiumEngines } from './chromiumEngines.ts';
import { datasetBench } from './dataset.ts';
import { type Summary, markdownTable, r2, ratio, round, s } from './format.ts';
import { CLI_FLAGS } from './cli.ts';
import { NODE_ENGINES, type NodeBenchConfig, runNodeBench } from './node.ts';
import { checkTargets, targetsJson, targetsTable } from './targets.ts';

/** The data-set part's model: the repository's own tiny fixture (it has a tokenizer; the bench models do not). */
const DATASET_MODEL = fileURLToPath(new URL('../test/fixtures/models/distilbert-sst2-tiny', import.meta.url));

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, '..');
const ORT_DIST = join(ROOT, 'node_modules/onnxruntime-web/dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MODELS = Object.keys(BENCH_MODELS);
const LABEL: Record<string, string> = {
  'distilbert-base-geometry': 'distilbert-base, 28 tokens',
  'vit-base-geometry': 'vit-base, 224×224',
};
/**
 * Seconds per measurement (see Budget in main.ts): run in full if it would take at most `full`,
 * else measure at least `sample` seconds (and one pass) and extrapolate linearly. A cpu LIG run
 * longer than ~10 minutes is extrapolated; so is anything that would take hours on SwiftShader.
 */
const BUDGETS: BenchConfig['budgets'] = {
  webgpuCold: { full: 900, sample: 60 },
  webgpuWarm: { full: 1500, sample: 120 },
  cpu: { full: 600, sample: 60 },
  ort: { full: 900, sample: 60 },
  oursForward: { full: 600, sample: 30 },
  // The onnxruntime engine's LIG: seconds on wasm; on a software adapter its webgpu provider takes minutes a point.
  ortWasmLig: { full: 900, sample: 60 },
  ortWebgpuLig: { full: 600, sample: 60 },
};
/** IG points per pass on the page's onnxruntime engine (bench/main.ts, ortPointsPerPass). */
const ORT_POINTS_PER_PASS: BenchConfig['ortPointsPerPass'] = { wasm: { image: 10 }, webgpu: { text: 5, image: 1 } };
/** Glassbox's cpu backend in Node (bench/node.ts), per attribution. */
const NODE_GLASSBOX_BUDGET = { full: 600, sample: 60 };

type Json = Record<string, any>;

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(1);
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
async function serve(site: string, models: string): Promise<{ url: string; server: Server }> {
  const mounts: [string, string][] = [
    ['/models/', models],
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

function ligCell(run: Json | undefined): string {
  if (!run) return '–';
  if (!run.extrapolated) return s(run.ms);
  return `≈ ${s(run.msAtFullSteps)} (extrapolated: ${run.steps} of the points took ${s(run.ms)})`;
}

/** Bytes, and the same in MiB. */
function bytesCell(bytes: number | undefined): string {
  return bytes === undefined ? '–' : `${bytes} B (${(bytes / 2 ** 20).toFixed(0)} MiB)`;
}

function batchCell(r: Json | undefined, _batch: number, suffix = ''): string {
  if (!r) return '–';
  if (!r.extrapolated) return s(r.ms) + suffix;
  return `≈ ${s(r.msAtBatch)} (extrapolated: batch ${r.batch} took ${s(r.ms)})${suffix}`;
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
    [`Glassbox LIG-${n}, webgpu, cold (first run)`, ...models.map((m) => ligCell(lig(m, 'webgpu')?.cold))],
    [`Glassbox LIG-${n}, webgpu, warm`, ...models.map((m) => ligCell(lig(m, 'webgpu')?.warm))],
    [`Glassbox LIG-${n}, cpu (once)`, ...models.map((m) => ligCell(lig(m, 'cpu')?.cold))],
    [
      `Glassbox LIG-${n}, webgpu, peak GPU memory (live buffers, weights included)`,
      ...models.map((m) => bytesCell(lig(m, 'webgpu')?.gpuPeakBytes)),
    ],
    [`Glassbox forward only, batch ${b}, webgpu (warm)`, ...models.map((m) => batchCell(fwd(m), b))],
    [`onnxruntime-web forward, batch ${b}, webgpu EP`, ...models.map((m) => batchCell(ort(m, 'webgpu'), b, ortEp(ort(m, 'webgpu'))))],
    [`onnxruntime-web forward, batch ${b}, wasm EP`, ...models.map((m) => batchCell(ort(m, 'wasm'), b))],
  ];
  const webgpuRatio = (m: string) => ratio(lig(m, 'webgpu')?.warm?.msAtFullSteps, ort(m, 'webgpu')?.msAtBatch);
  const cpuRatio = (m: string) => ratio(lig(m, 'cpu')?.cold?.msAtFullSteps, ort(m, 'wasm')?.msAtBatch);
  rows.push([`**LIG-${n} webgpu (warm) / ORT webgpu forward ${b}**`, ...models.map((m) => `**${r2(webgpuRatio(m))}**`)]);
  rows.push([`LIG-${n} cpu / ORT wasm forward ${b}`, ...models.map((m) => r2(cpuRatio(m)))]);
  let table = markdownTable(['', ...models.map((m) => LABEL[m] ?? m)], rows);

  // KernelSHAP: model forwards per second through each engine on each device.
  const shap = (m: string, device: string, engine: string) =>
    find('kernel-shap', (r) => r.model === m && r.device === device && r.engine === engine);
  const shapModels = models.filter((m) => results.some((r) => r.kind === 'kernel-shap' && r.model === m));
  const perSecond = (r: Json | undefined) =>
    r ? `${r.perSecond.toFixed(r.perSecond >= 10 ? 1 : 3)} (${r.evaluations} in ${s(r.ms)})` : '–';
  const shapRatio = (m: string, device: string) => ratio(shap(m, device, 'glassbox')?.perSecond, shap(m, device, 'onnxruntime')?.perSecond);
  if (shapModels.length > 0) {
    table +=
      '\n\n' +
      markdownTable(
        ['KernelSHAP, model forwards per second', ...shapModels.map((m) => LABEL[m] ?? m)],
        [
          ['Glassbox, webgpu', ...shapModels.map((m) => perSecond(shap(m, 'webgpu', 'glassbox')))],
          ['onnxruntime-web, webgpu EP', ...shapModels.map((m) => perSecond(shap(m, 'webgpu', 'onnxruntime')))],
          ['**ours / onnxruntime-web, webgpu**', ...shapModels.map((m) => `**${r2(shapRatio(m, 'webgpu'))}**`)],
          ['Glassbox, cpu', ...shapModels.map((m) => perSecond(shap(m, 'cpu', 'glassbox')))],
          ['onnxruntime-web, wasm EP', ...shapModels.map((m) => perSecond(shap(m, 'cpu', 'onnxruntime')))],
          ['ours / onnxruntime-web, cpu', ...shapModels.map((m) => r2(shapRatio(m, 'cpu')))],
        ],
      );
  }

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
          ["Glassbox webgpu kernel (`backend.run('MatMul')`)", g(ours)],
          [
            `onnxruntime-web, ${theirs?.impl === 'ort-webgpu' ? 'webgpu EP' : theirs ? `${theirs.impl.slice(4)} EP (webgpu EP failed)` : 'webgpu EP'}${theirs?.io === 'gpu-buffer' ? ', GPU-resident inputs and output' : ''}`,
            g(theirs),
          ],
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
    kernel_shap_forwards_per_s_vs_ort_webgpu: round(shapRatio(d, 'webgpu')),
    kernel_shap_forwards_per_s_vs_ort_wasm: round(shapRatio(d, 'cpu')),
    lig_peak_gpu_bytes: lig(d, 'webgpu')?.gpuPeakBytes ?? null,
  };
  const notes: string[] = [];
  for (const m of models) {
    const w = lig(m, 'webgpu');
    if (w) {
      const warm = w.warm;
      const perPass = warm.passes[0]?.rows;
      const rowMs = warm.gradMs / warm.steps;
      const f = fwd(m);
      const fwdRowMs = f ? f.ms / f.batch : undefined;
      notes.push(
        `${LABEL[m] ?? m}: ${w.describe}. The library chose ${perPass} point${perPass === 1 ? '' : 's'} per pass; ` +
          `a warm gradient pass takes ${s(rowMs)} per point` +
          (f && fwdRowMs
            ? ` (forward + backward), ${(rowMs / fwdRowMs).toFixed(1)}× our forward pass alone at batch ${f.batch} (${s(fwdRowMs)} a row)`
            : '') +
          `; the convergence-delta forward of 2 rows ${s(warm.deltaMs)}` +
          (warm.convergenceDelta !== undefined ? ` (delta ${warm.convergenceDelta.toExponential(2)})` : '') +
          `; after both runs the device holds ${(w.gpuCreatedBytes / 2 ** 20).toFixed(0)} MiB of buffers (live + pooled).`,
      );
    }
    const o = ort(m, 'webgpu');
    if (o?.fallback) notes.push(`${LABEL[m] ?? m}: onnxruntime-web ${o.fallback}.`);
  }
  if (theirs?.ioNote) notes.push(`matmul: ${theirs.ioNote}.`);
  const wasm = ort(d, 'wasm');
  if (wasm)
    notes.push(
      `onnxruntime-web wasm EP with ${wasm.wasmThreads ?? 'default'} thread(s); Glassbox's cpu backend is single-threaded JavaScript.`,
    );
  for (const e of results.filter((r) => r.kind === 'error')) notes.push(`FAILED ${e.what}: ${String(e.message).split('\n')[0]}`);

  // Where a warm gradient pass goes, from GPU timestamps around each dispatch.
  for (const p of results.filter((r) => r.kind === 'profile' && !r.skipped)) {
    const pct = (x: number) => `${((100 * x) / p.gpuMs).toFixed(0)}%`;
    const phases = p.byPhase.map((e: Json) => `${e.key} ${s(e.ms)} (${pct(e.ms)})`).join(', ');
    table +=
      '\n\n' +
      `Where one warm gradient pass of ${p.rows} points goes (${LABEL[p.model] ?? p.model}, webgpu; GPU timestamps around each of its ${p.dispatches} dispatches): ` +
      `the GPU is busy ${s(p.gpuMs)} of the pass's ${s(p.wallMs)} (${s(p.plainMs)} without the timestamps, which put every dispatch in a compute pass of its own); ${phases}.\n\n` +
      markdownTable(
        ['phase and op', 'dispatches', 'GPU time', 'share'],
        p.byOp.slice(0, 10).map((e: Json) => [e.key, String(e.dispatches), s(e.ms), pct(e.ms)]),
      ) +
      '\n\n' +
      markdownTable(
        ['heaviest op and input shapes', 'dispatches', 'GPU time', 'share'],
        p.byShape.slice(0, 6).map((e: Json) => [e.key.replace(/^(\w+) (\w+) /, '$1 $2 '), String(e.dispatches), s(e.ms), pct(e.ms)]),
      );
  }
  return { table, json, notes };
}

/** The Node part (bench/node.ts): every engine's attribution time and its ratio to PyTorch's, and the forward-only rows. */
function summarizeNode(results: Json[], config: NodeBenchConfig): Summary {
  const models = config.models.filter((m) => results.some((r) => r.model === m && (r.kind === 'torch' || r.kind === 'node-ig')));
  if (models.length === 0)
    return {
      table: '',
      json: {},
      notes: results.filter((r) => r.kind === 'error').map((e) => `FAILED ${e.what}: ${String(e.message).split('\n')[0]}`),
    };
  const torch = (m: string) => results.find((r) => r.kind === 'torch' && r.model === m);
  const ig = (m: string, engine: string) => results.find((r) => r.kind === 'node-ig' && r.model === m && r.engine === engine);
  const fwd = (m: string, build: string) => results.find((r) => r.kind === 'node-forward' && r.model === m && r.build === build);
  const cli = (m: string) => results.find((r) => r.kind === 'cli' && r.model === m);
  const env = results.find((r) => r.kind === 'node-env') ?? {};
  const method = (m: string) => (m.startsWith('vit') ? `IG-${config.steps}` : `LIG-${config.steps}`);
  const full = (r: Json | undefined) => (r ? (r.msAtFullSteps ?? r.ms) : undefined);
  const vsTorch = (m: string, r: Json | undefined) => ratio(full(r), torch(m)?.ms);
  const timeCell = (m: string, r: Json | undefined) => {
    if (!r) return '–';
    const t = r.extrapolated ? `≈ ${s(r.msAtFullSteps)} (extrapolated: ${r.points} of the points took ${s(r.ms)})` : s(r.ms);
    const own = torch(m) && r.pointsPerPass !== torch(m)!.pointsPerPass ? `; passes of ${r.pointsPerPass}` : '';
    return `${t} (${r2(vsTorch(m, r))}${own})`;
  };
  const header = [
    `CPU, Node: ${models
      .map(method)
      .filter((v, i, a) => a.indexOf(v) === i)
      .join(' / ')}, time (× PyTorch)`,
    ...models.map((m) => `${LABEL[m] ?? m}, ${method(m)}`),
  ];
  const rows: string[][] = [
    [
      `**PyTorch eager ops + autograd on the ONNX graph (anchor), ${torch(models[0]!)?.threads ?? config.threads} threads**`,
      ...models.map((m) => (torch(m) ? `**${s(torch(m)!.ms)}** (1×)` : '–')),
    ],
  ];
  for (const e of NODE_ENGINES) {
    if (!models.some((m) => ig(m, e.id))) continue;
    const label = e.id === 'ort-web-node' ? `${e.label}, ${env.wasmThreads ?? '?'} threads` : e.label;
    if (e.id === 'glassbox-cpu') {
      rows.push([`${label}, once`, ...models.map((m) => timeCell(m, ig(m, e.id)))]);
      continue;
    }
    rows.push([`**${label}, warm**`, ...models.map((m) => timeCell(m, ig(m, e.id)).replace(/^(\S+ s) /, '**$1** '))]);
    if (e.id === 'ort-node' && models.some((m) => cli(m))) {
      rows.push([
        `**the CLI, \`glassbox explain --device cpu\` (engine auto: this one), warm, per explanation**`,
        ...models.map((m) => (cli(m) ? `**${s(cli(m)!.warmMs)}** (${r2(ratio(cli(m)!.warmMs, torch(m)?.ms))})` : '–')),
      ]);
      rows.push([
        `  its first, from the process's start (Node, modules, model, compilation, sessions)`,
        ...models.map((m) => (cli(m) ? s(cli(m)!.firstMs) : '–')),
      ]);
    }
    rows.push([
      `  its first run (creates the sessions: InferenceSession.create)`,
      ...models.map((m) => {
        const r = ig(m, e.id);
        return r ? `${s(r.firstMs)} (${r.sessions} session${r.sessions === 1 ? '' : 's'}: ${s(r.sessionCreateMs)})` : '–';
      }),
    ]);
  }
  const memoryCell = (r: Json | undefined) =>
    r?.peakRssMib === undefined ? '–' : `${Math.round(r.peakRssMib)} MiB (${Math.round(r.rssAtStartMib)} at its start)`;
  for (const e of NODE_ENGINES) {
    if (models.some((m) => ig(m, e.id)?.peakRssMib !== undefined))
      rows.push([`peak resident memory: ${e.label}`, ...models.map((m) => memoryCell(ig(m, e.id)))]);
  }
  if (models.some((m) => torch(m)?.peak_rss_mib !== undefined))
    rows.push([
      'peak resident memory: PyTorch (its own process)',
      ...models.map((m) => (torch(m)?.peak_rss_mib !== undefined ? `${Math.round(torch(m)!.peak_rss_mib)} MiB` : '–')),
    ]);
  const pointsRow = [
    'points per gradient pass',
    ...models.map((m) => String(torch(m)?.pointsPerPass ?? ig(m, 'ort-node')?.pointsPerPass ?? '–')),
  ];
  rows.push(pointsRow);
  let table = markdownTable(header, rows);

  const builds = (['node', 'web'] as const).filter((b) => models.some((m) => fwd(m, b)));
  if (builds.length > 0) {
    const cell = (r: Json | undefined, which: 'ours' | 'plain') =>
      r ? (which === 'ours' ? r.oursRowsPerS : r.plainRowsPerS).toFixed(2) : '–';
    const name = (b: string) => (b === 'node' ? 'onnxruntime-node' : `onnxruntime-web wasm in Node, ${env.wasmThreads ?? '?'} threads`);
    const fwdRows: string[][] = [];
    for (const b of builds) {
      fwdRows.push([`Glassbox engine: onnxruntime (OrtForward), ${name(b)}`, ...models.map((m) => cell(fwd(m, b), 'ours'))]);
      fwdRows.push([`plain ${name(b)} (InferenceSession.run)`, ...models.map((m) => cell(fwd(m, b), 'plain'))]);
      fwdRows.push([
        `**ours / plain, ${b === 'node' ? 'onnxruntime-node' : 'onnxruntime-web'}**`,
        ...models.map((m) => `**${r2(ratio(fwd(m, b)?.oursRowsPerS, fwd(m, b)?.plainRowsPerS))}**`),
      ]);
    }
    table +=
      '\n\n' +
      markdownTable(
        [`Forward only, batch of ${config.steps} copies of the sample, rows per second (warm)`, ...models.map((m) => LABEL[m] ?? m)],
        fwdRows,
      );
  }

  const json: Json = {};
  const key = (m: string) => (m.startsWith('vit') ? `vit_ig${config.steps}` : `lig${config.steps}`);
  const engineKey: Record<string, string> = { 'ort-node': 'ort_node', 'ort-web-node': 'ort_web_wasm_node', 'glassbox-cpu': 'glassbox_cpu' };
  for (const m of models) {
    const k = key(m);
    json[`torch_${k}_s`] = torch(m) ? round(torch(m)!.ms / 1000) : null;
    for (const e of NODE_ENGINES) {
      const r = ig(m, e.id);
      json[`${engineKey[e.id]}_${k}_s`] = r ? round(full(r)! / 1000) : null;
      json[`${engineKey[e.id]}_${k}_vs_torch`] = round(vsTorch(m, r));
      if (r?.sessionCreateMs !== undefined) json[`${engineKey[e.id]}_${k}_session_create_s`] = round(r.sessionCreateMs / 1000);
      if (r?.peakRssMib !== undefined) json[`${engineKey[e.id]}_${k}_peak_rss_mib`] = Math.round(r.peakRssMib);
    }
    const c = cli(m);
    if (c)
      Object.assign(json, {
        [`cli_${k}_warm_s`]: round(c.warmMs / 1000),
        [`cli_${k}_vs_torch`]: round(ratio(c.warmMs, torch(m)?.ms)),
        [`cli_${k}_first_s`]: round(c.firstMs / 1000),
      });
    for (const b of builds) {
      const f = fwd(m, b);
      const p = `${m.startsWith('vit') ? 'vit_' : ''}${b === 'node' ? 'ort_node' : 'ort_web_wasm_node'}_forward${config.steps}`;
      json[`${p}_rows_per_s`] = f ? round(f.oursRowsPerS) : null;
      json[`${p}_vs_plain_ort`] = round(ratio(f?.oursRowsPerS, f?.plainRowsPerS));
    }
  }

  const notes: string[] = [];
  for (const m of models) {
    const t = torch(m);
    const diffs = NODE_ENGINES.map((e) => [e.id, ig(m, e.id)?.relDiffVsTorch] as const).filter(([, d]) => d !== undefined);
    if (diffs.length > 0)
      notes.push(
        `${LABEL[m] ?? m}: largest difference from PyTorch's attribution, relative to its largest value: ${diffs.map(([id, d]) => `${id} ${d!.toExponential(1)}`).join(', ')}.`,
      );
    const c = cli(m);
    if (c) {
      notes.push(
        `${LABEL[m] ?? m}: the CLI (bench/cli.ts) explained the sample's text (${c.tokens} tokens, the same ids as PyTorch's) ${c.repeats} times in one process, ` +
          `${CLI_FLAGS.join(' ')}; warm gaps ${c.warmAllMs.map((v: number) => s(v)).join(', ')}` +
          (c.relDiffVsTorch !== undefined
            ? `; its attribution is within ${c.relDiffVsTorch.toExponential(1)} of PyTorch's largest value`
            : '') +
          '.',
      );
    }
    if (t)
      notes.push(
        `${LABEL[m] ?? m}: PyTorch's ${t.method} is the best of ${t.repeats} after a warm-up (forward of ${config.steps} rows: ${s(t.forwardMs)}; peak memory ${t.peak_rss_mib} MiB); its logits for the sample ${JSON.stringify(t.logits_check)}${t.want ? `, Glassbox's ${JSON.stringify(t.want.map((v: number) => Number(v.toFixed(5))))}` : ''}.`,
      );
    for (const e of NODE_ENGINES) {
      const r = ig(m, e.id);
      if (r?.fallbackOp) notes.push(`${LABEL[m] ?? m}: ${e.id} fell back to Glassbox's runtime (op ${r.fallbackOp} has no ONNX form).`);
    }
  }
  notes.push(
    `CPU, Node: PyTorch and onnxruntime-web's wasm with ${config.threads} thread(s), onnxruntime-node with its own default intra-op threads, Glassbox's cpu backend single-threaded JavaScript ` +
      `(on vit in passes of ${config.glassboxVitPointsPerPass} points, its time per point being the same at any batch, so that its budget can stop it after two passes); ` +
      `the gradient passes use the in-graph score (one onnxruntime run per pass), no convergence-delta forward.`,
  );
  const memory = results.find((r) => r.kind === 'node-memory');
  if (memory) {
    json.node_peak_rss_mib = Math.round(memory.peakRssMib);
    notes.push(
      `Peak resident memory of the Node part (every engine above, one after another, in this one process): ${Math.round(memory.peakRssMib)} MiB.`,
    );
  }
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
    out = readme.slice(0, start) + section + (next >= 0 ? `\n${rest.slice(next)}` : '');
  } else {
    const layout = readme.search(/^## Layout\s*$/m);
    out = layout >= 0 ? `${readme.slice(0, layout) + section}\n${readme.slice(layout)}` : `${readme.trimEnd()}\n\n${section}`;
  }
  writeFileSync(path, out);
}

// ---------------------------------------------------------------------------------------------

function scaledBudgets(): BenchConfig['budgets'] {
  const scale = process.env.BENCH_FULL ? 1e9 : Number(process.env.BENCH_BUDGET_SCALE ?? 1);
  if (!(scale > 0)) fail(`BENCH_BUDGET_SCALE must be a positive number, got ${process.env.BENCH_BUDGET_SCALE}`);
  return Object.fromEntries(
    Object.entries(BUDGETS).map(([k, b]) => [k, { full: b.full * scale, sample: b.sample * scale }]),
  ) as BenchConfig['budgets'];
}

async function main(): Promise<void> {
  const models = (process.env.BENCH_MODELS ?? MODELS.join(',')).split(',').filter(Boolean);
  const unknown = models.filter((m) => !BENCH_MODELS[m]);
  if (unknown.length > 0) fail(`BENCH_MODELS names ${unknown.join(', ')}; the models are ${MODELS.join(', ')}`);
  const modelDir = await ensureBenchModels(Object.fromEntries(models.map((m) => [m, BENCH_MODELS[m]!])), undefined, (line) =>
    console.error(`bench: ${line}`),
  );
  if (process.env.BENCH_MODELS_ONLY) return void console.error(`bench: models ready in ${modelDir}`);
  const skip = (process.env.BENCH_SKIP ?? '').split(',').filter(Boolean);
  const browserPart = !skip.includes('browser');
  if (browserPart && !existsSync(CHROMIUM))
    fail(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH; BENCH_SKIP=browser leaves the page out)`);
  if (browserPart && !existsSync(ORT_DIST)) fail(`onnxruntime-web is not installed (${ORT_DIST}); run pnpm install`);

  const config: BenchConfig = {
    models,
    steps: 50,
    ortBatch: 50,
    budgets: scaledBudgets(),
    skip,
    ortPointsPerPass: ORT_POINTS_PER_PASS,
    matmul: { n: 1024, trials: 4, perTrial: 3 },
    kernelShap: { samples: Number(process.env.BENCH_KERNEL_SHAP_SAMPLES ?? 64), batch: Number(process.env.BENCH_KERNEL_SHAP_BATCH ?? 32) },
    profile: ['distilbert-base-geometry'],
  };
  const scale = process.env.BENCH_FULL ? 1e9 : Number(process.env.BENCH_BUDGET_SCALE ?? 1);
  const threads = Number(process.env.BENCH_THREADS ?? os.cpus().length);
  const vitPointsPerPass = Number(process.env.BENCH_VIT_POINTS_PER_PASS ?? 10);
  if (!(threads >= 1) || !Number.isInteger(threads)) fail(`BENCH_THREADS must be a positive integer, got ${process.env.BENCH_THREADS}`);
  if (!(vitPointsPerPass >= 1) || !Number.isInteger(vitPointsPerPass))
    fail(`BENCH_VIT_POINTS_PER_PASS must be a positive integer, got ${process.env.BENCH_VIT_POINTS_PER_PASS}`);
  const nodeConfig: NodeBenchConfig = {
    models,
    steps: config.steps,
    vitPointsPerPass,
    glassboxBudget: { full: NODE_GLASSBOX_BUDGET.full * scale, sample: NODE_GLASSBOX_BUDGET.sample * scale },
    glassboxVitPointsPerPass: 2,
    skip,
    python: process.env.BENCH_PYTHON ?? '/usr/bin/python3',
    threads,
    torchRepeats: { 'distilbert-base-geometry': 3, 'vit-base-geometry': 1 },
    cliRepeats: 4,
  };

  const started = Date.now();
  // Load averages through the run: about 2 here is the benchmark itself; more means company.
  const loads: number[] = [os.loadavg()[0]!];
  const sampler = setInterval(() => loads.push(os.loadavg()[0]!), 30_000).unref();
  // The Node part first: PyTorch and the engines in this process, with no page beside them.
  const nodeResults = skip.includes('node') ? [] : await runNodeBench(modelDir, nodeConfig, (line) => console.error(`bench: ${line}`));
  // Many lengths against one (bench/dataset.ts), on the repository's tiny fixture: session and plan costs show most there.
  const dataset = skip.includes('dataset') ? undefined : await datasetBench(DATASET_MODEL, Number(process.env.BENCH_DATASET_TEXTS ?? 200));
  const results = browserPart ? await runPage(config, modelDir) : [];
  clearInterval(sampler);

  const env = results.find((r) => r.kind === 'env') ?? {};
  const page = browserPart ? summarize(results, config) : { table: '', json: {}, notes: [] };
  const cpu = summarizeNode(nodeResults, nodeConfig);
  const engines = summarizeChromiumEngines(results, nodeResults, config.steps, models, (m) => LABEL[m] ?? m);
  const targets = checkTargets(nodeResults, results, dataset?.ratio, config.steps);
  const table = [cpu.table, engines.table, targetsTable(targets), page.table].filter(Boolean).join('\n\n');
  const json: Record<string, unknown> = { ...page.json, ...cpu.json, ...engines.json, targets_met: targetsJson(targets) };
  const notes = [...cpu.notes, ...engines.notes, ...page.notes];
  if (dataset) {
    Object.assign(json, {
      dataset_varied_s: +dataset.varied.seconds.toFixed(2),
      dataset_fixed_s: +dataset.fixed.seconds.toFixed(2),
      dataset_ratio: +dataset.ratio.toFixed(3),
    });
    notes.push(
      `Data set (bench/dataset.ts, ${dataset.model.split('/').pop()}): ${dataset.count} texts of ${dataset.varied.minTokens}–${dataset.varied.maxTokens} tokens, LIG-${dataset.steps} on the logit, ` +
        `${dataset.varied.seconds.toFixed(2)} s (${dataset.varied.sessions} gradient sessions) vs ${dataset.count} texts of ${dataset.fixed.tokens} tokens ${dataset.fixed.seconds.toFixed(2)} s (${dataset.fixed.sessions}): ${dataset.ratio.toFixed(2)}×.`,
    );
  }
  notes.push(
    `1-minute load average: ${loads[0]!.toFixed(1)} at the start, mean ${(loads.reduce((a, v) => a + v, 0) / loads.length).toFixed(1)} and max ${Math.max(...loads).toFixed(1)} ` +
      `during the run (${os.cpus().length} cores; the benchmark alone keeps it near ${os.cpus().length}).`,
  );
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}`;
  const a = env.adapter ?? {};
  const adapter = a.available
    ? `${[a.vendor, a.architecture, a.description].filter(Boolean).join(' / ')}${a.isFallbackAdapter ? ' (fallback adapter)' : ''}`
    : 'none';
  const browserName = /Chrom(e|ium)\/[\d.]+/.exec(env.userAgent ?? '')?.[0] ?? 'Chromium';
  const nodeEnv = nodeResults.find((r) => r.kind === 'node-env');
  const torchVersion = nodeResults.find((r) => r.kind === 'torch')?.torch;
  const runtimes = [
    browserPart && `browser: ${browserName} (headless); WebGPU adapter: ${adapter}; onnxruntime-web ${env.ortVersion ?? '?'}`,
    nodeEnv &&
      `Node ${nodeEnv.node}: onnxruntime-node ${nodeEnv.ortNode ?? '–'}, onnxruntime-web ${nodeEnv.ortWeb ?? '?'}${torchVersion ? `; PyTorch ${torchVersion}` : ''}`,
  ].filter(Boolean);
  const date = new Date().toISOString().slice(0, 10);
  const minutes = ((Date.now() - started) / 60_000).toFixed(0);

  console.log(`\nGlassbox benchmark, ${date}`);
  console.log(`machine: ${machine}`);
  for (const line of runtimes) console.log(line);
  console.log('');
  console.log(table);
  console.log('');
  for (const note of notes) console.log(`- ${note}`);
  console.log('');
  console.log(JSON.stringify(json));
  const missed = targets.filter((t) => t.met === false);
  if (missed.length > 0) {
    console.error(`bench: ${missed.length} target${missed.length === 1 ? '' : 's'} missed: ${missed.map((t) => t.id).join(', ')}`);
    if (process.env.BENCH_STRICT) process.exitCode = 1;
  }

  if (process.env.BENCH_NO_README) return;
  const section = [
    '## Performance',
    '',
    `\`pnpm bench\` (bench/) measures, on one machine in one run, Glassbox's layer integrated gradients with ${config.steps} Gauss–Legendre points,`,
    `on models with the compute shape of distilbert-base and vit-base and seeded random weights, which \`pnpm bench\` builds on first use`,
    `(bench/models/, cached in bench/.models/). DistilBERT: LIG on the word embeddings of its 28-token sample;`,
    `ViT: IG on \`pixel_values\` of one seeded random 224×224 image; zero baselines, target logit ${1}.`,
    '',
    `On the CPU in Node (bench/node.ts), every gradient engine the load option \`engine\` offers, against an independent anchor:`,
    `the same ONNX graph evaluated with PyTorch eager ops and differentiated with torch.autograd (bench/torch_onnx_lig.py),`,
    `all ${config.steps} points in one batch on DistilBERT and in passes of ${vitPointsPerPass} on ViT (every engine alike).`,
    `onnxruntime rows are warm (a first, untimed attribution creates the sessions; its time is shown apart); Glassbox's cpu backend runs once.`,
    `A forward-only row compares our onnxruntime engine's batched forward with plain onnxruntime's on the same batch.`,
    `The CLI row (bench/cli.ts) explains the DistilBERT sample as text (the bench model has a tokenizer that gives back its ids)`,
    `with \`glassbox explain --device cpu\` and the default engine, several times in one process: warm is the time between two results.`,
    `Each engine's peak resident memory is measured apart (Linux's VmHWM, reset before each).`,
    '',
    ...(browserPart
      ? [
          `In one headless, cross-origin isolated Chromium page (bench/main.ts), the same attributions on Glassbox's onnxruntime engine`,
          `(onnxruntime-web's wasm with threads, and its webgpu provider) and on Glassbox's own backends, against the same PyTorch time.`,
          `The targets table checks issue 14's targets on this run (\`BENCH_STRICT=1\` fails the run on a missed one).`,
          '',
          `In the same page: Glassbox's LIG-${config.steps} against onnxruntime-web running a plain forward pass of a batch of ${config.ortBatch}`,
          `on the same model (what a batched LIG-${config.steps} has to beat), the library's own internal batch size.`,
          `Cold is the first run on a fresh device (weight upload, shader compilation, plan building); warm is the second.`,
          `onnxruntime-web runs one warm-up forward of 1 row, then one timed forward of the batch.`,
          '',
        ]
      : []),
    `A measurement that would run longer than its budget (\`BUDGETS\` in bench/run.ts; \`BENCH_FULL=1\` lifts them) stops after its first`,
    `pass(es) and is extrapolated linearly; the table says which.`,
    `\`BENCH_MODELS_ONLY=1 pnpm bench\` only builds the models; \`BENCH_SKIP=glassbox-cpu\` leaves out Glassbox's slow cpu backend in Node, \`BENCH_SKIP=browser\` the page.`,
    '',
    `Measured ${date} on ${machine}; ${runtimes.join('; ')}; the whole run took ${minutes} min.`,
    '',
    table,
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    '```json',
    JSON.stringify(json),
    '```',
    '',
    ...(browserPart
      ? [
          a.isFallbackAdapter
            ? "The adapter here is a software one (no GPU): the page's numbers compare the two runtimes on the same adapter, not what a GPU gives."
            : 'Both runtimes ran on the same adapter.',
          '',
        ]
      : []),
  ].join('\n');
  writeReadme(section);
  console.error('bench: README.md "## Performance" updated');
}

/** The page's part: builds bench/ with vite, serves it with the models, runs it in headless Chromium, collects its results. */
async function runPage(config: BenchConfig, modelDir: string): Promise<Json[]> {
  const outDir = mkdtempSync(join(os.tmpdir(), 'glassbox-bench-'));
  console.error('bench: building the page with vite…');
  await build({
    configFile: false,
    root: BENCH,
    base: './',
    publicDir: false,
    logLevel: 'error',
    // transformers.js (imported by @glassbox/core) imports onnxruntime-common, which it does not
    // declare: resolve it to onnxruntime-web's own copy rather than rely on pnpm's hidden hoisting.
    resolve: {
      alias: {
        'onnxruntime-common': join(realpathSync(join(ROOT, 'node_modules/onnxruntime-web')), '../onnxruntime-common/dist/esm/index.js'),
      },
    },
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1 << 30, reportCompressedSize: false },
    // @glassbox/core's module worker (loadInWorker) imports split chunks: ES output, as in vite.config.ts.
    worker: { format: 'es' },
  });
  const site = await serve(outDir, modelDir);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // ForceEagerMeasureMemory: measureUserAgentSpecificMemory answers at once, not at the next GC.
    args: [
      '--enable-unsafe-webgpu',
      '--enable-blink-features=ForceEagerMeasureMemory',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
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
    const timeoutS = Number(process.env.BENCH_TIMEOUT_S ?? 10800);
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
  return results;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
