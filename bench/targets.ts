/**
 * The targets issue 14 sets, checked against one `pnpm bench` run: each is met, missed, or
 * not measured in this run (a part left out, or no GPU). `BENCH_STRICT=1` makes a missed
 * target fail the run.
 */
import { markdownTable, ratio } from './format.ts';

type Json = Record<string, any>;

export interface Target {
  /** The key of the JSON line's `targets_met`. */
  id: string;
  name: string;
  /** What was measured, in words; undefined when the run did not measure it. */
  measured?: string;
  met?: boolean;
}

const x = (v: number) => `${v.toFixed(2)}×`;

/** Every target, from the Node part's results, the page's, and the data-set part's ratio. */
export function checkTargets(node: Json[], page: Json[], datasetRatio: number | undefined, steps: number): Target[] {
  const d = 'distilbert-base-geometry';
  const torch = (m: string) => node.find((r) => r.kind === 'torch' && r.model === m)?.ms as number | undefined;
  const targets: Target[] = [];
  const against = (id: string, name: string, ms: number | undefined, torchMs: number | undefined, limit: number) => {
    const v = ratio(ms, torchMs);
    targets.push(v === undefined ? { id, name } : { id, name, measured: `${x(v)} PyTorch`, met: v <= limit });
  };
  for (const m of [d, 'vit-base-geometry']) {
    const method = m === d ? `LIG-${steps} on distilbert-base` : `IG-${steps} on vit-base`;
    const k = m === d ? `lig${steps}` : `vit_ig${steps}`;
    const ortNode = node.find((r) => r.kind === 'node-ig' && r.model === m && r.engine === 'ort-node');
    against(`node_${k}`, `Node on cpu (onnxruntime-node), ${method}, warm: at or below PyTorch's time`, ortNode?.ms, torch(m), 1);
    const wasm = page.find((r) => r.kind === 'ort-lig' && r.model === m && r.ep === 'wasm');
    against(
      `chromium_wasm_${k}`,
      `Chromium, onnxruntime-web wasm with threads, ${method}, warm: at most 2× PyTorch`,
      wasm?.warm?.msAtFullSteps,
      torch(m),
      2,
    );
  }
  const cli = node.find((r) => r.kind === 'cli' && r.model === d);
  against(
    `cli_lig${steps}`,
    `the CLI (--device cpu, default engine), LIG-${steps} on distilbert-base, warm: at or below PyTorch's time`,
    cli?.warmMs,
    torch(d),
    1,
  );
  for (const build of ['node', 'web']) {
    for (const r of node.filter((f) => f.kind === 'node-forward' && f.build === build)) {
      const v = r.oursRowsPerS / r.plainRowsPerS;
      targets.push({
        id: `forward_${build}_${r.model.startsWith('vit') ? 'vit' : 'distilbert'}`,
        name: `forward rows per second, onnxruntime-${build} (${r.model}): at least 0.9× plain onnxruntime's`,
        measured: x(v),
        met: v >= 0.9,
      });
    }
  }
  const dataset = { id: 'dataset', name: 'data set of 5–60 tokens: at most 1.3× one fixed length' };
  targets.push(datasetRatio === undefined ? dataset : { ...dataset, measured: x(datasetRatio), met: datasetRatio <= 1.3 });
  // LIG-50 on distilbert-base within 150 ms, warm, on an H100-class GPU: only a hardware adapter can tell.
  const adapter = page.find((r) => r.kind === 'env')?.adapter;
  const gpu = `a GPU: LIG-${steps} on distilbert-base, warm, within 150 ms (H100-class)`;
  if (!adapter?.available || adapter.isFallbackAdapter)
    targets.push({ id: 'gpu', name: gpu, measured: adapter?.available ? 'not measured: software adapter' : 'not measured: no adapter' });
  else {
    const runs = [
      page.find((r) => r.kind === 'ort-lig' && r.model === d && r.ep === 'webgpu')?.warm,
      page.find((r) => r.kind === 'lig' && r.model === d && r.backend === 'webgpu')?.warm,
    ].filter(Boolean);
    const best = Math.min(...runs.map((r: Json) => r.msAtFullSteps));
    targets.push(
      runs.length === 0
        ? { id: 'gpu', name: gpu }
        : { id: 'gpu', name: `${gpu} (${adapter.description || adapter.vendor})`, measured: `${best.toFixed(0)} ms`, met: best <= 150 },
    );
  }
  return targets;
}

export function targetsTable(targets: Target[]): string {
  const verdict = (t: Target) => (t.met === undefined ? 'not measured' : t.met ? 'met' : '**missed**');
  return markdownTable(
    ['target', 'measured', ''],
    targets.map((t) => [t.name, t.measured ?? '–', verdict(t)]),
  );
}

/** The JSON line's view: met (true), missed (false), not measured (null), by id. */
export const targetsJson = (targets: Target[]) => Object.fromEntries(targets.map((t) => [t.id, t.met ?? null]));
