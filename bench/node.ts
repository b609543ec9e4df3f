/**
 * The Node half of `pnpm bench`: attribution on the CPU, in this process, against an
 * independent PyTorch anchor on the same machine in the same run.
 *
 * - PyTorch (bench/torch_onnx_lig.py, a child process): the same ONNX graph evaluated with
 *   PyTorch eager ops and differentiated with torch.autograd, every core.
 * - Glassbox's gradient engines as the load option `engine` picks them (loadOnnxModel, what
 *   TextModel.load and the explainers' fromPretrained call; the bench models have no
 *   tokenizer or image processor, so the benchmark calls it directly): 'onnxruntime' on
 *   onnxruntime-node (native, every core) and on onnxruntime-web (wasm, threads in Node), and
 *   'glassbox' (our cpu backend, single-threaded JavaScript).
 *
 * What is measured, for every engine the same: distilbert-base geometry, LIG-50 on the
 * word-embedding lookup of its 28-token sample (50 Gauss–Legendre points in one batch);
 * vit-base geometry, IG-50 on pixel_values of its seeded random image (the same 50 points,
 * in passes of `vitPointsPerPass`: one batch of 50 would hold every activation of 50 images
 * for the backward pass, beyond this machine's memory under PyTorch's eager tape). Zero
 * baselines, target logit 1, no convergence-delta forward. The gradient pass uses the
 * in-graph score spec, as the explainers do (OrtGradients then needs one run per pass).
 *
 * Warm: a first, untimed attribution creates the onnxruntime sessions (its time and the time
 * spent in InferenceSession.create are reported apart), then one timed attribution. Glassbox's
 * cpu backend is timed once (its first run also builds its plan) and, when that would
 * exceed its budget, stopped after its first pass(es) and extrapolated linearly. Each engine's
 * peak resident memory is measured over its load and attribution runs (Linux's VmHWM, reset
 * before each engine), with what the process held when it started.
 *
 * The CLI (bench/cli.ts): the distilbert sample as text through `glassbox explain`, warm.
 *
 * Forward only: our onnxruntime engine's batched forward (OrtForward, as the explainers' forward
 * passes run) against plain onnxruntime's own (InferenceSession.create on the model's bytes,
 * session.run) on the same batch of 50 copies of the sample, both warm, rows per second.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-web';
import { type HostTensor, tensor } from '@glassbox/core';
import { type DifferentiableFunction, integratedGradients } from '@glassbox/core/methods';
import { findWordEmbedding } from '@glassbox/core/runtime';
import type { ScoreSpec } from '../packages/core/src/compile/gradientModel.ts';
import type { OnnxModel } from '../packages/core/src/model/onnxModel.ts';
import { OrtGradients } from '../packages/core/src/model/ortGradients.ts';
import { type OrtRuntime, loadOrt } from '../packages/core/src/model/ortRuntime.ts';
import { type ForwardEngine, type GradientEngine, loadOnnxModel } from '../packages/core/src/model/pretrained.ts';
import { cliBench } from './cli.ts';
import { type Sample, TARGET, normals, relDiff, targetLogit } from './sample.ts';

type Json = Record<string, any>;

export interface NodeBenchConfig {
  models: string[];
  /** Integration points (the contract: 50). */
  steps: number;
  /** Points per gradient pass on the vit model, every engine and PyTorch alike. */
  vitPointsPerPass: number;
  /** Seconds Glassbox's cpu backend may take per attribution before it is extrapolated (see Budget in main.ts). */
  glassboxBudget: { full: number; sample: number };
  /**
   * Points per pass for Glassbox's cpu backend on vit: fewer than the others' (its time per point
   * does not depend on the batch: single-threaded JavaScript), so that its budget can stop it
   * after two passes (a pass of 10 takes ~16 minutes and 12 GB here).
   */
  glassboxVitPointsPerPass: number;
  /** Parts to leave out: 'node' (all of this), 'torch', 'cli', 'ort-node', 'ort-web-node', 'glassbox-cpu', 'node-forward'. */
  skip: string[];
  /** The Python that runs the anchor (needs numpy, onnx, torch). */
  python: string;
  /** Threads for PyTorch and onnxruntime-web's wasm (onnxruntime-node picks its own: one per physical core). */
  threads: number;
  /** Timed repeats of the PyTorch anchor per model (best of), after its warm-up. */
  torchRepeats: Record<string, number>;
  /** Explanations of the distilbert sample in the CLI's one process (the first is cold; the best gap between later ones is warm). */
  cliRepeats: number;
}

