import type { AttrValue } from '../../../backend.ts';
import { type HostTensor, formatShape, isFloat, sizeOf } from '../../../../tensor.ts';

/** Small attribute/shape helpers shared by the gradient kernels. */

/** A list-valued attribute (number, number[], boolean or host tensor) as numbers. */
export function attrNumbers(v: AttrValue): number[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return [v];
  if (typeof v === 'boolean') return [v ? 1 : 0];
  if (Array.isArray(v)) return v.every((x) => typeof x === 'number') ? (v as number[]) : undefined;
  if (typeof v === 'object' && 'data' in v) return Array.from(v.data);
  return undefined;
}

export function numAttr(op: string, name: string, v: AttrValue, fallback?: number): number {
  if (v === undefined) {
    if (fallback === undefined) throw new Error(`${op}: attribute ${name} is required`);
    return fallback;
  }
  const xs = attrNumbers(v);
  if (!xs || xs.length !== 1) throw new Error(`${op}: attribute ${name} must be a number, got ${JSON.stringify(v)}`);
  return xs[0]!;
}

export function intsAttr(op: string, name: string, v: AttrValue, fallback?: number[]): number[] {
  if (v === undefined) {
    if (fallback === undefined) throw new Error(`${op}: attribute ${name} is required`);
    return fallback;
  }
  const xs = attrNumbers(v);
  if (!xs) throw new Error(`${op}: attribute ${name} must be a list of numbers, got ${JSON.stringify(v)}`);
  return [...xs];
}

export function resolveAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) throw new Error(`${op}: axis ${axis} out of range for rank ${rank}`);
  return a;
}

export function expectFloat(op: string, name: string, t: HostTensor): void {
  if (!isFloat(t.dtype)) throw new Error(`${op}: ${name} must be float32, got ${t.dtype}`);
}

export function expectShape(op: string, name: string, t: HostTensor, shape: readonly number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${op}: ${name} has shape ${formatShape(t.shape)}, expected ${formatShape(shape)}`);
  }
}

/** outer × axis × inner split of a shape around one axis. */
export function splitAround(shape: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];
}
