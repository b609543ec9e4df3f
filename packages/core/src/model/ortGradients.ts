import type * as Ort from 'onnxruntime-web';
import { type CompiledGradients, NotCompilableError, compileGradients, scoreInputs } from '../compile/gradientModel.ts';
import { GlassboxError, InvalidInputError } from '../errors.ts';
import { nonFinite } from '../graph/nonFinite.ts';
import { type Plan, buildPlan, overrideValue, planKey } from '../graph/plan.ts';
import { type HostTensor, sizeOf } from '../tensor.ts';
import type { GradientRequest, GradientsRequest, OnnxModel, RunRequest } from './onnxModel.ts';
import type { OrtRuntime } from './ortRuntime.ts';
import { toHost, toOrt } from './ortTensors.ts';

const disposedError = () => new GlassboxError('disposed', 'this model was disposed (dispose() released its onnxruntime sessions); load it again to use it');

/**
 * Compiled sessions kept per model, least recently used released first. Each holds a copy of
 * the weights, so as many as fit in SESSION_WEIGHT_BUDGET, within [MIN_SESSIONS,
 * MAX_SESSIONS]: a small model keeps the sessions of every input shape a mixed workload
 * returns to (three thrash: each explanation compiled and created a session again).
 */
const MIN_SESSIONS = 3;
const MAX_SESSIONS = 16;
const SESSION_WEIGHT_BUDGET = 256 * 2 ** 20;
/** Shape plans kept per model. */
const MAX_PLANS = 64;

interface Compiled {
  session: Ort.InferenceSession;
  model: CompiledGradients;
}

/**
 * Gradient passes executed by onnxruntime: each request's forward and reverse pass is
 * compiled to one ONNX model (compile/gradientModel.ts) for its input shapes and run as
 * one session. When every seed has an in-graph score (`scores`), one run gives values and
 * gradients; otherwise a forward-only run gives the output, the host computes the seeds,
 * and a second run gives the gradients. A plan the compiler cannot write falls back to our
 * runtime (one warning naming the op); so does a non-finite result, so that its error names
 * the first tensor that went non-finite.
 */
export class OrtGradients {
  private readonly plans = new Map<string, Plan>();
  private readonly sessions = new Map<string, Promise<Compiled>>();
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
    const plan = this.plan(feeds, {});
    let total = 0;
    for (const name of plan.dynamic) total += 4 * (plan.shapes.get(name) ?? []).reduce((p, d) => p * d, 1);
    // Activations and their gradients within 1 GiB.
    return Math.max(1, Math.floor(2 ** 30 / Math.max(2 * total, 1)));
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
      const plan = this.plan(req.feeds, overrides);
      const given = this.given(plan, req);
      const [output, ...fetch] = req.fetch;
      const key = `${planKey(req.feeds, Object.keys(overrides))}|run|${req.fetch.join(',')}`;
      const compiled = await this.session(key, plan, { feeds: Object.keys(req.feeds), overrides: Object.keys(overrides), fetch, output: output!, wrt: [], seeds: 0 });
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
  private given(plan: Plan, req: RunRequest): Record<string, HostTensor> {
    const given: Record<string, HostTensor> = { ...req.feeds };
    for (const [name, o] of Object.entries(req.overrides ?? {})) given[name] = overrideValue(o, plan.shapes.get(name)!);
    for (const name of req.fetch) if (!plan.shapes.has(name)) throw new InvalidInputError(`the graph has no tensor named "${name}"`, 'unknown_tensor');
    return given;
  }

  async runWithGradient(req: GradientRequest): Promise<{ values: Record<string, HostTensor>; grads: Record<string, HostTensor> }> {
    const { values, grads } = await this.runWithGradients({ ...req, seeds: (value) => [req.seed(value)] });
    return { values, grads: grads[0]! };
  }

  private async compiledRun(req: GradientsRequest): Promise<{ values: Record<string, HostTensor>; grads: Record<string, HostTensor>[] }> {
    const overrides = req.overrides ?? {};
    const plan = this.plan(req.feeds, overrides);
    const given = this.given(plan, req);
    const base = {
      feeds: Object.keys(req.feeds),
      overrides: Object.keys(overrides),
      fetch: req.fetch,
      output: req.output,
      wrt: req.wrt,
    };
    const key = `${planKey(req.feeds, Object.keys(overrides))}|${req.fetch.join(',')}|${req.output}|${req.wrt.join(',')}`;
    const specs = req.scores;
    if (specs) {
      // Groups and entries are inputs: the model depends only on each score's space, sign and kind of entry.
      const kinds = specs.map((s) => `${s.space}${s.sign}${s.entry === 'max' ? 'max' : ''}`).join(',');
      const compiled = await this.session(`${key}|${kinds}`, plan, { ...base, seeds: specs });
      const outShape = plan.shapes.get(req.output)!;
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
    const forward = await this.session(`${key}|forward`, plan, { ...base, wrt: [], fetch: [], seeds: 0 });
    const { values: first } = await this.execute(forward, given, []);
    const seeds = req.seeds(first[req.output]!);
    const compiled = await this.session(`${key}|${seeds.length}`, plan, { ...base, seeds: seeds.length });
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

  private session(key: string, plan: Plan, req: Parameters<typeof compileGradients>[2]): Promise<Compiled> {
    let s = this.sessions.get(key);
    if (s) {
      this.sessions.delete(key);
      this.sessions.set(key, s);
      return s;
    }
    // Compiled synchronously, so that an op with no ONNX form throws here, before any session exists.
    const model = compileGradients(this.onnx.graph, plan, req);
    s = this.create(model);
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
    const session = await ort.InferenceSession.create(model.bytes, { executionProviders: providers, logSeverityLevel: 3, graphOptimizationLevel: 'all' });
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
