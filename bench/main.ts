/**
 * The benchmark page: Glassbox's LIG-50 on its webgpu and cpu backends and on its onnxruntime
 * engine (the compiled reverse pass on onnxruntime-web's wasm, with threads, and on its webgpu
 * provider), onnxruntime-web's forward pass of a batch of 50 on the same model, and a 1024³
 * matmul on both runtimes, all in this one page.
 * bench/run.ts serves it (with the models under /models/ and onnxruntime-web's files under
 * /ort/), passes the configuration as ?config=<json>, and reads the console: every result is
 * one `[bench-result] {json}` line, progress is `[bench] text`, the end is `[bench-done]`.
 */
import * as ort from 'onnxruntime-web/webgpu';
import protobuf from 'protobufjs';
import { type HostTensor, tensor } from '@glassbox/core';
import { type DifferentiableFunction, type MaskedScorer, integratedGradients, kernelShap } from '@glassbox/core/methods';
import {
  type ForwardEngine,
  type GradientEngine,
  OnnxModel,
  OrtForward,
  WebGpuBackend,
  cpuBackend,
  findWordEmbedding,
  loadOnnx,
  onnxSchema,
} from '@glassbox/core/runtime';
import type { ScoreSpec } from '../packages/core/src/compile/gradientModel.ts';
import { OrtGradients } from '../packages/core/src/model/ortGradients.ts';
import { loadOrtWeb } from '../packages/core/src/model/ortRuntime.ts';
import { type Sample, TARGET, normals, targetLogit } from './sample.ts';

/**
 * How long a measurement may take. One that would finish within `full` seconds runs in full;
 * a longer one stops once `sample` seconds are spent (at least one pass) and the rest is
 * extrapolated linearly from the last pass. Software WebGPU (SwiftShader) is slow enough
 * that a vit LIG-50 takes hours: this keeps `pnpm bench` to about an hour there, and
 * changes nothing on a machine fast enough to run everything.
 */
export interface Budget {
  full: number;
  sample: number;
}

export interface BenchConfig {
  /** Model folders under /models/, each with onnx/model.onnx and sample.json. */
  models: string[];
  /** Integration points of the LIG being measured (the contract: 50). */
  steps: number;
  /** onnxruntime-web's batch (the contract: 50). */
  ortBatch: number;
  budgets: {
    webgpuCold: Budget;
    webgpuWarm: Budget;
    cpu: Budget;
    ort: Budget;
    oursForward: Budget;
    ortWasmLig: Budget;
    ortWebgpuLig: Budget;
  };
  /**
   * IG points per gradient pass on the onnxruntime engine, per execution provider and model
   * kind (absent: the library's own choice). Small passes on a software adapter let the budget
   * stop a run that would take hours; vit's passes of 10 are the Node part's and PyTorch's.
   */
  ortPointsPerPass: { wasm: { text?: number; image?: number }; webgpu: { text?: number; image?: number } };
  /** KernelSHAP's model evaluations and masks per forward pass (a multiple of it, so every pass has one shape). */
  kernelShap: { samples: number; batch: number };
  /** Models whose warm gradient pass is profiled dispatch by dispatch (GPU timestamps), at the end. */
  profile?: string[];
  /**
   * Parts to leave out: 'webgpu', 'cpu', 'ort-webgpu', 'ort-wasm', 'ours-forward', 'matmul', 'profile', 'kernel-shap',
   * and the onnxruntime engine's LIG: 'ort-lig-wasm', 'ort-lig-webgpu'.
   */
  skip: string[];
  matmul: { n: number; trials: number; perTrial: number };
}

type Json = Record<string, unknown>;

const config: BenchConfig = JSON.parse(new URLSearchParams(location.search).get('config') ?? '{}');
const logEl = document.getElementById('log')!;
const t0 = performance.now();

function log(msg: string): void {
  const line = `[${((performance.now() - t0) / 1000).toFixed(1).padStart(7)} s] ${msg}`;
  logEl.textContent += `${line}\n`;
  console.log(`[bench] ${line}`);
}

function report(result: Json): void {
  console.log(`[bench-result] ${JSON.stringify(result)}`);
}

const skipped = (part: string) => config.skip?.includes(part);
const now = () => performance.now();

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

// ---------------------------------------------------------------------------------------------
// The models: what is attributed, and the batch of 50 onnxruntime-web runs.

interface Problem {
  /** IG's input and baseline (feature shape, no batch axis). */
  input: HostTensor;
  baseline: HostTensor;
  /** What IG attributes, and the tensor it differentiates. */
  fn: DifferentiableFunction;
  wrt: string;
  describe: string;
}

function tileInts(row: number[], b: number): Int32Array {
  const out = new Int32Array(b * row.length);
  for (let k = 0; k < b; k++) out.set(row, k * row.length);
  return out;
}

/** The explained score, in the graph: logit TARGET of the first output (what targetLogit seeds). */
const SPEC: ScoreSpec = { offset: 0, entry: TARGET, space: 'logits', sign: 1 };

