import type { Tensor } from '../backend/backend.ts';
import { NonFiniteError } from '../errors.ts';
import { type HostTensor, isFloat } from '../tensor.ts';
import type { Plan, Step } from './plan.ts';

type Kind = 'NaN' | 'Infinity';

/** 'NaN' when a float tensor holds a NaN, else 'Infinity' when it holds ±Infinity, else undefined. */
export function nonFinite(t: HostTensor): Kind | undefined {
  if (!isFloat(t.dtype)) return undefined;
  let inf = false;
  for (const v of t.data) {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity || v === -Infinity) inf = true;
  }
  return inf ? 'Infinity' : undefined;
}

/** A value read from the backend, named, with the step that computed it (none for feeds and overrides). */
export interface TracedValue {
  name: string;
  tensor: Tensor;
  step?: Step;
}

function where(v: TracedValue, pass: 'forward' | 'backward'): string {
  if (!v.step) return `"${v.name}" (${pass === 'forward' ? 'given as input' : 'the seed'})`;
  const node = `${v.step.node.opType} node "${v.step.node.name}"`;
  return pass === 'forward' ? `"${v.name}" (${node})` : `the gradient of "${v.name}" (through ${node})`;
}

/**
 * The first of `values` (in the order they were computed) holding the kind of non-finite
 * number `kind` (NaN first: a NaN result usually starts at a NaN, while ±Infinity may be a
 * legitimate mask value upstream of it).
 */
async function firstHolding(
  values: Iterable<TracedValue>,
  kind: Kind,
  read: (t: Tensor) => Promise<HostTensor>,
): Promise<TracedValue | undefined> {
  for (const v of values) {
    const found = nonFinite(await read(v.tensor));
    if (found === kind || (kind === 'Infinity' && found === 'NaN')) return v;
  }
  return undefined;
}

/** The forward pass's values in the order it computed them: feeds and overrides, then each step's outputs. */
export function* forwardValues(plan: Plan, env: ReadonlyMap<string, Tensor>, given: Iterable<string>): Generator<TracedValue> {
  for (const name of given) {
    const t = env.get(name);
    if (t) yield { name, tensor: t };
  }
  for (const step of plan.steps) {
    for (const name of step.outputs) {
      const t = name ? env.get(name) : undefined;
      if (t) yield { name, tensor: t, step };
    }
  }
}

/**
 * When one of `results` holds NaN or ±Infinity, throws a NonFiniteError naming the first of
 * `values` (a pass's values in computation order) that went non-finite.
 */
export async function checkFinite(
  pass: 'forward' | 'backward',
  results: Record<string, HostTensor>,
  values: () => Iterable<TracedValue>,
  read: (t: Tensor) => Promise<HostTensor>,
): Promise<void> {
  const bad = Object.entries(results).find(([, t]) => nonFinite(t));
  if (!bad) return;
  const kind = nonFinite(bad[1])!;
  const first = await firstHolding(values(), kind, read);
  const what = pass === 'forward' ? `"${bad[0]}"` : `the gradient of "${bad[0]}"`;
  const origin = first ? `; the first value holding ${kind} is ${where(first, pass)}` : '';
  throw new NonFiniteError(first?.name ?? bad[0], `the ${pass} pass produced ${kind} in ${what}${origin}`);
}
