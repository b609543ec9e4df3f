import type * as Ort from 'onnxruntime-web';
import {
  type CompiledGradients,
  type DimClass,
  type GradientModelRequest,
  NotCompilableError,
  compileGradients,
  compileSymbolic,
  factor,
  scoreInputs,
} from '../compile/gradientModel.ts';
import { GlassboxError, InvalidInputError } from '../errors.ts';
import { nonFinite } from '../graph/nonFinite.ts';
import { type Override, type Plan, buildPlan, overrideValue, planKey } from '../graph/plan.ts';
import { type HostTensor, sizeOf, tensor } from '../tensor.ts';
import type { GradientRequest, GradientsRequest, OnnxModel, RunRequest } from './onnxModel.ts';
import type { OrtRuntime } from './ortRuntime.ts';
import { toHost, toOrt } from './ortTensors.ts';

const disposedError = () =>
  new GlassboxError('disposed', 'this model was disposed (dispose() released its onnxruntime sessions); load it again to use it');

/**
 * Compiled sessions kept per model, least recently used released first. Each holds a copy of
 * the weights, so as many as fit in SESSION_WEIGHT_BUDGET, within [MIN_SESSIONS,
 * MAX_SESSIONS]: a small model keeps the sessions of every input shape a mixed workload
 * returns to (three thrash: each explanation compiled and created a session again).
 */
const MIN_SESSIONS = 3;
const MAX_SESSIONS = 16;
const SESSION_WEIGHT_BUDGET = 256 * 2 ** 20;
/** Sizes a symbolic model is recorded at: primes, so that a recorded size factors into the symbolic ones. */
const PRIMES = [61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149];

/** Override rules for a recording: the same tensors, zeros (or the rule's values) at the recording's shapes. */
function recordingOverrides(overrides: Record<string, Override>): Record<string, Override> {
  return Object.fromEntries(
    Object.entries(overrides).map(([name, o]) => [
      name,
      typeof o === 'function' ? o : (shape: readonly number[]) => tensor(o.dtype, shape),
    ]),
  );
}

/** The shape of a tensor (undefined: no such tensor), and the tensors that depend on the feeds. */
type ShapeOf = ((name: string) => readonly number[] | undefined) & { readonly dynamic: ReadonlySet<string> };

/** Shape plans kept per model. */
const MAX_PLANS = 64;
/**
 * What a gradient pass may hold, counted as the bytes of every tensor of one forward pass,
 * per row. onnxruntime holds less than that count: it frees each gradient as the reverse
 * pass goes and reuses buffers (onnxruntime-node, measured per row as resident memory held
 * after a pass plus the rise during one: 0.66 of the count on distilbert-base with 28 tokens,
 * about 0.8 on vit-base). So 2 GiB counted is about 1.5 GiB held, within wasm's 4 GiB, and
 * lets LIG-50 on a sentence run in one pass, as Captum's default does.
 */
const PASS_BUDGET_BYTES = 2 * 2 ** 30;
/** On small models, passes of at most this many rows: progress reports and cancellation come between passes. */
const MAX_ROWS_PER_PASS = 1024;

interface Compiled {
  session: Ort.InferenceSession;
  model: CompiledGradients;
}

/**
 * Gradient passes executed by onnxruntime: each kind of request's forward and reverse pass
 * is compiled to one ONNX model (compile/gradientModel.ts), with symbolic batch and
 * sequence sizes where the compiler can write them (one session for every length), else
 * for the request's exact shapes, and run as one session. When every seed has an in-graph score (`scores`), one run gives values and
 * gradients; otherwise a forward-only run gives the output, the host computes the seeds,
 * and a second run gives the gradients. A plan the compiler cannot write falls back to our
 * runtime (one warning naming the op); so does a non-finite result, so that its error names
 * the first tensor that went non-finite.
 */
