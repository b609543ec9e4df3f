import type { Attrs, Backend } from '../backend/backend.ts';
import { Ops } from '../backend/ops.ts';
import { GlassboxError } from '../errors.ts';
import { backward } from '../graph/backward.ts';
import { neededSteps } from '../graph/execute.ts';
import type { Graph } from '../graph/ir.ts';
import type { Plan } from '../graph/plan.ts';
import { type EncodedNode, type EncodedValue, encodeModel } from '../onnx/encode.ts';
import { type DType, type HostTensor, sizeOf, tensor } from '../tensor.ts';
import { type Emitter, OPSET, type Sym, onnxOp } from '../graph/onnxOps.ts';

/**
 * The explained score of one target, computed inside the graph from the explained output
 * (so one run gives its gradient): in each row, the `size` values from `offset` of the
 * flattened output form a group of logits; the score is entry `entry` of the group (an
 * index, or 'max': the row's own argmax in the group) in `space`, times `sign`: the numbers
 * classScores / entryScorer compute on the host. The group and the entry are fed at run time
 * (scoreInputs), so they are not part of the model.
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
  /** Input k: seed k's cotangent of the output (host seeds). */
  seedInputs: string[];
  /** Inputs of score spec k: its group mask and (index entries) its one-hot (see scoreInputs). */
  scoreInputs: { group: string; hot?: string }[];
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

/**
 * A size the compiled model leaves symbolic: the recording's value (a prime no static size
 * of the model is a multiple of) and where the run's value is read (an input's axis).
 */
export interface DimClass {
  name: string;
  value: number;
  input: string;
  axis: number;
}

/** A recorded size as k · Π dimᵉ: its symbolic factors, or none (a static size). */
export function factor(v: number, dims: readonly DimClass[]): { k: number; powers: [DimClass, number][] } {
  const powers: [DimClass, number][] = [];
  let k = v;
  if (k > 1) {
    for (const d of dims) {
      let e = 0;
      while (k % d.value === 0) {
        k /= d.value;
        e++;
      }
      if (e) powers.push([d, e]);
    }
  }
  return { k, powers };
}

/** A recorded shape as ONNX dims: static sizes as numbers, one symbolic size as its name, products unknown (null). */
export function symbolicShape(shape: readonly number[], dims: readonly DimClass[]): (number | string | null)[] {
  return shape.map((d) => {
    const { k, powers } = factor(d, dims);
    if (powers.length === 0) return d;
    return k === 1 && powers.length === 1 && powers[0]![1] === 1 ? powers[0]![0].name : null;
  });
}

/** Records kernel calls as ONNX nodes: a Backend whose tensors are names (what `Ops` sees while a VJP is written down). */
export class GraphWriter implements Emitter {
  readonly nodes: EncodedNode[] = [];
  readonly initializers = new Map<string, HostTensor>();
  private readonly small = new Map<string, string>();
  private readonly dimValues = new Map<string, string>();
  private count = 0;

  /** `dims`: the sizes that stay symbolic (none: every shape is the recording's). */
  constructor(readonly dims: readonly DimClass[] = []) {}

  ints(values: readonly number[]): string {
    const parts = values.map((v) => factor(v, this.dims));
    if (parts.every((p) => p.powers.length === 0)) return this.constant(tensor('int64', [values.length], values));
    const pieces = parts.map(({ k, powers }) => {
      let piece = powers.length === 0 || k !== 1 ? this.constant(tensor('int64', [1], [k])) : undefined;
      for (const [dim, e] of powers)
        for (let i = 0; i < e; i++) piece = piece ? this.node('Mul', [piece, this.dimValue(dim)])[0]! : this.dimValue(dim);
      return piece!;
    });
    return pieces.length === 1 ? pieces[0]! : this.node('Concat', pieces, { axis: 0 })[0]!;
  }

  range(n: number): string {
    if (factor(n, this.dims).powers.length === 0)
      return this.constant(
        tensor(
          'int64',
          [n],
          Array.from({ length: n }, (_, i) => i),
        ),
      );
    const scalar = (v: string) => this.node('Reshape', [v, this.constant(tensor('int64', [0], []))])[0]!;
    return this.node('Range', [
      this.constant(tensor('int64', [], [0])),
      scalar(this.ints([n])),
      this.constant(tensor('int64', [], [1])),
    ])[0]!;
  }

  /** The run's value of a symbolic size, int64 [1], read from its input's shape once. */
  private dimValue(dim: DimClass): string {
    let v = this.dimValues.get(dim.name);
    if (!v) {
      const ints = (x: number) => this.constant(tensor('int64', [1], [x]));
      v = this.node('Slice', [this.node('Shape', [dim.input])[0]!, ints(dim.axis), ints(dim.axis + 1)])[0]!;
      this.dimValues.set(dim.name, v);
    }
    return v;
  }

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
  return writeModel(new GraphWriter(), graph, plan, req, 'plan');
}