/** The engines, as the load option names them. */
export const NODE_ENGINES = [
  { id: 'ort-node', label: 'onnxruntime-node (engine: onnxruntime)', engine: 'onnxruntime', onnxruntime: 'node' },
  {
    id: 'ort-web-node',
    label: 'onnxruntime-web wasm in Node (engine: onnxruntime, onnxruntime: web)',
    engine: 'onnxruntime',
    onnxruntime: 'web',
  },
  { id: 'glassbox-cpu', label: 'Glassbox cpu backend (engine: glassbox)', engine: 'glassbox', onnxruntime: 'auto' },
] as const;

const now = () => performance.now();

const tile = (row: ArrayLike<number>, b: number) => {
  const out = new Float32Array(b * row.length);
  for (let k = 0; k < b; k++) out.set(row, k * row.length);
  return out;
};
const tileInts = (row: number[], b: number) => {
  const out = new Int32Array(b * row.length);
  for (let k = 0; k < b; k++) out.set(row, k * row.length);
  return out;
};

const SPEC: ScoreSpec = { offset: 0, entry: TARGET, space: 'logits', sign: 1 };

interface Problem {
  method: string;
  describe: string;
  input: HostTensor;
  baseline: HostTensor;
  fn: DifferentiableFunction;
  /** The model's feeds for `b` copies of the sample (the forward-only comparison). */
  feeds: (b: number) => Record<string, HostTensor>;
  /** The attribution as PyTorch's script writes it: per token (summed over the hidden axis) for text, as is for images. */
  reduce: (values: Float64Array) => Float64Array;
}

/** What is attributed on one bench model, through one gradient engine. */
function problem(onnx: OnnxModel, gradients: GradientEngine, sample: Sample, steps: number): Problem {
  const output = onnx.graph.outputs[0]!.name;
  const withScores =
    (_x: HostTensor, feeds: Record<string, HostTensor>, overrides: Record<string, HostTensor>, wrt: string) => async () => {
      let scores: Float64Array = new Float64Array(0);
      const { grads } = await gradients.runWithGradient({
        feeds,
        overrides,
        fetch: [],
        output,
        wrt: [wrt],
        scores: [SPEC],
        seed: (value) => {
          const s = targetLogit(value);
          scores = s.scores;
          return s.seed;
        },
      });
      return { scores, grads: grads[wrt]! };
    };
  const noScores = async (): Promise<Float64Array> => {
    throw new Error('the benchmark computes no convergence delta');
  };
  if (sample.input_ids) {
    const ids = sample.input_ids[0]!;
    const mask = sample.attention_mask?.[0] ?? ids.map(() => 1);
    const lookup = findWordEmbedding(onnx.graph);
    if (!lookup) throw new Error('no word-embedding lookup');
    const table = onnx.graph.initializers.get(lookup.table)!;
    const hidden = table.shape[1]!;
    const emb = new Float32Array(ids.length * hidden);
    ids.forEach((id, i) => emb.set(table.data.subarray(id * hidden, (id + 1) * hidden) as Float32Array, i * hidden));
    const feeds = (b: number) => ({
      input_ids: tensor('int64', [b, ids.length], tileInts(ids, b)),
      attention_mask: tensor('int64', [b, ids.length], tileInts(mask, b)),
    });
    return {
      method: `LIG-${steps}`,
      describe: `LIG on "${lookup.tensor}" [${ids.length}, ${hidden}]`,
      input: tensor('float32', [ids.length, hidden], emb),
      baseline: tensor('float32', [ids.length, hidden]),
      fn: { gradients: (x) => withScores(x, feeds(x.shape[0]!), { [lookup.tensor]: x }, lookup.tensor)(), scores: noScores },
      feeds,
      reduce: (v) =>
        Float64Array.from({ length: ids.length }, (_, t) => v.subarray(t * hidden, (t + 1) * hidden).reduce((a, b) => a + b, 0)),
    };
  }
  const input = onnx.graph.inputs[0]!;
  const shape = input.shape.slice(1) as number[];
  const n = shape.reduce((a, b) => a * b, 1);
  const image = normals(n, sample.pixel_values_seed ?? 11);
  return {
    method: `IG-${steps}`,
    describe: `IG on "${input.name}" [${shape.join(', ')}] (a seeded random image)`,
    input: tensor('float32', shape, image),
    baseline: tensor('float32', shape),
    fn: { gradients: (x) => withScores(x, { [input.name]: x }, {}, input.name)(), scores: noScores },
    feeds: (b) => ({ [input.name]: tensor('float32', [b, ...shape], tile(image, b)) }),
    reduce: (v) => v,
  };
}