export class OrtGradients {
  private readonly plans = new Map<string, Plan>();
  private readonly sessions = new Map<string, Promise<Compiled>>();
  /** Requests (size pattern and names) whose two recordings differed: they compile per shape. */
  private readonly staticOnly = new Set<string>();
  private recordingPrimes: number[] | undefined;
  private notCompilable: string | undefined;
  private latest: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** Sessions created so far (the benchmark counts them). */
  sessionsCreated = 0;
  /** How many compiled sessions this model keeps (see SESSION_WEIGHT_BUDGET). */
  readonly maxSessions: number;

  constructor(
    readonly onnx: OnnxModel,
    private readonly runtime: Promise<OrtRuntime>,
    private readonly device: 'cpu' | 'webgpu',
  ) {
    let weights = 0;
    for (const t of onnx.graph.initializers.values()) weights += t.data.byteLength;
    this.maxSessions = Math.max(MIN_SESSIONS, Math.min(MAX_SESSIONS, Math.floor(SESSION_WEIGHT_BUDGET / Math.max(weights, 1))));
  }

  /** Compiled sessions held now (at most maxSessions). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** The op that made this model fall back to our runtime, if one did. */
  get fallbackOp(): string | undefined {
    return this.notCompilable;
  }

  rowsPerPass(feeds: Record<string, HostTensor>): number {
    const shapeOf = this.shapesFor(feeds, {});
    let total = 0;
    for (const name of shapeOf.dynamic) total += 4 * (shapeOf(name) ?? []).reduce((p, d) => p * d, 1);
    return Math.max(1, Math.min(MAX_ROWS_PER_PASS, Math.floor(PASS_BUDGET_BYTES / Math.max(total, 1))));
  }

  async runWithGradients(req: GradientsRequest): Promise<{ values: Record<string, HostTensor>; grads: Record<string, HostTensor>[] }> {
    if (this.disposed) throw disposedError();
    if (this.notCompilable) return this.onnx.runWithGradients(req);
    let result;
    try {
      result = await this.compiledRun(req);
    } catch (e) {
      if (!(e instanceof NotCompilableError)) throw e;
      this.fallBack(e.op);
      return this.onnx.runWithGradients(req);
    }
    const all = [...Object.values(result.values), ...result.grads.flatMap((g) => Object.values(g))];
    if (all.some((t) => nonFinite(t))) return this.onnx.runWithGradients(req);
    return result;
  }

  /**
   * A forward pass with overrides and taps (what onnxruntime cannot do on the model as it
   * is): compiled like a gradient pass without seeds. Non-finite results run again on our
   * runtime, whose error names the first non-finite tensor.
   */
  async run(req: RunRequest): Promise<Record<string, HostTensor>> {
    if (this.disposed) throw disposedError();
    if (this.notCompilable || req.fetch.length === 0) return this.onnx.run(req);
    const overrides = req.overrides ?? {};
    try {
      const given = this.given(this.shapesFor(req.feeds, overrides), req);
      const [output, ...fetch] = req.fetch;
      const compiled = await this.session(`run|${req.fetch.join(',')}`, req.feeds, overrides, {
        feeds: Object.keys(req.feeds),
        overrides: Object.keys(overrides),
        fetch,
        output: output!,
        wrt: [],
        seeds: 0,
      });
      const { values } = await this.execute(compiled, given, []);
      if (Object.values(values).some((t) => nonFinite(t))) return this.onnx.run(req);
      return values;
    } catch (e) {
      if (!(e instanceof NotCompilableError)) throw e;
      this.fallBack(e.op);
      return this.onnx.run(req);
    }
  }

  private fallBack(op: string): void {
    this.notCompilable = op;
    console.warn(`Glassbox: op ${op} has no ONNX form yet; this model's gradient passes run on Glassbox's own runtime`);
  }

  /** The feeds and the overrides' values for this plan. */
  private given(shapeOf: ShapeOf, req: RunRequest): Record<string, HostTensor> {
    const given: Record<string, HostTensor> = { ...req.feeds };
    for (const name of req.fetch)
      if (!shapeOf(name)) throw new InvalidInputError(`the graph has no tensor named "${name}"`, 'unknown_tensor');
    for (const [name, o] of Object.entries(req.overrides ?? {})) {
      const shape = shapeOf(name);
      if (!shape) throw new InvalidInputError(`cannot override "${name}": the graph has no such tensor`, 'unknown_tensor');
      given[name] = overrideValue(o, shape);
    }
    return given;
  }

