import type { Backend, MemoryStats, Tensor } from '../backend/backend.ts';
import { cpuBackend } from '../backend/cpu/index.ts';
import { Ops } from '../backend/ops.ts';
import { Scope } from '../backend/scope.ts';
import { GlassboxError, InvalidInputError, UnsupportedOpError } from '../errors.ts';
import { backward } from '../graph/backward.ts';
import { execute } from '../graph/execute.ts';
import { type TracedValue, checkFinite, forwardValues } from '../graph/nonFinite.ts';
import type { Graph } from '../graph/ir.ts';
import { isSupported } from '../graph/lower.ts';
import { type Override, type Plan, buildPlan, overrideValue, planKey } from '../graph/plan.ts';
import { type ExternalDataReader, loadOnnx } from '../graph/load.ts';
import type { ScoreSpec } from '../compile/gradientModel.ts';
import { type HostTensor, formatShape } from '../tensor.ts';

export interface RunRequest {
  feeds: Record<string, HostTensor>;
  /** Replace these tensors (any value name in the graph) by the given values or rules. */
  overrides?: Record<string, Override>;
  /** Values to return: graph outputs or any intermediate tensor (a "tap"). */
  fetch: readonly string[];
}

export interface GradientRequest extends RunRequest {
  /** The output whose cotangent `seed` gives. */
  output: string;
  /** Cotangent of `output`, computed from its value (e.g. one-hot at the target class). */
  seed: (value: HostTensor) => HostTensor;
  /**
   * Differentiate with respect to these tensors. A feed or an overridden tensor is a leaf
   * (the path starts at its supplied value); any other intermediate tensor gets its total
   * gradient, through every later path, as a PyTorch hook on it would.
   */
  wrt: readonly string[];
  /** `seed` as a score written in the graph (see GradientsRequest's `scores`). */
  scores?: readonly ScoreSpec[];
}

/** Several cotangents of one output, each with its own backward pass from one forward pass. */
export interface GradientsRequest extends RunRequest {
  output: string;
  /** Cotangents of `output`, computed from its value (e.g. one one-hot per target class). */
  seeds: (value: HostTensor) => readonly HostTensor[];
  /** As GradientRequest's `wrt`. */
  wrt: readonly string[];
  /**
   * The same seeds as scores written in the graph, one per seed (when every seed has one):
   * an engine that compiles the pass (OrtGradients) then gets values and gradients from one
   * run, and calls `seeds` only for the caller to read its scores. Our runtime ignores it.
   */
  scores?: readonly ScoreSpec[];
}

/** Plans kept per model (one per input shape and override set), least recently used dropped first. */
const MAX_PLANS = 64;

/** An ONNX graph on a backend, with forward passes that take overrides and taps, and gradients. */
export class OnnxModel {
  private readonly plans = new Map<string, Plan>();
  /** Plan constants on the backend, by host tensor: initializers are shared by every plan. */
  private readonly uploads = new Map<HostTensor, Tensor>();
  /** The backend generation the uploads belong to (a lost WebGPU device takes them along). */
  private generation = 0;
  private disposed = false;
  /** Calls in flight (run, runWithGradients). */
  private running = 0;

  constructor(
    readonly graph: Graph,
    readonly backend: Backend = cpuBackend as unknown as Backend,
  ) {
    const unsupported = graph.nodes.find((n) => !isSupported(n));
    if (unsupported)
      throw new UnsupportedOpError(
        unsupported.opType,
        unsupported.name,
        graph.opset,
        unsupported.domain ? `domain ${unsupported.domain}` : '',
      );
  }

  static async fromBytes(bytes: Uint8Array, readExternal?: ExternalDataReader, backend?: Backend): Promise<OnnxModel> {
    return new OnnxModel(await loadOnnx(bytes, readExternal), backend);
  }

  get inputNames(): string[] {
    return this.graph.inputs.map((i) => i.name);
  }