interface IgRun {
  ms: number;
  /** Points integrated (all `steps`, unless the budget stopped it) and the passes they took. */
  points: number;
  passes: { rows: number; ms: number }[];
  msAtFullSteps: number;
  extrapolated: boolean;
  values?: Float64Array;
}

class OverBudget extends Error {}

/**
 * IG with `steps` Gauss–Legendre points in passes of `perPass`, timed. Over `budget` it stops
 * between passes, after two at least (the first also builds the plan), and extrapolates the
 * rest at the last pass's time per point.
 */
async function timeIg(p: Problem, steps: number, perPass: number, budget?: { full: number; sample: number }): Promise<IgRun> {
  const passes: { rows: number; ms: number }[] = [];
  let points = 0;
  const start = now();
  const rate = () => passes.at(-1)!.ms / passes.at(-1)!.rows;
  const fn: DifferentiableFunction = {
    gradients: async (x) => {
      if (budget && passes.length >= 2) {
        const elapsed = now() - start;
        if (elapsed + (steps - points) * rate() > budget.full * 1000 && elapsed >= budget.sample * 1000) throw new OverBudget();
      }
      const s = now();
      const r = await p.fn.gradients(x);
      passes.push({ rows: x.shape[0]!, ms: now() - s });
      points += x.shape[0]!;
      return r;
    },
    scores: p.fn.scores,
  };
  let values: Float64Array | undefined;
  try {
    values = (
      await integratedGradients(fn, p.input, p.baseline, {
        method: 'gausslegendre',
        steps,
        internalBatchSize: perPass,
        convergenceDelta: false,
      })
    ).values;
  } catch (e) {
    if (!(e instanceof OverBudget)) throw e;
  }
  const ms = now() - start;
  return { ms, points, passes, msAtFullSteps: points >= steps ? ms : ms + (steps - points) * rate(), extrapolated: points < steps, values };
}

/**
 * This process's peak resident memory (Linux's VmHWM), from when resetPeakRss last ran: each
 * engine's peak is measured apart, though all run in this one process. Undefined where /proc
 * does not offer it.
 */