  /**
   * The shape every tensor has for these feeds. Where the sizes can stay symbolic, read from
   * the two recordings' plans (cached per size pattern), so that a new length or batch size
   * builds no plan: a tensor whose recorded shapes are products of the symbolic sizes (checked
   * against the second recording) has those products at the run's sizes; any other tensor, or
   * static shapes, come from this shape's own plan.
   */
  private shapesFor(feeds: Record<string, HostTensor>, overrides: Record<string, Override>): ShapeOf {
    let exactPlan: Plan | undefined;
    const exact = () => (exactPlan ??= this.plan(feeds, overrides));
    const sizes = this.symbolicSizes(feeds);
    if (!sizes)
      return Object.assign((name: string) => exact().shapes.get(name), {
        get dynamic() {
          return exact().dynamic;
        },
      });
    const [a, b] = sizes.dims.map((dims) => this.plan(this.feedsAt(feeds, dims), recordingOverrides(overrides))) as [Plan, Plan];
    const [dimsA, dimsB] = sizes.dims;
    const at = (shape: readonly number[], value: (i: number) => number) =>
      shape.map((d) => {
        const { k, powers } = factor(d, dimsA);
        return powers.reduce((p, [dim, e]) => p * value(dimsA.indexOf(dim)) ** e, k);
      });
    const shapeOf = (name: string) => {
      const sa = a.shapes.get(name);
      const sb = b.shapes.get(name);
      if (!sa || !sb) return exact().shapes.get(name);
      const atB = at(sa, (i) => dimsB[i]!.value);
      if (!atB.every((d, i) => d === sb[i])) return exact().shapes.get(name);
      return at(sa, (i) => feeds[dimsA[i]!.input]!.shape[dimsA[i]!.axis]!);
    };
    return Object.assign(shapeOf, { dynamic: a.dynamic });
  }

  async runWithGradient(req: GradientRequest): Promise<{ values: Record<string, HostTensor>; grads: Record<string, HostTensor> }> {
    const { values, grads } = await this.runWithGradients({ ...req, seeds: (value) => [req.seed(value)] });
    return { values, grads: grads[0]! };
  }

  private async compiledRun(req: GradientsRequest): Promise<{ values: Record<string, HostTensor>; grads: Record<string, HostTensor>[] }> {
    const overrides = req.overrides ?? {};
    const shapeOf = this.shapesFor(req.feeds, overrides);
    const given = this.given(shapeOf, req);
    const base = {
      feeds: Object.keys(req.feeds),
      overrides: Object.keys(overrides),
      fetch: req.fetch,
      output: req.output,
      wrt: req.wrt,
    };
    const key = `${req.fetch.join(',')}|${req.output}|${req.wrt.join(',')}`;
    const specs = req.scores;
    if (specs) {
      // Groups and entries are inputs: the model depends only on each score's space, sign and kind of entry.
      const kinds = specs.map((s) => `${s.space}${s.sign}${s.entry === 'max' ? 'max' : ''}`).join(',');
      const compiled = await this.session(`${key}|${kinds}`, req.feeds, overrides, { ...base, seeds: specs });
      const outShape = shapeOf(req.output)!;
      const n = sizeOf(outShape) / (outShape[0] ?? 1);
      const inputs: Record<string, HostTensor> = { ...given };
      specs.forEach((s, j) => {
        const { group, hot } = scoreInputs(s, n);
        const names = compiled.model.scoreInputs[j]!;
        inputs[names.group] = group;
        if (names.hot && hot) inputs[names.hot] = hot;
      });
      const out = await this.execute(compiled, inputs, []);
      req.seeds(out.values[req.output]!); // the caller reads its scores from the output here
      return out;
    }
    const forward = await this.session(`${key}|forward`, req.feeds, overrides, { ...base, wrt: [], fetch: [], seeds: 0 });
    const { values: first } = await this.execute(forward, given, []);
    const seeds = req.seeds(first[req.output]!);
    const compiled = await this.session(`${key}|${seeds.length}`, req.feeds, overrides, { ...base, seeds: seeds.length });
    return this.execute(compiled, given, seeds);
  }