  /** The plan for these feeds, and the host values computed while building it if it is new. */
  private plan(feeds: Record<string, HostTensor>, overrides: Record<string, Override>): { plan: Plan; values?: Map<string, HostTensor> } {
    if (this.disposed)
      throw new GlassboxError('disposed', 'this model was disposed (dispose() gave back its memory); load it again to use it');
    for (const input of this.graph.inputs) {
      const v = feeds[input.name];
      if (!v) throw new InvalidInputError(`missing model input "${input.name}"`, 'missing_input');
      if (v.shape.length !== input.shape.length) {
        throw new InvalidInputError(
          `model input "${input.name}" has rank ${input.shape.length}, got shape ${formatShape(v.shape)}`,
          'input_shape',
        );
      }
    }
    const key = planKey(feeds, Object.keys(overrides));
    const cached = this.plans.get(key);
    if (cached) {
      this.plans.delete(key); // most recently used last
      this.plans.set(key, cached);
      return { plan: cached };
    }
    const built = buildPlan(this.graph, feeds, overrides);
    if (this.plans.size >= MAX_PLANS) {
      const [oldKey, old] = this.plans.entries().next().value!;
      this.plans.delete(oldKey);
      this.releaseConstants(old);
    }
    this.plans.set(key, built.plan);
    return built;
  }

  /**
   * The plan these feeds and override names run with (built and cached if new): its steps
   * in graph order and the shape of every value. On the CPU backend a plan built here
   * costs one host evaluation of the graph that the next run does not reuse.
   */
  planFor(feeds: Record<string, HostTensor>, overrides: Record<string, Override> = {}): Plan {
    return this.plan(feeds, overrides).plan;
  }

  /** Free a plan's folded constants on the backend (initializers stay: other plans share them). */
  private releaseConstants(plan: Plan): void {
    for (const [name, host] of plan.constants) {
      const t = this.uploads.get(host);
      if (t && !this.graph.initializers.has(name)) {
        this.backend.release(t);
        this.uploads.delete(host);
      }
    }
  }

  /**
   * Give back everything this model holds on its backend: its weights and plan constants are
   * destroyed (not pooled) and the device's pool is emptied. Idempotent; any later call throws
   * a GlassboxError with code 'disposed'.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.plans.clear();
    // A call in flight finishes the pass it is in (its next one throws 'disposed'); the last to end gives the memory back.
    if (this.running === 0) this.giveBack();
  }

  private giveBack(): void {
    // Uploads made on a device that was lost since went with it.
    if ((this.backend.generation ?? 0) === this.generation) {
      for (const t of this.uploads.values()) (this.backend.free ?? this.backend.release).call(this.backend, t);
    }
    this.uploads.clear();
    this.backend.trim?.();
  }

  /** A scope for one call's tensors, counted as running until `end`. */
  private begin(): Scope {
    this.running++;
    return new Scope(this.backend);
  }

  private end(scope: Scope): void {
    scope.releaseAll();
    if (--this.running === 0 && this.disposed) this.giveBack();
  }

  /** What the backend's device holds now (undefined on the CPU). */
  memoryStats(): MemoryStats | undefined {
    return this.backend.memoryStats?.();
  }

  private forward(req: RunRequest, scope: Scope, extraFetch: readonly string[] = []) {
    const { plan, values } = this.plan(req.feeds, req.overrides ?? {});
    const overrides = Object.fromEntries(
      Object.entries(req.overrides ?? {}).map(([name, o]) => {
        const shape = plan.shapes.get(name);
        if (!shape) throw new InvalidInputError(`cannot override "${name}": the graph has no such tensor`, 'unknown_tensor');
        return [name, overrideValue(o, shape)];
      }),
    );
    const constant = (name: string) => {
      const host = plan.constants.get(name)!;
      let t = this.uploads.get(host);
      if (!t) this.uploads.set(host, (t = this.backend.upload(host)));
      return t;
    };
    const up = (r: Record<string, HostTensor>) => new Map(Object.entries(r).map(([k, v]) => [k, scope.upload(v)]));
    const fetch = [...req.fetch, ...extraFetch];
    for (const name of fetch) {
      if (!plan.shapes.has(name)) throw new InvalidInputError(`the graph has no tensor named "${name}"`, 'unknown_tensor');
    }
    // On the CPU backend a new plan's host evaluation already was this forward pass.
    const env =
      values && this.backend.name === 'cpu'
        ? (values as Map<string, Tensor>)
        : execute(plan, scope, constant, up(req.feeds), up(overrides), fetch);
    return { plan, env };
  }

  private async readAll(env: Map<string, Tensor>, names: readonly string[]): Promise<Record<string, HostTensor>> {
    const out: Record<string, HostTensor> = {};
    for (const name of names) out[name] = await this.backend.read(env.get(name)!);
    return out;
  }

