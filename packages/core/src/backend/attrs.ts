// Helpers every backend's kernels share: attribute reading, input checks on
// {dtype, shape} (no tensor data is read) and shape arithmetic. Nothing here registers a kernel.
import type { AttrValue, Attrs, Tensor } from './backend.ts';
import { formatShape, isFloat, normalizeAxis, shapeEquals } from '../tensor.ts';

export const fmt = formatShape;

/** Throws unless inputs min..max are given and the first `min` are present. */
export function checkInputs(op: string, inputs: readonly (Tensor | undefined)[], min: number, max = min): void {
  const n = inputs.length;
  if (n < min || n > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new Error(`${op}: expects ${want} inputs, got ${n}`);
  }
  for (let i = 0; i < min; i++) {
    if (!inputs[i]) throw new Error(`${op}: input ${i} is missing`);
  }
}

function attrNumbers(v: AttrValue): number[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return [v];
  if (typeof v === 'boolean') return [v ? 1 : 0];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  if (typeof v === 'object' && !Array.isArray(v) && 'data' in v) return Array.from(v.data);
  return undefined;
}

/** A numeric attribute (a number, a boolean or a one-element tensor). */
export function numAttr(op: string, attrs: Attrs, name: string, def?: number): number {
  const v = attrs[name];
  if (v === undefined) {
    if (def === undefined) throw new Error(`${op}: attribute ${name} is required`);
    return def;
  }
  const xs = attrNumbers(v);
  if (xs?.length !== 1) throw new Error(`${op}: attribute ${name} must be a number, got ${JSON.stringify(v)}`);
  return xs[0]!;
}

/** An integer attribute. */
export function intAttr(op: string, attrs: Attrs, name: string, def?: number): number {
  const x = numAttr(op, attrs, name, def);
  if (!Number.isInteger(x)) throw new Error(`${op}: attribute ${name} must be an integer, got ${x}`);
  return x;
}

/** An integer-list attribute (a number[] or a 1-D tensor); `def` when absent. */
export function intsAttr(op: string, attrs: Attrs, name: string, def?: readonly number[]): number[] {
  const v = attrs[name];
  if (v === undefined) {
    if (def === undefined) throw new Error(`${op}: attribute ${name} is required`);
    return [...def];
  }
  const xs = attrNumbers(v);
  if (!xs?.every((x) => Number.isInteger(x))) {
    throw new Error(`${op}: attribute ${name} must be a list of integers, got ${JSON.stringify(v)}`);
  }
  return [...xs];
}

/** Normalises a possibly negative axis and checks it lies in [0, rank). */
export function axisOf(op: string, axis: number, shape: readonly number[]): number {
  const a = normalizeAxis(axis, shape.length);
  if (a < 0 || a >= shape.length) {
    throw new Error(`${op}: axis ${axis} out of range for shape ${fmt(shape)}`);
  }
  return a;
}

export function expectFloat(op: string, t: Tensor, what = 'input'): void {
  if (!isFloat(t.dtype)) throw new Error(`${op}: ${what} must be float32, got ${t.dtype} ${fmt(t.shape)}`);
}

export function expectInteger(op: string, t: Tensor, what = 'input'): void {
  if (isFloat(t.dtype)) throw new Error(`${op}: ${what} must be an integer tensor, got ${t.dtype} ${fmt(t.shape)}`);
}

/** Throws unless `t` has exactly `shape`. */
export function expectShape(op: string, t: Tensor, shape: readonly number[], what = 'input'): void {
  if (!shapeEquals(t.shape, shape)) throw new Error(`${op}: ${what} has shape ${fmt(t.shape)}, expected ${fmt(shape)}`);
}

export function expectSameDtype(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new Error(`${op}: input dtypes differ (${a.dtype} ${fmt(a.shape)} and ${b.dtype} ${fmt(b.shape)})`);
  }
}

/** Product of shape[from..to). */
export function prod(shape: readonly number[], from = 0, to = shape.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i]!;
  return n;
}

/** The outer × axis × inner split of a shape around one axis. */
export function splitAround(shape: readonly number[], axis: number): [outer: number, n: number, inner: number] {
  return [prod(shape, 0, axis), shape[axis]!, prod(shape, axis + 1)];
}