/**
 * The function IG integrates, its input and zero baseline, for one of the two bench models,
 * run by `engines` (our runtime, the model itself, unless given).
 */
function problem(
  name: string,
  model: OnnxModel,
  sample: Sample,
  engines: { forward: ForwardEngine; gradients: GradientEngine } = { forward: model, gradients: model },
): Problem {
  const output = model.graph.outputs[0]!.name;
  if (sample.input_ids) {
    // distilbert: LIG over the word-embedding lookup, as textRunner.overEmbeddings does.
    const ids = sample.input_ids[0]!;
    const mask = sample.attention_mask?.[0] ?? ids.map(() => 1);
    const lookup = findWordEmbedding(model.graph);
    if (!lookup) throw new Error(`${name}: no word-embedding lookup`);
    const table = model.graph.initializers.get(lookup.table)!;
    const hidden = table.shape[1]!;
    // The input's embeddings, gathered on the host so that the first timed run is cold.
    const emb = new Float32Array(ids.length * hidden);
    ids.forEach((id, i) => emb.set(table.data.subarray(id * hidden, (id + 1) * hidden) as Float32Array, i * hidden));
    const feeds = (b: number) => ({
      input_ids: tensor('int64', [b, ids.length], tileInts(ids, b)),
      attention_mask: tensor('int64', [b, ids.length], tileInts(mask, b)),
    });
    const embedding = lookup.tensor;
    return {
      input: tensor('float32', [ids.length, hidden], emb),
      baseline: tensor('float32', [ids.length, hidden]),
      wrt: embedding,
      describe: `LIG on "${embedding}" [${ids.length}, ${hidden}], zero baseline, target logit ${TARGET}`,
      fn: {
        // As the explainers ask: the engine's own rows per pass.
        rowsPerPass: () => engines.gradients.rowsPerPass(feeds(1)),
        gradients: async (x) => {
          let scores: Float64Array = new Float64Array(0);
          const { grads } = await engines.gradients.runWithGradient({
            feeds: feeds(x.shape[0]!),
            overrides: { [embedding]: x },
            fetch: [],
            output,
            wrt: [embedding],
            scores: [SPEC],
            seed: (value) => {
              const s = targetLogit(value);
              scores = s.scores;
              return s.seed;
            },
          });
          return { scores, grads: grads[embedding]! };
        },
        scores: async (x) => {
          const out = await engines.forward.run({ feeds: feeds(x.shape[0]!), overrides: { [embedding]: x }, fetch: [output] });
          return targetLogit(out[output]!).scores;
        },
      },
    };
  }
  // vit: IG on pixel_values.
  const input = model.graph.inputs[0]!;
  const shape = input.shape.slice(1).map((d) => (typeof d === 'number' ? d : NaN));
  if (shape.some(Number.isNaN)) throw new Error(`${name}: input ${input.name} has symbolic feature dims`);
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    input: tensor('float32', shape, normals(n, sample.pixel_values_seed ?? 11)),
    baseline: tensor('float32', shape),
    wrt: input.name,
    describe: `IG on "${input.name}" [${shape.join(', ')}] (a seeded random image), zero baseline, target logit ${TARGET}`,
    fn: {
      rowsPerPass: () => engines.gradients.rowsPerPass({ [input.name]: tensor('float32', [1, ...shape]) }),
      gradients: async (x) => {
        let scores: Float64Array = new Float64Array(0);
        const { grads } = await engines.gradients.runWithGradient({
          feeds: { [input.name]: x },
          fetch: [],
          output,
          wrt: [input.name],
          scores: [SPEC],
          seed: (value) => {
            const s = targetLogit(value);
            scores = s.scores;
            return s.seed;
          },
        });
        return { scores, grads: grads[input.name]! };
      },
      scores: async (x) => {
        const out = await engines.forward.run({ feeds: { [input.name]: x }, fetch: [output] });
        return targetLogit(out[output]!).scores;
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// (a), (b): LIG on our runtime.

interface LigRun {
  /** Points integrated in passes that ran (all `config.steps`, unless the budget stopped it). */
  steps: number;
  /** Wall time of what ran: the passes, and the convergence-delta forward of 2 rows. */
  ms: number;
  /** Gradient passes (forward + backward + reads): rows and time of each. */
  passes: { rows: number; ms: number }[];
  gradMs: number;
  /** The 2-row forward pass for the convergence delta (run apart when the budget stopped IG). */
  deltaMs: number;
  /** The time all `config.steps` points take: measured, or extrapolated from `steps`. */
  msAtFullSteps: number;
  extrapolated: boolean;
  convergenceDelta: number | undefined;
}

class OverBudget extends Error {}

/**
 * integratedGradients (Gauss–Legendre, `config.steps` points, `pointsPerPass` points a pass or
 * the library's own batch size), timed pass by pass. Over budget it stops between passes; the remaining points are then
 * extrapolated at the last pass's time per point.
 */
async function timeLig(p: Problem, budget: Budget, pointsPerPass?: number): Promise<LigRun> {
  const n = config.steps;
  const passes: { rows: number; ms: number }[] = [];
  let rows = 0;
  let deltaMs = 0;
  const start = now();
  const rate = () => passes.at(-1)!.ms / passes.at(-1)!.rows;
  const fn: DifferentiableFunction = {
    rowsPerPass: p.fn.rowsPerPass,
    gradients: async (x) => {
      if (passes.length) {
        const elapsed = now() - start;
        const projected = elapsed + (n - rows) * rate() + 2 * rate();
        if (projected > budget.full * 1000 && elapsed >= budget.sample * 1000) {
          log(
            `    stopping after ${rows} of ${n} points: all of them would take ~${(projected / 1000).toFixed(0)} s (budget ${budget.full} s)`,
          );
          throw new OverBudget();
        }
      }
      const s = now();
      const r = await p.fn.gradients(x);
      passes.push({ rows: x.shape[0]!, ms: now() - s });
      rows += x.shape[0]!;
      log(`    gradient pass of ${x.shape[0]} points: ${((now() - s) / 1000).toFixed(1)} s`);
      return r;
    },
    scores: async (x) => {
      const s = now();
      const r = await p.fn.scores(x);
      deltaMs = now() - s;
      return r;
    },
  };
  let convergenceDelta: number | undefined;
  try {
    convergenceDelta = (
      await integratedGradients(fn, p.input, p.baseline, { method: 'gausslegendre', steps: n, internalBatchSize: pointsPerPass })
    ).convergenceDelta;
  } catch (e) {
    if (!(e instanceof OverBudget)) throw e;
    // The part IG did not reach: f(input) and f(baseline), as IG computes them.
    const both = new Float32Array(2 * p.input.data.length);
    both.set(p.input.data as Float32Array, 0);
    both.set(p.baseline.data as Float32Array, p.input.data.length);
    await fn.scores(tensor('float32', [2, ...p.input.shape], both));
  }
  const ms = now() - start;
  const gradMs = passes.reduce((t, q) => t + q.ms, 0);
  return {
    steps: rows,
    ms,
    passes,
    gradMs,
    deltaMs,
    msAtFullSteps: rows >= n ? ms : ms + (n - rows) * rate(),
    extrapolated: rows < n,
    convergenceDelta: rows >= n ? convergenceDelta : undefined,
  };
}

const describeRun = (r: LigRun) =>
  `${(r.ms / 1000).toFixed(1)} s` +
  (r.extrapolated
    ? ` for ${r.steps} points → ~${(r.msAtFullSteps / 1000).toFixed(0)} s at ${config.steps} (extrapolated)`
    : ` (all ${config.steps} points)`);

async function ours(name: string, bytes: Uint8Array, sample: Sample, kind: 'webgpu' | 'cpu'): Promise<void> {
  const backend = kind === 'webgpu' ? await WebGpuBackend.create() : cpuBackend;
  const s = now();
  const model = await OnnxModel.fromBytes(bytes, undefined, backend as never);
  const loadMs = now() - s;
  const p = problem(name, model, sample);
  log(`${name}, Glassbox on ${kind}: ${p.describe}; model parsed in ${loadMs.toFixed(0)} ms`);
  try {
    if (kind === 'cpu') {
      log(`  cpu run (once)`);
      const run = await timeLig(p, config.budgets.cpu);
      log(`  cpu: ${describeRun(run)}`);
      report({ kind: 'lig', model: name, backend: kind, requestedSteps: config.steps, loadMs, describe: p.describe, cold: run });
      return;
    }
    log(`  cold run (first use of this device and model)`);
    const cold = await timeLig(p, config.budgets.webgpuCold);
    log(`  cold: ${describeRun(cold)}`);
    log(`  warm run`);
    const warm = await timeLig(p, config.budgets.webgpuWarm);
    log(`  warm: ${describeRun(warm)}`);
    const gpu = (backend as WebGpuBackend).gpu;
    passRows.set(name, warm.passes[0]!.rows);
    report({
      kind: 'lig',
      model: name,
      backend: kind,
      requestedSteps: config.steps,
      loadMs,
      describe: p.describe,
      cold,
      warm,
      // The most the device held live at once over both runs (weights included), and what it holds after them (live + pooled).
      gpuPeakBytes: gpu.peakBytes,
      gpuCreatedBytes: gpu.createdBytes,
    });
    if (!skipped('ours-forward')) {
      // Our forward pass alone, to set beside onnxruntime-web's: batch 50 if the budget allows
      // (else fewer rows, extrapolated), run twice: the first at a new batch size builds its
      // plan and may compile pipelines for new shapes; the second is the warm one.
      const rowMs = warm.deltaMs / 2;
      const b = batchWithin(config.budgets.oursForward, 2 * rowMs);
      const x = tensor(
        'float32',
        [b, ...p.input.shape],
        new Float32Array(b * p.input.data.length).map((_, i) => p.input.data[i % p.input.data.length]!),
      );
      const f0 = now();
      await p.fn.scores(x);
      const firstMs = now() - f0;
      log(`  Glassbox forward, batch ${b}, first: ${(firstMs / 1000).toFixed(1)} s`);
      const f1 = now();
      await p.fn.scores(x);
      const ms = now() - f1;
      const msAtBatch = (ms * config.ortBatch) / b;
      log(
        `  Glassbox forward, batch ${b}, warm: ${(ms / 1000).toFixed(1)} s${b < config.ortBatch ? ` → ~${(msAtBatch / 1000).toFixed(0)} s at batch ${config.ortBatch} (extrapolated)` : ''}`,
      );
      report({ kind: 'ours-forward', model: name, backend: kind, batch: b, firstMs, ms, msAtBatch, extrapolated: b < config.ortBatch });
    }
  } finally {
    model.dispose();
    if (backend instanceof WebGpuBackend) backend.gpu.destroy();
  }
}

/** The batch to time: all `config.ortBatch` rows if they fit the budget at `rowMs` a row, else fewer. */
function batchWithin(budget: Budget, rowMs: number): number {
  const full = config.ortBatch;
  if (full * rowMs <= budget.full * 1000) return full;
  return Math.max(1, Math.min(full, Math.floor((budget.sample * 1000) / rowMs)));
}

/**
 * The page's memory now, JS heaps and wasm memories of the page and its workers
 * (performance.measureUserAgentSpecificMemory: cross-origin isolated pages only). A wasm
 * memory never shrinks, so onnxruntime-web's holds the most it needed so far. Undefined
 * where the browser does not measure.
 */
async function pageMemory(): Promise<number | undefined> {
  const measure = (performance as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
  if (!measure) return undefined;
  try {
    return (await measure.call(performance)).bytes;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// LIG on Glassbox's onnxruntime engine: the compiled forward + reverse pass on onnxruntime-web.

/**
 * The load option `engine: 'onnxruntime'` in this page, as loadOnnxModel builds it: the
 * compiled gradient model on onnxruntime-web's wasm (threads: the page is cross-origin
 * isolated) for device cpu, or on its webgpu provider for device webgpu; cold (compilation,
 * session creation) and warm.
 */
async function ortEngine(name: string, bytes: Uint8Array, sample: Sample, device: 'cpu' | 'webgpu'): Promise<void> {
  const ep = device === 'cpu' ? 'wasm' : 'webgpu';
  const onnx = await OnnxModel.fromBytes(bytes, undefined, cpuBackend);
  const runtime = loadOrtWeb();
  const gradients = new OrtGradients(onnx, runtime, device);
  const forward = new OrtForward(bytes, undefined, device, runtime, gradients);
  const p = problem(name, onnx, sample, { forward, gradients });
  const budget = device === 'cpu' ? config.budgets.ortWasmLig : config.budgets.ortWebgpuLig;
  const perPass = config.ortPointsPerPass[ep][sample.input_ids ? 'text' : 'image'];
  const threads = (await runtime).ort.env.wasm.numThreads ?? null;
  log(
    `${name}, Glassbox engine onnxruntime, onnxruntime-web ${ep} (${threads} wasm threads): ${p.describe}${perPass ? `, ${perPass} points a pass` : ''}`,
  );
  try {
    log(`  cold run (compiles the gradient model, creates its session)`);
    const cold = await timeLig(p, budget, perPass);
    log(`  cold: ${describeRun(cold)}`);
    log(`  warm run`);
    const warm = await timeLig(p, budget, perPass);
    log(`  warm: ${describeRun(warm)}`);
    report({
      kind: 'ort-lig',
      model: name,
      ep,
      wasmThreads: threads,
      describe: p.describe,
      cold,
      warm,
      sessions: gradients.sessionsCreated,
      fallbackOp: gradients.fallbackOp ?? null,
      pageBytes: await pageMemory(),
    });
  } finally {
    await forward.dispose();
    await gradients.dispose();
    onnx.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// (c): onnxruntime-web, batch 50.

/** A batch of `b` copies of the sample: token ids as int64, or the seeded image (as IG's input). */
function ortFeeds(session: ort.InferenceSession, sample: Sample, b: number, imageShape: number[]): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    const row = name === 'input_ids' ? sample.input_ids?.[0] : name === 'attention_mask' ? sample.attention_mask?.[0] : undefined;
    if (row) {
      const data = new BigInt64Array(b * row.length);
      for (let i = 0; i < data.length; i++) data[i] = BigInt(row[i % row.length]!);
      feeds[name] = new ort.Tensor('int64', data, [b, row.length]);
    } else {
      const one = normals(
        imageShape.reduce((x, y) => x * y, 1),
        sample.pixel_values_seed ?? 11,
      );
      const data = new Float32Array(b * one.length);
      for (let k = 0; k < b; k++) data.set(one, k * one.length);
      feeds[name] = new ort.Tensor('float32', data, [b, ...imageShape]);
    }
  }
  return feeds;
}

async function ortForward(name: string, bytes: Uint8Array, sample: Sample, imageShape: number[], ep: 'webgpu' | 'wasm'): Promise<void> {
  let used: string = ep;
  let fallback: string | undefined;
  let session: ort.InferenceSession;
  const c0 = now();
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: 'all' });
  } catch (e) {
    if (ep !== 'webgpu') throw e;
    fallback = `webgpu EP failed (${(e as Error).message}); ran wasm`;
    log(`  onnxruntime-web: ${fallback}`);
    used = 'wasm';
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  }
  const createMs = now() - c0;
  try {
    // Warm-up: one row (compiles the EP's shaders, allocates), and the time per row.
    log(`${name}: onnxruntime-web ${used} EP, session created in ${(createMs / 1000).toFixed(1)} s; warm-up forward of 1 row`);
    const w0 = now();
    await session.run(ortFeeds(session, sample, 1, imageShape));
    const warmupMs = now() - w0;
    const b = batchWithin(config.budgets.ort, warmupMs);
    log(`  warm-up: ${(warmupMs / 1000).toFixed(2)} s; timed forward of batch ${b}`);
    const feeds = ortFeeds(session, sample, b, imageShape);
    const f0 = now();
    const out = await session.run(feeds);
    const ms = now() - f0;
    const logits = out[session.outputNames[0]!]!.data as Float32Array;
    const msAtBatch = (ms * config.ortBatch) / b;
    log(
      `  onnxruntime-web ${used}, batch ${b}: ${(ms / 1000).toFixed(2)} s${b < config.ortBatch ? ` → ~${(msAtBatch / 1000).toFixed(0)} s at batch ${config.ortBatch} (extrapolated)` : ''}`,
    );
    report({
      kind: 'ort-forward',
      model: name,
      epRequested: ep,
      epUsed: used,
      fallback,
      batch: b,
      createMs,
      warmupMs,
      ms,
      msAtBatch,
      extrapolated: b < config.ortBatch,
      wasmThreads: ort.env.wasm.numThreads ?? null,
      logitsRow0: Array.from(logits.slice(0, 4)),
    });
  } finally {
    await session.release();
  }
}

// ---------------------------------------------------------------------------------------------
// (e): KernelSHAP's forward passes (text models), ours vs onnxruntime-web on the same device.

/**
 * KernelSHAP over the sample's non-special tokens (a removed token becomes id 0, [PAD]),
 * target logit 1, `config.kernelShap` evaluations in batches of its batch, run once through
 * each engine after a warm-up batch of the same shape (shaders, sessions, plans): model
 * forwards per second. onnxruntime-web runs as the library runs it (OrtForward).
 */
async function kernelShapForwards(name: string, bytes: Uint8Array, sample: Sample, device: 'webgpu' | 'cpu'): Promise<void> {
  const ids = sample.input_ids?.[0];
  if (!ids) return;
  const { samples, batch } = config.kernelShap;
  const backend = device === 'webgpu' ? await WebGpuBackend.create() : cpuBackend;
  const ours = await OnnxModel.fromBytes(bytes, undefined, backend);
  const engines: [string, ForwardEngine][] = [
    ['glassbox', ours],
    ['onnxruntime', new OrtForward(bytes, undefined, device, loadOrtWeb(), ours)],
  ];
  const output = ours.graph.outputs[0]!.name;
  const positions = ids.map((_, i) => i).slice(1, -1);
  const scorerOf = (engine: ForwardEngine): MaskedScorer => ({
    features: positions.length,
    scores: async (masks) => {
      const rows = masks.map((m) => {
        const row = [...ids];
        positions.forEach((p, k) => !m[k] && (row[p] = 0));
        return row;
      });
      const feeds = {
        input_ids: tensor('int64', [rows.length, ids.length], rows.flat()),
        attention_mask: tensor(
          'int64',
          [rows.length, ids.length],
          tileInts(
            ids.map(() => 1),
            rows.length,
          ),
        ),
      };
      return targetLogit((await engine.run({ feeds, fetch: [output] }))[output]!).scores;
    },
  });
  for (const [engine, forward] of engines) {
    const scorer = scorerOf(forward);
    const w0 = now();
    await scorer.scores(Array.from({ length: batch }, (_, r) => Uint8Array.from(positions, (_, k) => (r + k) % 2)));
    const warmupMs = now() - w0;
    log(
      `${name}: KernelSHAP on ${device} through ${engine}: warm-up batch of ${batch} in ${(warmupMs / 1000).toFixed(1)} s; ${samples} evaluations`,
    );
    const t0 = now();
    const r = await kernelShap(scorer, { samples, batchSize: batch, seed: 42 });
    const ms = now() - t0;
    const perSecond = r.evaluations / (ms / 1000);
    log(`  ${r.evaluations} forwards in ${(ms / 1000).toFixed(1)} s: ${perSecond.toFixed(2)} forwards/s`);
    report({
      kind: 'kernel-shap',
      model: name,
      device,
      engine,
      features: positions.length,
      evaluations: r.evaluations,
      batch,
      warmupMs,
      ms,
      perSecond,
      phi0: r.values[0],
    });
  }
  ours.dispose();
}

// ---------------------------------------------------------------------------------------------
// (d): a 1024³ matmul on both runtimes.

function matmulModel(n: number): Uint8Array {
  const ModelProto = protobuf.Root.fromJSON(onnxSchema as unknown as protobuf.INamespace).lookupType('onnx.ModelProto');
  const vi = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: n }, { dimValue: n }] } } } });
  return ModelProto.encode(
    ModelProto.fromObject({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 14 }],
      graph: {
        name: 'matmul',
        node: [{ input: ['a', 'b'], output: ['c'], name: 'mm', opType: 'MatMul' }],
        input: [vi('a'), vi('b')],
        output: [vi('c')],
      },
    }),
  ).finish();
}