  /** Wait for the backend; drop uploads made on a device that has since been replaced. */
  private async ready(): Promise<void> {
    await this.backend.ready?.();
    const generation = this.backend.generation ?? 0;
    if (generation !== this.generation) {
      this.uploads.clear();
      this.generation = generation;
    }
  }

  /**
   * How many rows (batch items) of these single-row feeds fit in one pass on this backend:
   * every value of a pass stays alive until its gradient is done, and no tensor may exceed
   * the backend's largest binding.
   */
  rowsPerPass(feeds: Record<string, HostTensor>): number {
    const { plan } = this.plan(feeds, {});
    let total = 0;
    let largest = 0;
    for (const name of plan.dynamic) {
      const bytes = 4 * (plan.shapes.get(name) ?? []).reduce((p, d) => p * d, 1);
      total += bytes;
      largest = Math.max(largest, bytes);
    }
    const { maxTensorBytes, budgetBytes } = this.backend.memory();
    // Activations plus their gradients: about twice the forward's live values.
    return Math.max(1, Math.min(Math.floor(maxTensorBytes / Math.max(largest, 1)), Math.floor(budgetBytes / Math.max(2 * total, 1))));
  }

  /** Throws a NonFiniteError naming the first non-finite value of the pass when one of `results` is not finite. */
  private checkForward(plan: Plan, env: Map<string, Tensor>, req: RunRequest, results: Record<string, HostTensor>): Promise<void> {
    const given = [...Object.keys(req.feeds), ...Object.keys(req.overrides ?? {})];
    return checkFinite(
      'forward',
      results,
      () => forwardValues(plan, env, given),
      (t) => this.backend.read(t),
    );
  }

  async run(req: RunRequest): Promise<Record<string, HostTensor>> {
    await this.ready();
    const scope = this.begin();
    try {
      const { plan, env } = this.forward(req, scope);
      const out = await this.readAll(env, req.fetch);
      await this.checkForward(plan, env, req, out);
      return out;
    } finally {
      this.end(scope);
    }
  }

  async runWithGradient(req: GradientRequest): Promise<{ values: Record<string, HostTensor>; grads: Record<string, HostTensor> }> {
    const { values, grads } = await this.runWithGradients({ ...req, seeds: (value) => [req.seed(value)] });
    return { values, grads: grads[0]! };
  }

  /**
   * One forward pass, then one backward pass per seed from the same forward values: the
   * gradients of several targets for the cost of one forward. `grads[s]` answers seed s.
   * Each backward pass's tensors are released before the next one, so the memory a pass
   * needs is that of a single gradient.
   */
  async runWithGradients(req: GradientsRequest): Promise<{ values: Record<string, HostTensor>; grads: Record<string, HostTensor>[] }> {
    await this.ready();
    const scope = this.begin();
    try {
      const { plan, env } = this.forward(req, scope, [req.output]);
      const outValue = await this.backend.read(env.get(req.output)!);
      await this.checkForward(plan, env, req, { [req.output]: outValue });
      const overridden = new Set(Object.keys(req.overrides ?? {}));
      const grads: Record<string, HostTensor>[] = [];
      for (const seed of req.seeds(outValue)) {
        const pass = new Scope(this.backend);
        try {
          const seeds = new Map([[req.output, pass.upload(seed)]]);
          const g = backward(plan, new Ops(pass), env, seeds, req.wrt, overridden);
          const out: Record<string, HostTensor> = {};
          for (const w of req.wrt) {
            const t = g.get(w);
            if (!t) throw new GlassboxError('no_path', `"${req.output}" does not depend on "${w}"`);
            out[w] = await this.backend.read(t);
          }
          // Only when a gradient is non-finite: the same backward pass again, recording each gradient to find the first.
          const traced: TracedValue[] = [{ name: req.output, tensor: seeds.get(req.output)! }];
          await checkFinite(
            'backward',
            out,
            () => (backward(plan, new Ops(pass), env, seeds, req.wrt, overridden, (v) => traced.push(v)), traced),
            (t) => this.backend.read(t),
          );
          grads.push(out);
        } finally {
          pass.releaseAll();
        }
      }
      const values = await this.readAll(env, req.fetch);
      values[req.output] = outValue;
      return { values, grads };
    } finally {
      this.end(scope);
    }
  }
}
