import type { Attrs, Backend } from '../backend/backend.ts';
import { Ops } from '../backend/ops.ts';
import { GlassboxError } from '../errors.ts';
import { backward } from '../graph/backward.ts';
import { neededSteps } from '../graph/execute.ts';
import type { Graph } from '../graph/ir.ts';
import type { Plan } from '../graph/plan.ts';
import { type EncodedNode, type EncodedValue, encodeModel } from '../onnx/encode.ts';
import { type DType, type HostTensor, sizeOf, tensor } from '../tensor.ts';
import { type Emitter, OPSET, type Sym, onnxOp } from './onnxOps.ts';

/**
 * The explained score of one target, computed inside the graph from the explained output
 * (so one run gives its gradient): in each row, the `size` values from `offset` of the
 * flattened output form a group of logits; the score is entry `entry` of the group (an
 * index fed at run time as a one-hot input, or 'max': the row's own argmax) in `space`,
 * times `sign`. The same numbers as classScores / entryScorer compute on the host.
 */
export interface ScoreSpec {
  offset: number;
  /** Entries in the group; undefined: the rest of the row from `offset`. */
  size?: number;
  entry: number | 'max';
  space: 'logits' | 'softmax' | 'log-softmax' | 'sigmoid' | 'log-sigmoid';
  sign: 1 | -1;
}

export interface GradientModelRequest {
  /** Model inputs given at run time. */
  feeds: readonly string[];
  /** Tensors replaced by values given at run time (their producers are not run). */
  overrides: readonly string[];
  /** Values returned besides the explained output. */
  fetch: readonly string[];
  output: string;
  wrt: readonly string[];
  /** Cotangents of `output`: k of them fed at run time, or computed in the graph from score specs. */
  seeds: number | readonly ScoreSpec[];
}

/** Graph input and output names of a compiled gradient model. */
export interface CompiledGradients {
  bytes: Uint8Array;
  /** Every graph input: feeds and overrides (their own names), then the seed or target inputs. */
  inputs: string[];
  /** Input k: seed k's cotangent of the output (host seeds) or target k's one-hot [1, size] (score specs with an index entry; absent for 'max'). */
  seedInputs: (string | undefined)[];
  /** The output's value, and each fetched value, by name. */
  values: Map<string, string>;
  /** grads[k][i]: the gradient of wrt[i] under seed k. */
  grads: string[][];
  wrt: readonly string[];
}

/** Thrown when a plan holds an op the compiler cannot write as ONNX; the caller falls back to our runtime. */
export class NotCompilableError extends GlassboxError {
  constructor(readonly op: string) {
    super('not_compilable', `no ONNX form for op ${op}`);
  }
}

const PREFIX = 'gb/';

/** Records kernel calls as ONNX nodes: a Backend whose tensors are names (what `Ops` sees while a VJP is written down). */
export class GraphWriter implements Emitter {
  readonly nodes: EncodedNode[] = [];
  readonly initializers = new Map<string, HostTensor>();
  private readonly small = new Map<string, string>();
  private count = 0;

  fresh(): string {
    return `${PREFIX}${this.count++}`;
  }

  node(opType: string, inputs: readonly string[], attrs: Attrs = {}, outputs: number | readonly string[] = 1): string[] {
    const names = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh()) : [...outputs];
    this.nodes.push({ opType, inputs, outputs: names, attrs });
    return names;
  }

  constant(t: HostTensor): string {
    const key = t.data.length <= 16 ? `${t.dtype}[${t.shape.join(',')}]${Array.from(t.data).join(',')}` : undefined;
    const known = key && this.small.get(key);
    if (known) return known;
    const name = this.fresh();
    this.initializers.set(name, t);
    if (key) this.small.set(key, name);
    return name;
  }

  /** One of our kernels, run on named values: its ONNX nodes, and its outputs' types and shapes. */
  run(op: string, inputs: readonly Sym[], attrs: Attrs = {}): Sym[] {
    const entry = onnxOp(op);
    if (!entry) throw new NotCompilableError(op);
    const outs = entry.infer(inputs, attrs);
    const names = outs.map(() => this.fresh());
    entry.emit(this, inputs, attrs, names);
    return outs.map((o, i) => ({ ...o, name: names[i]! }));
  }

  /** The VJP registry's `Ops`, writing nodes here. */
  ops(): Ops<Sym> {
    const backend = {
      name: 'cpu',
      upload: (t: HostTensor): Sym => ({ name: this.constant(t), dtype: t.dtype, shape: [...t.shape] }),
      run: (op: string, inputs: readonly Sym[], attrs?: Attrs) => this.run(op, inputs, attrs),
      read: () => Promise.reject(new Error('a graph being written has no values')),
      release: () => undefined,
      hasKernel: (op: string) => onnxOp(op) !== undefined,
      memory: () => ({ maxTensorBytes: Infinity, budgetBytes: Infinity }),
    };
    return new Ops(backend as unknown as Backend<Sym>);
  }
}