async function matmulOurs(): Promise<void> {
  const { n, trials, perTrial } = config.matmul;
  const flop = 2 * n * n * n;
  const backend = await WebGpuBackend.create();
  try {
    const a = backend.upload(tensor('float32', [n, n], normals(n * n, 1)));
    const b = backend.upload(tensor('float32', [n, n], normals(n * n, 2)));
    const w0 = now();
    const first = backend.run('MatMul', [a, b])[0]!;
    const c00 = (await backend.read(first)).data[0];
    backend.release(first);
    log(`matmul ${n}³, ours: warm-up (pipeline) ${(now() - w0).toFixed(0)} ms`);
    const gflops: number[] = [];
    for (let t = 0; t < trials; t++) {
      const s = now();
      let c = backend.run('MatMul', [a, b])[0]!;
      for (let k = 1; k < perTrial; k++) {
        backend.release(c);
        c = backend.run('MatMul', [a, b])[0]!;
      }
      await backend.read(c);
      backend.release(c);
      gflops.push((perTrial * flop) / ((now() - s) / 1000) / 1e9);
      log(`  trial ${t + 1}: ${gflops.at(-1)!.toFixed(2)} GFLOP/s`);
    }
    report({ kind: 'matmul', impl: 'glassbox-webgpu', n, perTrial, gflops, best: Math.max(...gflops), c00 });
  } finally {
    backend.gpu.destroy();
  }
}

