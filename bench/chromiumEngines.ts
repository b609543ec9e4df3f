/**
 * The page's gradient engines side by side (bench/main.ts): LIG-50 / IG-50 on Glassbox's
 * onnxruntime engine (onnxruntime-web's wasm with threads, and its webgpu provider) and on
 * Glassbox's own backends (WGSL on webgpu, JavaScript on cpu), each against the PyTorch
 * anchor the Node part ran in the same `pnpm bench`.
 */
import { type Summary, markdownTable, r2, ratio, round, s } from './format.ts';

type Json = Record<string, any>;

/** A LigRun (bench/main.ts) as a table cell: its time at every point, and its ratio to PyTorch's. */
function cell(run: Json | undefined, torchMs: number | undefined, bold = false): string {
  if (!run) return '–';
  const time = run.extrapolated ? `≈ ${s(run.msAtFullSteps)}` : s(run.ms);
  const shown = bold ? `**${time}**` : time;
  const how = run.extrapolated ? `; extrapolated: ${run.steps} of the points took ${s(run.ms)}` : '';
  const perPass = run.passes?.[0]?.rows;
  return `${shown} (${r2(ratio(run.msAtFullSteps, torchMs))}${perPass ? `; passes of ${perPass}` : ''}${how})`;
}

export function summarizeChromiumEngines(
  page: Json[],
  node: Json[],
  steps: number,
  models: string[],
  label: (m: string) => string,
): Summary {
  const torchMs = (m: string) => node.find((r) => r.kind === 'torch' && r.model === m)?.ms as number | undefined;
  const ortLig = (m: string, ep: string) => page.find((r) => r.kind === 'ort-lig' && r.model === m && r.ep === ep);
  const ours = (m: string, backend: string) => page.find((r) => r.kind === 'lig' && r.model === m && r.backend === backend);
  const shown = models.filter((m) => page.some((r) => (r.kind === 'ort-lig' || r.kind === 'lig') && r.model === m));
  if (shown.length === 0) return { table: '', json: {}, notes: [] };
  const method = (m: string) => (m.startsWith('vit') ? `IG-${steps}` : `LIG-${steps}`);
  const threads = page.find((r) => r.kind === 'ort-lig' && r.ep === 'wasm')?.wasmThreads ?? '?';
  const rows: string[][] = [];
  const add = (name: string, runOf: (m: string) => Json | undefined, bold = false) => {
    if (shown.some((m) => runOf(m))) rows.push([bold ? `**${name}**` : name, ...shown.map((m) => cell(runOf(m), torchMs(m), bold))]);
  };
  add(`Glassbox, engine onnxruntime (onnxruntime-web wasm, ${threads} threads), warm`, (m) => ortLig(m, 'wasm')?.warm, true);
  add(`  its first run (compiles the gradient model, creates its session)`, (m) => ortLig(m, 'wasm')?.cold);
  add(`Glassbox, engine onnxruntime (onnxruntime-web webgpu provider), warm`, (m) => ortLig(m, 'webgpu')?.warm, true);
  add(`  its first run`, (m) => ortLig(m, 'webgpu')?.cold);
  add(`Glassbox, engine glassbox (our WGSL kernels), webgpu, warm`, (m) => ours(m, 'webgpu')?.warm, true);
  add(`Glassbox, engine glassbox (cpu backend, single-threaded JavaScript), once`, (m) => ours(m, 'cpu')?.cold);
  const mib = (bytes: number | undefined) => (bytes === undefined || bytes === null ? '–' : `${Math.round(bytes / 2 ** 20)} MiB`);
  if (shown.some((m) => ortLig(m, 'wasm')?.pageBytes))
    rows.push([
      `page memory after the wasm runs (JS heaps + wasm memories, which never shrink)`,
      ...shown.map((m) => mib(ortLig(m, 'wasm')?.pageBytes)),
    ]);
  const table = markdownTable(
    [`In Chromium: ${[...new Set(shown.map(method))].join(' / ')}, time (× PyTorch)`, ...shown.map((m) => `${label(m)}, ${method(m)}`)],
    rows,
  );

  const json: Json = {};
  for (const m of shown) {
    const k = m.startsWith('vit') ? `vit_ig${steps}` : `lig${steps}`;
    for (const [key, run] of [
      [`chromium_ort_wasm_${k}`, ortLig(m, 'wasm')?.warm],
      [`chromium_ort_webgpu_${k}`, ortLig(m, 'webgpu')?.warm],
      [`chromium_glassbox_webgpu_${k}`, ours(m, 'webgpu')?.warm],
    ] as const) {
      json[`${key}_s`] = run ? round(run.msAtFullSteps / 1000) : null;
      json[`${key}_vs_torch`] = round(ratio(run?.msAtFullSteps, torchMs(m)));
    }
    const bytes = ortLig(m, 'wasm')?.pageBytes;
    if (bytes) json[`chromium_ort_wasm_${k}_page_mib`] = Math.round(bytes / 2 ** 20);
  }
  const notes: string[] = [];
  for (const r of page.filter((x) => x.kind === 'ort-lig')) {
    if (r.fallbackOp)
      notes.push(
        `${label(r.model)}: the onnxruntime engine on ${r.ep} fell back to Glassbox's runtime (op ${r.fallbackOp} has no ONNX form).`,
      );
  }
  const env = page.find((r) => r.kind === 'env');
  if (env && shown.some((m) => ortLig(m, 'wasm'))) {
    notes.push(
      `In Chromium the page is cross-origin isolated (crossOriginIsolated ${env.crossOriginIsolated}), so onnxruntime-web's wasm runs ${threads} threads; the onnxruntime engine's gradient passes use the in-graph score, as the explainers do, and each LIG run includes its convergence-delta forward of 2 rows.`,
    );
  }
  return { table, json, notes };
}