/**
 * The same model with symbolic sizes: the graph's own forward nodes (which compute their
 * shapes at run time) and a reverse pass recorded at sizes no static size is a multiple of,
 * its sizes read from the inputs' shapes at run time. Recorded twice, at two sets of sizes
 * (`dims[0]`, `dims[1]`, with `plans` for each); undefined unless both give the same model
 * (a size the reverse pass does not derive as a product of the symbolic sizes, e.g. T − 1,
 * or data whose length follows one). One model then serves every batch and sequence size.
 */
export function compileSymbolic(
  graph: Graph,
  plans: readonly [Plan, Plan],
  dims: readonly [DimClass[], DimClass[]],
  req: GradientModelRequest,
): CompiledGradients | undefined {
  const [a, b] = [0, 1].map((i) => writeModel(new GraphWriter(dims[i]), graph, plans[i]!, req, 'graph', dims[i]));
  if (a!.bytes.length !== b!.bytes.length || !a!.bytes.every((v, i) => v === b!.bytes[i])) return undefined;
  return a;
}

function writeModel(
  w: GraphWriter,
  graph: Graph,
  plan: Plan,
  req: GradientModelRequest,
  forward: 'plan' | 'graph',
  dims: readonly DimClass[] = [],
): CompiledGradients {
  const env = new Map<string, Sym>();
  const sym = (name: string): Sym => ({ name, dtype: plan.dtypes.get(name)!, shape: plan.shapes.get(name)! });
  const shapeOf = (shape: readonly number[]) => symbolicShape(shape, dims);
  const inputs: EncodedValue[] = [];
  const given = new Set([...req.feeds, ...req.overrides]);
  const overridden = new Set(req.overrides);
  const taps = req.wrt.filter((name) => !given.has(name));
  const targets = [req.output, ...req.fetch, ...taps];
  const value = (name: string): Sym => {
    let v = env.get(name);
    if (!v) {
      const host = plan.constants.get(name) ?? graph.initializers.get(name);
      if (!host) throw new GlassboxError('bad_graph', `value "${name}" is not available`);
      w.initializers.set(name, host);
      v = { name, dtype: host.dtype, shape: host.shape };
      env.set(name, v);
    }
    return v;
  };
  if (forward === 'plan') {
    const steps = neededSteps(plan, targets, overridden);
    const read = new Set(steps.flatMap((s) => s.inputs));
    for (const name of [...req.feeds, ...req.overrides]) {
      if (!read.has(name) && !req.wrt.includes(name) && !req.fetch.includes(name)) continue;
      env.set(name, sym(name));
      inputs.push({ name, dtype: plan.dtypes.get(name)!, shape: plan.shapes.get(name)! });
    }
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
  } else {
    // Every feed is an input (the symbolic sizes are read from their shapes); overrides take their recorded shapes, symbolic.
    for (const input of graph.inputs) {
      if (!req.feeds.includes(input.name)) continue;
      env.set(input.name, sym(input.name));
      inputs.push({ name: input.name, dtype: input.dtype, shape: input.shape });
    }
    for (const name of req.overrides) {
      env.set(name, sym(name));
      if (!req.feeds.includes(name)) inputs.push({ name, dtype: plan.dtypes.get(name)!, shape: shapeOf(plan.shapes.get(name)!) });
    }
    for (const node of graphNodesFor(graph, targets, given)) {
      for (const name of node.inputs) if (name && !env.has(name)) value(name);
      w.nodes.push({
        opType: node.opType,
        domain: node.domain,
        inputs: node.inputs,
        outputs: node.outputs,
        attrs: node.attrs,
        floatAttrs: node.floatAttrs ?? [],
        name: node.name,
      });
      for (const name of node.outputs) if (name && plan.shapes.has(name)) env.set(name, sym(name));
    }
  }
  const out = value(req.output);
  const seedInputs: string[] = [];
  const specInputs: { group: string; hot?: string }[] = [];
  const seeds: Sym[] = [];
  const rowSize = sizeOf(out.shape) / (out.shape[0] ?? 1);
  const k = typeof req.seeds === 'number' ? req.seeds : req.seeds.length;
  for (let j = 0; j < k; j++) {
    if (typeof req.seeds === 'number') {
      const name = `${PREFIX}seed${j}`;
      inputs.push({ name, dtype: 'float32', shape: shapeOf(out.shape) });
      seedInputs.push(name);
      seeds.push({ name, dtype: 'float32', shape: out.shape });
    } else {
      const spec = req.seeds[j]!;
      const names = { group: `${PREFIX}group${j}`, hot: spec.entry === 'max' ? undefined : `${PREFIX}target${j}` };
      inputs.push({ name: names.group, dtype: 'bool', shape: shapeOf([1, rowSize]) });
      if (names.hot) inputs.push({ name: names.hot, dtype: 'float32', shape: shapeOf([1, rowSize]) });
      specInputs.push(names);
      seeds.push(scoreSeed(w, out, spec, names));
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
    ...[...values].map(([name, as]) => ({ name: as, dtype: value(name).dtype, shape: shapeOf(value(name).shape) })),
    ...grads.flatMap((names) => names.map((name, i) => ({ name, dtype: 'float32' as DType, shape: shapeOf(value(req.wrt[i]!).shape) }))),
  ];
  const opset = forward === 'plan' ? OPSET : graph.opset;
  const bytes = encodeModel({ nodes: w.nodes, initializers: w.initializers, inputs, outputs, opset });
  return { bytes, inputs: inputs.map((i) => i.name), seedInputs, scoreInputs: specInputs, values, grads, wrt: req.wrt };
}

/** The graph's nodes that `targets` need, in graph order, given the tensors supplied (`given`). */
function graphNodesFor(graph: Graph, targets: readonly string[], given: ReadonlySet<string>): Graph['nodes'] {
  const producer = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  const needed = new Set<number>();
  const stack = [...targets];
  const seen = new Set<string>();
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name) || given.has(name)) continue;
    seen.add(name);
    const i = producer.get(name);
    if (i === undefined || needed.has(i)) continue;
    needed.add(i);
    for (const input of graph.nodes[i]!.inputs) if (input) stack.push(input);
  }
  return graph.nodes.filter((_, i) => needed.has(i));
}