function peakRssMib(): number | undefined {
  try {
    const kib = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

/** The process's peak over every reset (resetPeakRss keeps it): what one VmHWM would have read. */
let processPeakMib = 0;

/** Resets the peak to the resident memory of now (writing 5 to clear_refs); returns that, in MiB. */
function resetPeakRss(): number | undefined {
  processPeakMib = Math.max(processPeakMib, peakRssMib() ?? 0);
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    return undefined;
  }
  return peakRssMib();
}

/** Time spent in InferenceSession.create per onnxruntime build (wrapped once, read before and after). */
const createMs = new Map<object, number>();
function countCreate(rt: OrtRuntime): () => number {
  const cls = rt.ort.InferenceSession as unknown as { create: (...a: unknown[]) => Promise<unknown> };
  if (!createMs.has(cls)) {
    createMs.set(cls, 0);
    const create = cls.create.bind(cls);
    cls.create = async (...args: unknown[]) => {
      const s = now();
      try {
        return await create(...args);
      } finally {
        createMs.set(cls, createMs.get(cls)! + now() - s);
      }
    };
  }
  const before = createMs.get(cls)!;
  return () => createMs.get(cls)! - before;
}

/** PyTorch's LIG-50 / IG-50 and forward-50 (best of `repeats`), and its attribution. */
async function torchAnchor(
  folder: string,
  config: NodeBenchConfig,
  name: string,
  perPass: number,
  log: (line: string) => void,
): Promise<{ result: Json; attribution?: Float32Array }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'glassbox-torch-'));
  const out = join(dir, 'attribution.f32');
  const repeats = config.torchRepeats[name] ?? 1;
  const args = [
    'bench/torch_onnx_lig.py',
    join(folder, 'onnx/model.onnx'),
    join(folder, 'sample.json'),
    String(config.threads),
    String(repeats),
    out,
    '--points-per-pass',
    String(perPass),
  ];
  log(`  ${config.python} ${args.join(' ')}`);
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(config.python, args, { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    const line = stdout.trim().split('\n').at(-1) ?? '';
    if (code !== 0 || !line.startsWith('{')) throw new Error(`exit ${code}: ${(stderr.trim().split('\n').at(-1) ?? '') || line}`);
    const result = JSON.parse(line) as Json;
    const bytes = existsSync(out) ? readFileSync(out) : undefined;
    const attribution = bytes && new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return { result, attribution };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Our onnxruntime engine's warm forward of `b` rows against plain onnxruntime's, same runtime,
 * same feeds: one untimed run of each (sessions), then `reps` timed runs of each, alternating; best of each.
 */
async function forwardRows(
  name: string,
  build: 'node' | 'web',
  bytes: Uint8Array,
  forward: ForwardEngine,
  rt: OrtRuntime,
  feeds: Record<string, HostTensor>,
  output: string,
  reps: number,
): Promise<Json> {
  const b = Object.values(feeds)[0]!.shape[0]!;
  const { ort } = rt;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: [build === 'node' ? 'cpu' : 'wasm'] });
  try {
    const ortFeeds: Record<string, Ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) {
      ortFeeds[k] =
        v.dtype === 'int64'
          ? new ort.Tensor(
              'int64',
              BigInt64Array.from(v.data as Int32Array, (x) => BigInt(x)),
              v.shape,
            )
          : new ort.Tensor('float32', v.data as Float32Array, v.shape);
    }
    const ours = () => forward.run({ feeds, fetch: [output] });
    const plain = async () => {
      const out = await session.run(ortFeeds);
      for (const t of Object.values(out)) t.dispose?.();
    };
    await ours();
    await plain();
    let oursMs = Infinity;
    let plainMs = Infinity;
    for (let i = 0; i < reps; i++) {
      let s = now();
      await ours();
      oursMs = Math.min(oursMs, now() - s);
      s = now();
      await plain();
      plainMs = Math.min(plainMs, now() - s);
    }
    return {
      kind: 'node-forward',
      model: name,
      build,
      batch: b,
      reps,
      oursMs,
      plainMs,
      oursRowsPerS: (1000 * b) / oursMs,
      plainRowsPerS: (1000 * b) / plainMs,
    };
  } finally {
    await session.release();
  }
}