  get graph() {
    return this.onnx.graph;
  }

  private plan(feeds: Record<string, HostTensor>, overrides: Record<string, unknown>): Plan {
    const key = planKey(feeds, Object.keys(overrides));
    let plan = this.plans.get(key);
    if (!plan) {
      plan = buildPlan(this.onnx.graph, feeds, overrides as never, true).plan;
      if (this.plans.size >= MAX_PLANS) this.plans.delete(this.plans.keys().next().value!);
      this.plans.set(key, plan);
    }
    return plan;
  }

  /**
   * The session for this request: one model with symbolic batch and sequence sizes when the
   * compiler can write one (compileSymbolic), shared by every input size; else one model for
   * these exact shapes.
   */
  private session(
    what: string,
    feeds: Record<string, HostTensor>,
    overrides: Record<string, Override>,
    req: GradientModelRequest,
  ): Promise<Compiled> {
    const names = `${Object.keys(feeds).join(',')}|${Object.keys(overrides).join(',')}|${what}`;
    const sizes = this.symbolicSizes(feeds);
    if (sizes && !this.staticOnly.has(`${sizes.pattern}|${names}`)) {
      const key = `symbolic|${sizes.pattern}|${names}`;
      const cached = this.cached(key);
      if (cached) return cached;
      const recorded = sizes.dims.map((dims) => this.plan(this.feedsAt(feeds, dims), recordingOverrides(overrides))) as [Plan, Plan];
      const model = compileSymbolic(this.onnx.graph, recorded, sizes.dims, req);
      if (model) return this.open(key, model);
      this.staticOnly.add(`${sizes.pattern}|${names}`);
    }
    const key = `${planKey(feeds, Object.keys(overrides))}|${names}`;
    // Compiled synchronously, so that an op with no ONNX form throws here, before any session exists.
    return this.cached(key) ?? this.open(key, compileGradients(this.onnx.graph, this.plan(feeds, overrides), req));
  }

  /**
   * The sizes a symbolic model leaves open for these feeds: each distinct size above 1 at a
   * symbolic axis of a graph input (batch, sequence) is one class, recorded at two primes
   * that divide no static size of the model. `pattern` says which axes share a class (a
   * model recorded with B = T holds only for B = T). Undefined where the model must be
   * written with static shapes (other float types than float32, an opset outside 13–17).
   */
  private symbolicSizes(feeds: Record<string, HostTensor>): { pattern: string; dims: [DimClass[], DimClass[]] } | undefined {
    const graph = this.onnx.graph;
    if (graph.otherFloats || graph.opset < 13 || graph.opset > 17) return undefined;
    const classes = new Map<number, { input: string; axis: number }>();
    const pattern: string[] = [];
    for (const input of graph.inputs) {
      input.shape.forEach((d, axis) => {
        if (typeof d === 'number') return;
        const v = feeds[input.name]?.shape[axis];
        if (v === undefined || v <= 1) return void pattern.push(`=${v}`);
        if (!classes.has(v)) classes.set(v, { input: input.name, axis });
        pattern.push(`d${[...classes.keys()].indexOf(v)}`);
      });
    }
    const primes = this.primes();
    if (classes.size === 0 || primes.length < 2 * classes.size) return undefined;
    const at = (offset: number) => [...classes.values()].map((c, i) => ({ name: `d${i}`, value: primes[offset + i]!, ...c }));
    return { pattern: pattern.join(','), dims: [at(0), at(classes.size)] };
  }