/**
 * The run-time inputs of a score spec over rows of `n` values: the group's mask and, for an
 * index entry, the target's one-hot, both [1, n]. Feeding them (rather than baking them in)
 * keeps one compiled model for every target and position.
 */
export function scoreInputs(spec: ScoreSpec, n: number): { group: HostTensor; hot?: HostTensor } {
  const size = spec.size ?? n - spec.offset;
  const group = tensor('bool', [1, n]);
  group.data.fill(1, spec.offset, spec.offset + size);
  if (spec.entry === 'max') return { group };
  const hot = tensor('float32', [1, n]);
  hot.data[spec.offset + spec.entry] = 1;
  return { group, hot };
}

/**
 * The cotangent of the output that differentiates the spec's score, written as nodes
 * (classScores' formulas) over whole rows: outside the group the mask sends the logits to
 * −∞ (probability 0) and the one-hot is 0, so the cotangent is 0 there.
 */
function scoreSeed(w: GraphWriter, out: Sym, spec: ScoreSpec, inputs: { group: string; hot?: string }): Sym {
  const rows = out.shape[0] ?? 1;
  const n = sizeOf(out.shape) / rows;
  const one = (op: string, args: string[], attrs?: Attrs) => w.node(op, args, attrs)[0]!;
  const ints = (v: number[]) => w.ints(v);
  const scalar = (v: number) => w.constant(tensor('float32', [], [v]));
  const flat = one('Reshape', [out.name, ints([rows, n])]);
  const masked = one('Where', [inputs.group, flat, scalar(-Infinity)]);
  let hot = inputs.hot;
  if (!hot) {
    const positions = one('Reshape', [w.range(n), ints([1, n])]);
    hot = one('Cast', [one('Equal', [one('ArgMax', [masked], { axis: 1, keepdims: 1 }), positions])], { to: 1 });
  }
  const axes = ints([1]);
  const picked = (v: string) => one('ReduceSum', [one('Mul', [v, hot!]), axes], { keepdims: 1 });
  let seed: string;
  switch (spec.space) {
    case 'logits':
      seed = one('Expand', [hot, ints([rows, n])]);
      break;
    case 'softmax': {
      const p = one('Softmax', [masked], { axis: 1 });
      seed = one('Mul', [picked(p), one('Sub', [hot, p])]);
      break;
    }
    case 'log-softmax':
      seed = one('Sub', [hot, one('Softmax', [masked], { axis: 1 })]);
      break;
    case 'sigmoid': {
      const s = one('Sigmoid', [picked(flat)]);
      seed = one('Mul', [hot, one('Mul', [s, one('Sub', [scalar(1), s])])]);
      break;
    }
    case 'log-sigmoid':
      seed = one('Mul', [hot, one('Sub', [scalar(1), one('Sigmoid', [picked(flat)])])]);
      break;
  }
  if (spec.sign === -1) seed = one('Neg', [seed]);
  const shaped = one('Reshape', [seed, ints([...out.shape])]);
  return { name: shaped, dtype: 'float32', shape: out.shape };
}
