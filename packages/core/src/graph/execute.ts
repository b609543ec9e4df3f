import type { Backend, Tensor } from '../backend/backend.ts';
import { GlassboxError, InvalidInputError } from '../errors.ts';
import { formatShape, shapeEquals } from '../tensor.ts';
import type { Plan, Step } from './plan.ts';

/** The steps needed to compute `fetch`, given that `overridden` tensors are supplied. */
export function neededSteps(plan: Plan, fetch: readonly string[], overridden: ReadonlySet<string>): Step[] {
  const needed = new Set<number>();
  const stack = [...fetch];
  const seen = new Set<string>();
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (overridden.has(name)) continue;
    const i = plan.producer.get(name);
    if (i === undefined || needed.has(i)) continue;
    needed.add(i);
    for (const input of plan.steps[i]!.inputs) if (input) stack.push(input);
  }
  return plan.steps.filter((_, i) => needed.has(i));
}

/**
 * Run a plan's steps on a backend. Returns the environment of every value computed or
 * read (the backward pass reuses it). `constant(name)` supplies plan constants as
 * backend tensors (the caller caches uploads).
 */
export function execute<T extends Tensor>(
  plan: Plan,
  backend: Backend<T>,
  constant: (name: string) => T,
  feeds: ReadonlyMap<string, T>,
  overrides: ReadonlyMap<string, T>,
  fetch: readonly string[],
): Map<string, T> {
  const env = new Map<string, T>(feeds);
  for (const [name, t] of overrides) {
    const expected = plan.shapes.get(name);
    if (!expected) throw new InvalidInputError(`cannot override "${name}": the graph has no such tensor`, 'unknown_tensor');
    if (!shapeEquals(expected, t.shape)) {
      throw new InvalidInputError(
        `override for "${name}" has shape ${formatShape(t.shape)}, the graph computes ${formatShape(expected)}`,
        'override_shape',
      );
    }
    env.set(name, t);
  }
  const read = (name: string): T => {
    let v = env.get(name);
    if (!v) {
      if (!plan.constants.has(name)) throw new GlassboxError('bad_graph', `value "${name}" is not available`);
      v = constant(name);
      env.set(name, v);
    }
    return v;
  };
  for (const step of neededSteps(plan, fetch, new Set(overrides.keys()))) {
    const inputs = step.inputs.map((name) => (name ? read(name) : (undefined as unknown as T)));
    let outputs: T[];
    try {
      outputs = backend.run(step.op, inputs, step.attrs);
    } catch (e) {
      if (e instanceof GlassboxError) throw e;
      throw new GlassboxError('kernel', `${step.node.opType} node "${step.node.name}" on ${backend.name}: ${(e as Error).message}`);
    }
    step.outputs.forEach((name, i) => {
      if (name && !overrides.has(name) && outputs[i]) env.set(name, outputs[i]!);
    });
  }
  for (const name of fetch) read(name);
  return env;
}