  /** Primes that divide no static size or small integer constant of the model (what the recording's sizes are). */
  private primes(): number[] {
    if (!this.recordingPrimes) {
      const statics = new Set<number>();
      for (const t of this.onnx.graph.initializers.values()) {
        for (const d of t.shape) statics.add(d);
        if (t.dtype !== 'float32' && t.data.length <= 64) for (const v of t.data) statics.add(Math.abs(v));
      }
      for (const input of this.onnx.graph.inputs) for (const d of input.shape) if (typeof d === 'number') statics.add(d);
      this.recordingPrimes = PRIMES.filter((p) => ![...statics].some((d) => d !== 0 && d % p === 0));
    }
    return this.recordingPrimes;
  }

  /** The feeds at the recording's sizes (zeros: a shape-only plan reads no feed values). */
  private feedsAt(feeds: Record<string, HostTensor>, dims: readonly DimClass[]): Record<string, HostTensor> {
    const out: Record<string, HostTensor> = {};
    for (const input of this.onnx.graph.inputs) {
      const v = feeds[input.name];
      if (!v) continue;
      const shape = v.shape.map((d, axis) => {
        const dim =
          typeof input.shape[axis] === 'number'
            ? undefined
            : (dims.find((c) => c.input === input.name && c.axis === axis) ?? dims.find((c) => d === this.valueOf(c, feeds)));
        return dim ? dim.value : d;
      });
      out[input.name] = tensor(v.dtype, shape);
    }
    return out;
  }

  private valueOf(dim: DimClass, feeds: Record<string, HostTensor>): number {
    return feeds[dim.input]!.shape[dim.axis]!;
  }

  private cached(key: string): Promise<Compiled> | undefined {
    const s = this.sessions.get(key);
    if (s) {
      this.sessions.delete(key);
      this.sessions.set(key, s);
    }
    return s;
  }

  private open(key: string, model: CompiledGradients): Promise<Compiled> {
    const s = this.create(model);
    this.sessions.set(key, s);
    s.catch(() => this.sessions.delete(key));
    while (this.sessions.size > this.maxSessions) {
      const [oldKey, old] = this.sessions.entries().next().value!;
      this.sessions.delete(oldKey);
      void this.latest.then(() => old.then((c) => c.session.release()).catch(() => undefined));
    }
    return s;
  }

  private async create(model: CompiledGradients): Promise<Compiled> {
    const { ort, flavour } = await this.runtime;
    const providers = flavour === 'node' ? ['cpu'] : this.device === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
    const session = await ort.InferenceSession.create(model.bytes, {
      executionProviders: providers,
      logSeverityLevel: 3,
      graphOptimizationLevel: 'all',
    });
    this.sessionsCreated++;
    return { session, model };
  }

  private async execute(compiled: Compiled, given: Record<string, HostTensor>, seeds: readonly HostTensor[]) {
    const { ort } = await this.runtime;
    const { session, model } = compiled;
    const feeds: Record<string, Ort.Tensor> = {};
    const seedOf = new Map(model.seedInputs.map((name, k) => [name, seeds[k]]));
    for (const name of model.inputs) {
      const v = seedOf.has(name) ? seedOf.get(name) : given[name];
      if (!v) throw new InvalidInputError(`missing model input "${name}"`, 'missing_input');
      feeds[name] = toOrt(ort, v);
    }
    const fetch = [...model.values.values(), ...model.grads.flat()];
    const running = this.latest.then(() => session.run(feeds, fetch));
    this.latest = running.catch(() => undefined);
    const out = await running;
    const values: Record<string, HostTensor> = {};
    for (const [name, as] of model.values) values[name] = toHost(name, out[as]!);
    const grads = model.grads.map((names) => {
      const g: Record<string, HostTensor> = {};
      names.forEach((as, i) => (g[model.wrt[i]!] = toHost(as, out[as]!)));
      return g;
    });
    for (const t of Object.values(out)) t.dispose?.();
    return { values, grads };
  }

  /** Release every session; later calls throw 'disposed'. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await this.latest;
    await Promise.all(sessions.map((s) => s.then((c) => c.session.release()).catch(() => undefined)));
  }
}