/**
 * One ONNX model computing the explained output, the fetched values and, for each seed, the
 * gradient of every `wrt` tensor: the plan's forward steps as nodes, the overridden tensors
 * as graph inputs, and the reverse pass written by the VJP registry through an `Ops` that
 * records nodes. Standard ops only (opset 17), every shape static (the plan's).
 */
export function compileGradients(graph: Graph, plan: Plan, req: GradientModelRequest): CompiledGradients {
  const w = new GraphWriter();
  const env = new Map<string, Sym>();
  const sym = (name: string): Sym => ({ name, dtype: plan.dtypes.get(name)!, shape: plan.shapes.get(name)! });
  const inputs: EncodedValue[] = [];
  const given = new Set([...req.feeds, ...req.overrides]);
  const overridden = new Set(req.overrides);
  const taps = req.wrt.filter((name) => !given.has(name));
  const steps = neededSteps(plan, [req.output, ...req.fetch, ...taps], overridden);
  const read = new Set(steps.flatMap((s) => s.inputs));
  for (const name of [...req.feeds, ...req.overrides]) {
    if (!read.has(name) && !req.wrt.includes(name) && !req.fetch.includes(name)) continue;
    env.set(name, sym(name));
    inputs.push({ name, dtype: plan.dtypes.get(name)!, shape: plan.shapes.get(name)! });
  }
  const value = (name: string): Sym => {
    let v = env.get(name);
    if (!v) {
      const host = plan.constants.get(name);
      if (!host) throw new GlassboxError('bad_graph', `value "${name}" is not available`);
      w.initializers.set(name, host);
      v = { name, dtype: host.dtype, shape: host.shape };
      env.set(name, v);
    }
    return v;
  };
  for (const step of steps) {
    const entry = onnxOp(step.op);
    if (!entry) throw new NotCompilableError(step.op);
    const args = step.inputs.map((name) => (name ? value(name) : undefined));
    // Outputs our kernel does not compute (Dropout's mask, LayerNormalization's statistics) are left off.
    const outputs = step.outputs.map((name) => (name && plan.shapes.has(name) && !overridden.has(name) ? name : ''));
    while (outputs.length && !outputs[outputs.length - 1]) outputs.pop();
    entry.emit(w, args as Sym[], step.attrs, outputs);
    for (const name of outputs) if (name) env.set(name, sym(name));
  }
  const out = value(req.output);
  const seedInputs: (string | undefined)[] = [];
  const seeds: Sym[] = [];
  const k = typeof req.seeds === 'number' ? req.seeds : req.seeds.length;
  for (let j = 0; j < k; j++) {
    if (typeof req.seeds === 'number') {
      const name = `${PREFIX}seed${j}`;
      inputs.push({ name, dtype: 'float32', shape: out.shape });
      seedInputs.push(name);
      seeds.push({ name, dtype: 'float32', shape: out.shape });
    } else {
      const spec = req.seeds[j]!;
      const target = spec.entry === 'max' ? undefined : `${PREFIX}target${j}`;
      if (target) inputs.push({ name: target, dtype: 'float32', shape: [1, groupSize(spec, out.shape)] });
      seedInputs.push(target);
      seeds.push(scoreSeed(w, out, spec, target));
    }
  }
  const ops = w.ops();
  const grads = seeds.map((seed, j) => {
    const g = backward(plan, ops, env, new Map([[req.output, seed]]), req.wrt, overridden);
    return req.wrt.map((name, i) => {
      const t = g.get(name);
      if (!t) throw new GlassboxError('no_path', `"${req.output}" does not depend on "${name}"`);
      return w.node('Identity', [t.name], {}, [`${PREFIX}grad${j}/${i}`])[0]!;
    });
  });
  const values = new Map<string, string>();
  for (const name of [req.output, ...req.fetch]) {
    if (!values.has(name)) values.set(name, w.node('Identity', [value(name).name], {}, [`${PREFIX}value/${name}`])[0]!);
  }
  const outputs: EncodedValue[] = [
    ...[...values].map(([name, as]) => ({ name: as, dtype: value(name).dtype, shape: value(name).shape })),
    ...grads.flatMap((names) => names.map((name, i) => ({ name, dtype: 'float32' as DType, shape: value(req.wrt[i]!).shape }))),
  ];
  const bytes = encodeModel({ nodes: w.nodes, initializers: w.initializers, inputs, outputs, opset: OPSET });
  return { bytes, inputs: inputs.map((i) => i.name), seedInputs, values, grads, wrt: req.wrt };
}

