import { InvalidInputError, type TargetSpec } from '@glassbox/core';

/** One target as a flag or JSON value gives it: digits are a class index, anything else a label. */
const targetOf = (v: string | number): TargetSpec => (typeof v === 'number' ? v : /^\d+$/.test(v.trim()) ? Number(v) : v.trim());

/**
 * A `target` field that asks for several classes: 'all', indices or labels separated by
 * commas (a flag) or a JSON list; undefined for one target or none (commonOptions reads those).
 */
export function targetList(v: unknown): TargetSpec[] | 'all' | undefined {
  if (v === 'all') return 'all';
  const items = Array.isArray(v) ? v : typeof v === 'string' && v.includes(',') ? v.split(',') : undefined;
  if (!items) return undefined;
  if (items.length === 0 || items.some((t) => (typeof t !== 'string' && typeof t !== 'number') || String(t).trim() === '')) {
    throw new InvalidInputError(
      `"target" must be a class index or label, a list of them (--target 0,2) or all, got ${JSON.stringify(v)}`,
      'unknown_target',
    );
  }
  return items.map(targetOf);
}