async function matmulOrt(): Promise<void> {
  const { n, trials, perTrial } = config.matmul;
  const flop = 2 * n * n * n;
  let session: ort.InferenceSession;
  let epUsed = 'webgpu';
  let fallback: string | undefined;
  try {
    session = await ort.InferenceSession.create(matmulModel(n), { executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer' });
  } catch (e) {
    fallback = `webgpu EP failed (${(e as Error).message}); ran wasm`;
    log(`  onnxruntime-web matmul: ${fallback}`);
    epUsed = 'wasm';
    session = await ort.InferenceSession.create(matmulModel(n), { executionProviders: ['wasm'] });
  }
  const A = normals(n * n, 1);
  const B = normals(n * n, 2);
  let feeds: Record<string, ort.Tensor>;
  let io = 'cpu';
  let ioNote: string | undefined;
  const buffers: GPUBuffer[] = [];
  if (epUsed === 'webgpu') {
    // Inputs resident on ORT's own device, outputs left there: the same conditions as ours.
    try {
      const device = await ort.env.webgpu.device;
      const upload = (data: Float32Array<ArrayBuffer>) => {
        const buf = device.createBuffer({
          size: data.byteLength,
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
        });
        device.queue.writeBuffer(buf, 0, data);
        buffers.push(buf);
        return ort.Tensor.fromGpuBuffer(buf, { dataType: 'float32', dims: [n, n] });
      };
      feeds = { a: upload(A), b: upload(B) };
      io = 'gpu-buffer';
    } catch (e) {
      ioNote = `GPU-buffer inputs failed (${(e as Error).message}); inputs from the CPU`;
      feeds = { a: new ort.Tensor('float32', A, [n, n]), b: new ort.Tensor('float32', B, [n, n]) };
    }
  } else {
    feeds = { a: new ort.Tensor('float32', A, [n, n]), b: new ort.Tensor('float32', B, [n, n]) };
  }
  try {
    const w0 = now();
    const first = (await session.run(feeds)).c!;
    const c00 = ((await first.getData()) as Float32Array)[0];
    first.dispose();
    log(`matmul ${n}³, onnxruntime-web ${epUsed} (${io} inputs): warm-up ${(now() - w0).toFixed(0)} ms`);
    const gflops: number[] = [];
    for (let t = 0; t < trials; t++) {
      const s = now();
      let c = (await session.run(feeds)).c!;
      for (let k = 1; k < perTrial; k++) {
        c.dispose();
        c = (await session.run(feeds)).c!;
      }
      await c.getData();
      c.dispose();
      gflops.push((perTrial * flop) / ((now() - s) / 1000) / 1e9);
      log(`  trial ${t + 1}: ${gflops.at(-1)!.toFixed(2)} GFLOP/s`);
    }
    report({ kind: 'matmul', impl: `ort-${epUsed}`, io, ioNote, fallback, n, perTrial, gflops, best: Math.max(...gflops), c00 });
  } finally {
    await session.release();
    for (const b of buffers) b.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Where a warm gradient pass spends its time: GPU timestamps around every dispatch.

/** Rows per gradient pass the library chose in the LIG runs, per model. */
const passRows = new Map<string, number>();

async function profileOurs(name: string, bytes: Uint8Array, sample: Sample): Promise<void> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter?.features.has('timestamp-query')) {
    log(`profile: the adapter has no timestamp-query; skipped`);
    report({ kind: 'profile', model: name, skipped: 'no timestamp-query' });
    return;
  }
  const device = await adapter.requestDevice({
    requiredFeatures: ['timestamp-query'],
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  // The backend on this device (@glassbox/core does not export Gpu; its constructor is reachable).
  const probe = await WebGpuBackend.create();
  const GpuClass = probe.gpu.constructor as new (device: GPUDevice) => WebGpuBackend['gpu'];
  probe.gpu.destroy();
  const gpu = new GpuClass(device);
  const backend = new WebGpuBackend(gpu);

  // Every dispatch in a pass of its own, with timestamps at both ends, labelled with its op.
  let enabled = false;
  let phase = 'forward';
  let current = '';
  const labels: { phase: string; op: string; shapes: string }[] = [];
  const sets: GPUQuerySet[] = [];
  const PER_SET = 2048;
  const createEncoder = device.createCommandEncoder.bind(device);
  device.createCommandEncoder = (desc?: GPUCommandEncoderDescriptor) => {
    const enc = createEncoder(desc);
    const begin = enc.beginComputePass.bind(enc);
    enc.beginComputePass = (pd?: GPUComputePassDescriptor) => {
      if (!enabled) return begin(pd);
      const i = labels.length;
      const set = Math.floor(i / PER_SET);
      if (set >= sets.length) sets.push(device.createQuerySet({ type: 'timestamp', count: 2 * PER_SET }));
      const [op, shapes] = current.split('\t') as [string, string];
      labels.push({ phase, op, shapes });
      const slot = (i % PER_SET) * 2;
      return begin({ ...pd, timestampWrites: { querySet: sets[set]!, beginningOfPassWriteIndex: slot, endOfPassWriteIndex: slot + 1 } });
    };
    return enc;
  };
  const g = gpu as unknown as { dispatch(d: unknown): void; endPass(): void; read(t: unknown): Promise<HostTensor> };
  const dispatch = g.dispatch.bind(gpu);
  g.dispatch = (d) => {
    dispatch(d);
    if (enabled) g.endPass();
  };
  const read = g.read.bind(gpu);
  g.read = async (t) => {
    const r = await read(t);
    if (enabled) phase = 'backward'; // runWithGradient reads the output, then differentiates
    return r;
  };
  const run = backend.run.bind(backend);
  backend.run = (op, inputs, attrs) => {
    current = `${op}\t${inputs
      .filter(Boolean)
      .map((t) => `[${t.shape.join(',')}]`)
      .join(' ')}`;
    return run(op, inputs, attrs);
  };

  const model = await OnnxModel.fromBytes(bytes, undefined, backend);
  try {
    const p = problem(name, model, sample);
    const b = passRows.get(name) ?? 1;
    const n = p.input.data.length;
    const x = tensor(
      'float32',
      [b, ...p.input.shape],
      new Float32Array(b * n).map((_, i) => 0.5 * p.input.data[i % n]!),
    );
    log(`profile: ${name}, one gradient pass of ${b} points with a timestamp around each dispatch (after an untimed one)`);
    await p.fn.gradients(x);
    const s0 = now();
    await p.fn.gradients(x);
    const plainMs = now() - s0;
    enabled = true;
    phase = 'forward';
    const s1 = now();
    await p.fn.gradients(x);
    const wallMs = now() - s1;
    enabled = false;
    const ms: number[] = [];
    for (let k = 0; k < sets.length; k++) {
      const count = 2 * Math.min(PER_SET, labels.length - k * PER_SET);
      const resolve = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
      const staging = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const enc = createEncoder();
      enc.resolveQuerySet(sets[k]!, 0, count, resolve, 0);
      enc.copyBufferToBuffer(resolve, 0, staging, 0, count * 8);
      device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const ts = new BigInt64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      for (let i = 0; i < count; i += 2) ms.push(Number(ts[i + 1]! - ts[i]!) / 1e6);
      resolve.destroy();
      staging.destroy();
    }
    const gpuMs = ms.reduce((a, v) => a + v, 0);
    const group = (key: (l: (typeof labels)[number]) => string) => {
      const m = new Map<string, { dispatches: number; ms: number }>();
      labels.forEach((l, i) => {
        const e = m.get(key(l)) ?? { dispatches: 0, ms: 0 };
        e.dispatches++;
        e.ms += ms[i]!;
        m.set(key(l), e);
      });
      return [...m.entries()].map(([k, v]) => ({ key: k, ...v })).sort((a, c) => c.ms - a.ms);
    };
    const byPhase = group((l) => l.phase);
    const byOp = group((l) => `${l.phase} ${l.op}`);
    const byShape = group((l) => `${l.phase} ${l.op} ${l.shapes}`).slice(0, 12);
    log(
      `profile: ${labels.length} dispatches, GPU time ${(gpuMs / 1000).toFixed(1)} s of ${(wallMs / 1000).toFixed(1)} s (the same pass unprofiled: ${(plainMs / 1000).toFixed(1)} s)`,
    );
    for (const e of byOp.slice(0, 10)) log(`  ${e.key}: ${e.dispatches} dispatches, ${(e.ms / 1000).toFixed(2)} s`);
    report({ kind: 'profile', model: name, rows: b, dispatches: labels.length, wallMs, plainMs, gpuMs, byPhase, byOp, byShape });
  } finally {
    model.dispose();
    gpu.destroy();
  }
}

// ---------------------------------------------------------------------------------------------

async function adapterInfo(): Promise<Json> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) return { available: false };
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  return {
    available: true,
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: info.isFallbackAdapter ?? (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter,
    shaderF16: adapter.features.has('shader-f16'),
    maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
  };
}

async function step(what: string, f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (e) {
    const message = (e as Error)?.stack ?? String(e);
    log(`FAILED: ${what}: ${message}`);
    report({ kind: 'error', what, message });
  }
}

async function main(): Promise<void> {
  // @glassbox/core imports transformers.js, which points onnxruntime-web at a CDN for its
  // .wasm; this page serves onnxruntime-web's own files instead (offline, same version).
  ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;
  ort.env.logLevel = 'error';
  report({
    kind: 'env',
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated,
    ortVersion: ort.env.versions?.web,
    adapter: await adapterInfo(),
    config,
  });
  for (const name of config.models) {
    const base = `/models/${name}/`;
    let bytes: Uint8Array;
    let sample: Sample;
    try {
      [bytes, sample] = await Promise.all([
        fetchBytes(`${base}onnx/model.onnx`),
        fetch(`${base}sample.json`).then((r) => r.json() as Promise<Sample>),
      ]);
    } catch (e) {
      report({ kind: 'error', what: `load ${name}`, message: String(e) });
      continue;
    }
    // The feature dims of a float input (the image), for onnxruntime-web's batch.
    const imageShape = ((await loadOnnx(bytes)).inputs.find((i) => i.dtype === 'float32')?.shape.slice(1) ?? []).map(Number);
    log(`${name}: ${(bytes.length / 2 ** 20).toFixed(1)} MiB`);
    if (!skipped('webgpu')) await step(`${name} LIG webgpu`, () => ours(name, bytes, sample, 'webgpu'));
    if (!skipped('ort-webgpu')) await step(`${name} ORT webgpu`, () => ortForward(name, bytes, sample, imageShape, 'webgpu'));
    if (!skipped('ort-wasm')) await step(`${name} ORT wasm`, () => ortForward(name, bytes, sample, imageShape, 'wasm'));
    if (!skipped('ort-lig-wasm')) await step(`${name} LIG onnxruntime wasm`, () => ortEngine(name, bytes, sample, 'cpu'));
    if (!skipped('ort-lig-webgpu')) await step(`${name} LIG onnxruntime webgpu`, () => ortEngine(name, bytes, sample, 'webgpu'));
    if (!skipped('cpu')) await step(`${name} LIG cpu`, () => ours(name, bytes, sample, 'cpu'));
    if (!skipped('kernel-shap')) {
      await step(`${name} KernelSHAP webgpu`, () => kernelShapForwards(name, bytes, sample, 'webgpu'));
      await step(`${name} KernelSHAP cpu`, () => kernelShapForwards(name, bytes, sample, 'cpu'));
    }
  }
  if (!skipped('matmul')) {
    await step('matmul ours', matmulOurs);
    await step('matmul ORT', matmulOrt);
  }
  for (const name of config.profile ?? []) {
    if (skipped('profile') || !config.models.includes(name)) continue;
    const base = `/models/${name}/`;
    const [bytes, sample] = await Promise.all([
      fetchBytes(`${base}onnx/model.onnx`),
      fetch(`${base}sample.json`).then((r) => r.json() as Promise<Sample>),
    ]);
    await step(`profile ${name}`, () => profileOurs(name, bytes, sample));
  }
  log('done');
  console.log('[bench-done]');
}

void main().catch((e) => {
  report({ kind: 'error', what: 'main', message: (e as Error)?.stack ?? String(e) });
  console.log('[bench-done]');
});