/** How many entries a score spec's group has in rows of an output of this shape. */
export function groupSize(spec: ScoreSpec, outShape: readonly number[]): number {
  return spec.size ?? sizeOf(outShape) / (outShape[0] ?? 1) - spec.offset;
}

/** The cotangent of the output that differentiates the spec's score, written as nodes (classScores' formulas). */
function scoreSeed(w: GraphWriter, out: Sym, given: ScoreSpec, target: string | undefined): Sym {
  const rows = out.shape[0] ?? 1;
  const n = sizeOf(out.shape) / rows;
  const spec = { ...given, size: groupSize(given, out.shape) };
  const one = (op: string, inputs: string[], attrs?: Attrs) => w.node(op, inputs, attrs)[0]!;
  const ints = (v: number[]) => w.constant(tensor('int64', [v.length], v));
  const scalar = (v: number) => w.constant(tensor('float32', [], [v]));
  const flat = one('Reshape', [out.name, ints([rows, n])]);
  const group = spec.offset === 0 && spec.size === n ? flat : one('Slice', [flat, ints([spec.offset]), ints([spec.offset + spec.size]), ints([1]), ints([1])]);
  let hot: string;
  if (target) hot = target;
  else {
    const positions = w.constant(tensor('int64', [1, spec.size], Array.from({ length: spec.size }, (_, i) => i)));
    hot = one('Cast', [one('Equal', [one('ArgMax', [group], { axis: 1, keepdims: 1 }), positions])], { to: 1 });
  }
  const axes = ints([1]);
  const picked = (v: string) => one('ReduceSum', [one('Mul', [v, hot]), axes], { keepdims: 1 });
  let seed: string;
  switch (spec.space) {
    case 'logits':
      seed = one('Expand', [hot, ints([rows, spec.size])]);
      break;
    case 'softmax': {
      const p = one('Softmax', [group], { axis: 1 });
      seed = one('Mul', [picked(p), one('Sub', [hot, p])]);
      break;
    }
    case 'log-softmax':
      seed = one('Sub', [hot, one('Softmax', [group], { axis: 1 })]);
      break;
    case 'sigmoid': {
      const s = one('Sigmoid', [picked(group)]);
      seed = one('Mul', [hot, one('Mul', [s, one('Sub', [scalar(1), s])])]);
      break;
    }
    case 'log-sigmoid':
      seed = one('Mul', [hot, one('Sub', [scalar(1), one('Sigmoid', [picked(group)])])]);
      break;
  }
  if (spec.sign === -1) seed = one('Neg', [seed]);
  if (spec.size !== n) seed = one('Pad', [seed, ints([0, spec.offset, 0, n - spec.offset - spec.size]), scalar(0)], { mode: 'constant' });
  const shaped = one('Reshape', [seed, ints([...out.shape])]);
  return { name: shaped, dtype: 'float32', shape: out.shape };
}