/** Every Node measurement, as result objects (`kind`: 'torch', 'node-ig', 'node-forward', 'error'). */
export async function runNodeBench(modelDir: string, config: NodeBenchConfig, log: (line: string) => void): Promise<Json[]> {
  const results: Json[] = [];
  const skipped = (part: string) => config.skip.includes(part);
  if (skipped('node')) return results;
  // onnxruntime-web in Node: threads as in a cross-origin-isolated page. (loadOrtWeb reads
  // navigator.hardwareConcurrency, which Node 20 lacks, and would give it one thread.)
  const web = await loadOrt('web');
  web.ort.env.wasm.numThreads = config.threads;
  const node = await loadOrt('node').catch(() => undefined);
  results.push({
    kind: 'node-env',
    node: process.version,
    threads: config.threads,
    cores: os.cpus().length,
    ortNode: (node?.ort.env as { versions?: Json } | undefined)?.versions?.node ?? null,
    ortWeb: (web.ort.env as { versions?: Json }).versions?.web ?? null,
    wasmThreads: web.ort.env.wasm.numThreads,
  });

  for (const name of config.models) {
    const folder = join(modelDir, name);
    const sample = JSON.parse(readFileSync(join(folder, 'sample.json'), 'utf8')) as Sample;
    const perPass = sample.input_ids ? config.steps : config.vitPointsPerPass;
    const glassboxPerPass = sample.input_ids ? config.steps : config.glassboxVitPointsPerPass;
    let anchor: Float32Array | undefined;
    if (!skipped('torch')) {
      log(`${name}: PyTorch anchor (eager ops on the ONNX graph, autograd), ${config.threads} threads, ${perPass} points per pass`);
      try {
        const { result, attribution } = await torchAnchor(folder, config, name, perPass, log);
        anchor = attribution;
        log(
          `  PyTorch: ${result.method} ${result.attribution50_s} s, forward-50 ${result.forward50_s} s (best of ${result.repeats}), peak RSS ${result.peak_rss_mib} MiB`,
        );
        results.push({
          kind: 'torch',
          model: name,
          ...result,
          ms: 1000 * result.attribution50_s,
          forwardMs: 1000 * result.forward50_s,
          pointsPerPass: perPass,
        });
      } catch (e) {
        log(`  PyTorch failed: ${(e as Error).message}`);
        results.push({ kind: 'error', what: `PyTorch anchor on ${name}`, message: (e as Error).message });
      }
    }

    if (!skipped('cli') && sample.text) {
      log(
        `${name}: the CLI (${config.cliRepeats} explanations of the sample's text in one process, LIG-${config.steps} on logit ${TARGET}, default engine)`,
      );
      try {
        const r = await cliBench(folder, sample, config.cliRepeats, anchor, log);
        log(
          `  CLI: first ${(r.firstMs / 1000).toFixed(2)} s from the process start, then ${(r.warmMs / 1000).toFixed(2)} s per explanation (warm)`,
        );
        results.push({ model: name, ...r });
      } catch (e) {
        log(`  CLI failed: ${(e as Error).message}`);
        results.push({ kind: 'error', what: `CLI on ${name}`, message: (e as Error).message });
      }
    }

    for (const e of NODE_ENGINES) {
      if (skipped(e.id)) continue;
      if (e.id === 'ort-node' && !node) {
        results.push({ kind: 'error', what: `${e.id} on ${name}`, message: 'onnxruntime-node is not installed' });
        continue;
      }
      let loaded: Awaited<ReturnType<typeof loadOnnxModel>> | undefined;
      const rssAtStart = resetPeakRss();
      try {
        const l0 = now();
        loaded = await loadOnnxModel(folder, { device: 'cpu', engine: e.engine, onnxruntime: e.onnxruntime });
        const loadMs = now() - l0;
        const { onnx, gradients, forward } = loaded;
        const p = problem(onnx, gradients, sample, config.steps);
        const points = e.id === 'glassbox-cpu' ? glassboxPerPass : perPass;
        log(`${name}, ${e.label}: ${p.method}, ${p.describe}, ${points} points per pass; loaded in ${(loadMs / 1000).toFixed(1)} s`);
        const r: Json = { kind: 'node-ig', model: name, engine: e.id, label: e.label, method: p.method, pointsPerPass: points, loadMs };
        if (gradients instanceof OrtGradients) {
          const rt = e.onnxruntime === 'node' ? node! : web;
          const created = countCreate(rt);
          const first = await timeIg(p, config.steps, perPass);
          r.firstMs = first.ms;
          r.sessionCreateMs = created();
          r.sessions = gradients.sessionsCreated;
          log(
            `  first run (creates ${r.sessions} session${r.sessions === 1 ? '' : 's'}): ${(first.ms / 1000).toFixed(1)} s, of which InferenceSession.create ${(r.sessionCreateMs / 1000).toFixed(1)} s`,
          );
          const warm = await timeIg(p, config.steps, perPass);
          Object.assign(r, { rssAtStartMib: rssAtStart, peakRssMib: peakRssMib() });
          r.ms = warm.ms;
          r.passes = warm.passes;
          r.sessionsAfterWarm = gradients.sessionsCreated;
          if (gradients.fallbackOp) r.fallbackOp = gradients.fallbackOp;
          if (anchor && warm.values) r.relDiffVsTorch = relDiff(p.reduce(warm.values), anchor);
          log(
            `  warm: ${(warm.ms / 1000).toFixed(2)} s${r.relDiffVsTorch !== undefined ? `; max |Δ| vs PyTorch ${r.relDiffVsTorch.toExponential(1)} of its largest value` : ''}`,
          );
          results.push(r);
          if (!skipped('node-forward')) {
            const f = await forwardRows(
              name,
              e.onnxruntime as 'node' | 'web',
              readFileSync(join(folder, 'onnx/model.onnx')),
              forward,
              rt,
              p.feeds(config.steps),
              onnx.graph.outputs[0]!.name,
              sample.input_ids ? 3 : 1,
            );
            log(
              `  forward of ${f.batch} rows: ours ${f.oursRowsPerS.toFixed(2)} rows/s, plain onnxruntime ${f.plainRowsPerS.toFixed(2)} rows/s`,
            );
            results.push(f);
          }
        } else {
          log(`  once (its first run also builds its plan; budget ${config.glassboxBudget.full} s, then extrapolated)`);
          const run = await timeIg(p, config.steps, glassboxPerPass, config.glassboxBudget);
          Object.assign(r, { rssAtStartMib: rssAtStart, peakRssMib: peakRssMib() });
          Object.assign(r, {
            ms: run.ms,
            msAtFullSteps: run.msAtFullSteps,
            extrapolated: run.extrapolated,
            points: run.points,
            passes: run.passes,
          });
          if (anchor && run.values) r.relDiffVsTorch = relDiff(p.reduce(run.values), anchor);
          log(
            `  ${(run.ms / 1000).toFixed(1)} s${run.extrapolated ? ` for ${run.points} points → ≈ ${(run.msAtFullSteps / 1000).toFixed(0)} s at ${config.steps} (extrapolated)` : ''}`,
          );
          results.push(r);
        }
      } catch (err) {
        log(`  ${e.id} failed: ${(err as Error).message}`);
        results.push({ kind: 'error', what: `${e.id} on ${name}`, message: (err as Error).message });
      } finally {
        if (loaded) {
          await loaded.forward.dispose();
          if (loaded.gradients instanceof OrtGradients) await loaded.gradients.dispose();
          loaded.onnx.dispose();
        }
      }
    }
  }
  // getrusage's maxRSS is the same counter as VmHWM, so it too restarted at each reset.
  results.push({ kind: 'node-memory', peakRssMib: Math.max(processPeakMib, peakRssMib() ?? process.resourceUsage().maxRSS / 1024) });
  return results;
}
