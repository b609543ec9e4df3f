import type { Attrs } from '../backend/backend.ts';
import { cpuBackend } from '../backend/cpu/index.ts';
import { GlassboxError, InvalidInputError } from '../errors.ts';
import { type DType, type HostTensor, formatShape, shapeEquals } from '../tensor.ts';
import { onnxOp } from './onnxOps.ts';
import type { Graph, Node } from './ir.ts';
import { lower } from './lower.ts';

/** One kernel call of a plan. */
export interface Step {
  readonly node: Node;
  readonly op: string;
  /** Value names the kernel reads ('' for an absent optional input). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attrs;
}

/**
 * A graph specialised to concrete input shapes and a set of overridden tensors.
 * Everything that does not depend on the feeds' values (shape arithmetic, constant
 * sub-graphs, initializer-only branches) was evaluated on the host and sits in
 * `constants`; `steps` is what remains for a backend to run.
 */
export interface Plan {
  readonly steps: readonly Step[];
  readonly constants: ReadonlyMap<string, HostTensor>;
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  readonly dtypes: ReadonlyMap<string, DType>;
  /** Names whose values depend on the feeds or overrides. */
  readonly dynamic: ReadonlySet<string>;
  /** Name → index of the step producing it. */
  readonly producer: ReadonlyMap<string, number>;
}

/**
 * A replacement for a tensor: a value, or a rule that makes the value from the shape the
 * graph computes for it (e.g. "position ids 0..T−1", whatever the batch layout).
 */
export type Override = HostTensor | ((shape: readonly number[]) => HostTensor);

export const overrideValue = (o: Override, shape: readonly number[]): HostTensor => (typeof o === 'function' ? o(shape) : o);

/** A new plan, and every value of the host evaluation that built it (a CPU forward pass for these feeds). */
export interface BuiltPlan {
  plan: Plan;
  values: Map<string, HostTensor>;
}

export function planKey(feeds: Record<string, HostTensor>, overrideNames: Iterable<string>): string {
  const f = Object.entries(feeds)
    .map(([k, v]) => `${k}:${v.dtype}${formatShape(v.shape)}`)
    .sort();
  return `${f.join(';')}|${[...overrideNames].sort().join(';')}`;
}

/**
 * Build a plan by evaluating the graph once on the host with the given feeds, tracking
 * which values depend on them. Overrides replace the named tensors (their producers
 * still run in this evaluation, to check the override's shape). With `shapesOnly`, values
 * that depend on the feeds are not computed, only their types and shapes (what compiling
 * the plan for another executor needs): `values` then holds such values without data.
 */
export function buildPlan(
  graph: Graph,
  feeds: Record<string, HostTensor>,
  overrides: Record<string, Override>,
  shapesOnly = false,
): BuiltPlan {
  const env = new Map<string, HostTensor>(graph.initializers);
  const dynamic = new Set<string>();
  for (const input of graph.inputs) {
    const v = feeds[input.name];
    if (!v) throw new InvalidInputError(`missing model input "${input.name}"`, 'missing_input');
    env.set(input.name, v);
    dynamic.add(input.name);
  }
  for (const [name, v] of Object.entries(overrides)) {
    const original = graph.initializers.get(name) ?? feeds[name];
    if (original) {
      env.set(name, overrideValue(v, original.shape));
      dynamic.add(name);
    }
  }
  const steps: Step[] = [];
  const producer = new Map<string, number>();
  for (const node of graph.nodes) {
    const values = node.inputs.map((name) => {
      if (!name) return undefined;
      const v = env.get(name);
      if (!v) throw new GlassboxError('bad_graph', `node "${node.name}" (${node.opType}) reads "${name}", which nothing produces`);
      return v;
    });
    const lowered = lower({
      node,
      opset: graph.opset,
      values,
      ints: (i) => {
        const name = node.inputs[i];
        if (!name) return undefined;
        if (dynamic.has(name)) {
          throw new GlassboxError(
            'dynamic_shape',
            `${node.opType} node "${node.name}": operand "${name}" depends on input values; data-dependent shapes are not supported`,
          );
        }
        return Array.from(values[i]!.data);
      },
    });
    const inputs = lowered.inputs.map((i) => node.inputs[i] ?? '');
    const inputValues = inputs.map((name) => (name ? env.get(name)! : undefined));
    const isDynamic = node.opType !== 'Shape' && inputs.some((name) => name && dynamic.has(name));
    let outputs: HostTensor[];
    try {
      outputs =
        shapesOnly && isDynamic
          ? withoutData(lowered.op, inputValues, lowered.attrs)
          : cpuBackend.run(lowered.op, inputValues as HostTensor[], lowered.attrs);
    } catch (e) {
      if (e instanceof GlassboxError) throw e;
      throw new GlassboxError('kernel', `${node.opType} node "${node.name}": ${(e as Error).message}`);
    }
    node.outputs.forEach((name, i) => {
      if (!name) return;
      const out = outputs[i];
      if (!out) return;
      const replaced = overrides[name] && overrideValue(overrides[name]!, out.shape);
      if (replaced) {
        if (!shapeEquals(replaced.shape, out.shape)) {
          throw new InvalidInputError(
            `override for "${name}" has shape ${formatShape(replaced.shape)}, the graph computes ${formatShape(out.shape)}`,
            'override_shape',
          );
        }
        env.set(name, replaced);
        dynamic.add(name);
      } else {
        env.set(name, out);
        if (isDynamic) dynamic.add(name);
      }
    });
    if (isDynamic) {
      producer.set(node.outputs[0]!, steps.length);
      node.outputs.forEach((o) => o && producer.set(o, steps.length));
      steps.push({ node, op: lowered.op, inputs, outputs: node.outputs, attrs: lowered.attrs });
    }
  }
  for (const name of Object.keys(overrides)) {
    if (!dynamic.has(name)) throw new InvalidInputError(`cannot override "${name}": the graph has no such tensor`, 'unknown_tensor');
  }
  const constants = new Map<string, HostTensor>();
  const shapes = new Map<string, readonly number[]>();
  const dtypes = new Map<string, DType>();
  for (const [name, v] of env) {
    shapes.set(name, v.shape);
    dtypes.set(name, v.dtype);
    if (!dynamic.has(name)) constants.set(name, v);
  }
  return { plan: { steps, constants, shapes, dtypes, dynamic, producer }, values: env };
}

/** A kernel's outputs as types and shapes only (empty data). */
function withoutData(op: string, inputs: readonly (HostTensor | undefined)[], attrs: Attrs): HostTensor[] {
  const entry = onnxOp(op);
  if (!entry) throw new GlassboxError('kernel', `${op}: no shape rule to plan it without computing it`);
  const syms = inputs.map((t) => t && { name: '', dtype: t.dtype, shape: t.shape });
  return entry.infer(syms as never, attrs).map(({ dtype, shape }) => ({ dtype, shape, data: new Float32Array(0) }));
}
