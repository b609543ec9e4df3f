import { GlassboxError, InvalidInputError, ModelLoadError, UnsupportedOpError } from '../errors.ts';
import type { LoadOptions } from '../model/pretrained.ts';

/**
 * The messages between a page and its explainer worker. Arguments and results cross by
 * structured clone; what cannot (callbacks such as onProgress, AbortSignals) is replaced by
 * markers and travels as messages of its own.
 */

/** The transformers.js `env` settings that decide where model files are read; the page's are sent with each load. */
export const FORWARDED_ENV = [
  'allowLocalModels',
  'allowRemoteModels',
  'localModelPath',
  'remoteHost',
  'remotePathTemplate',
  'useBrowserCache',
] as const;
export type EnvSettings = Partial<Record<(typeof FORWARDED_ENV)[number], unknown>>;

export type ToWorker =
  | { type: 'load'; id: number; task: string; model: string; options: LoadOptions; env: EnvSettings }
  /** `kind` 'method': explainer[name](...args); 'function': EXPLAINER_FUNCTIONS[name](explainer, ...args). */
  | { type: 'call'; id: number; handle: number; kind: 'method' | 'function'; name: string; args: unknown[]; aborted: boolean }
  | { type: 'abort'; id: number }
  | { type: 'dispose'; handle: number };

export type FromWorker =
  /** Sent once, when the worker's script has started. */
  | { type: 'ready' }
  /** `properties`: the explainer's plain-data properties (e.g. labels), read once after loading. */
  | { type: 'loaded'; id: number; handle: number; methods: string[]; properties: Record<string, unknown> }
  | { type: 'callback'; id: number; index: number; args: unknown[] }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError };

/** Marks where a callback was: the index into the call's list of callbacks. */
const CALLBACK = '$glassboxCallback';
/** Marks where an AbortSignal was: the worker puts the call's own signal there. */
const SIGNAL = '$glassboxSignal';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/** `value` with its functions and AbortSignals (in plain objects and arrays, at any depth) replaced by markers; they are collected in order. */
export function encodeArgs(value: unknown, found: { callbacks: ((...args: unknown[]) => unknown)[]; signals: AbortSignal[] }): unknown {
  if (typeof value === 'function') {
    found.callbacks.push(value as (...args: unknown[]) => unknown);
    return { [CALLBACK]: found.callbacks.length - 1 };
  }
  if (typeof AbortSignal !== 'undefined' && value instanceof AbortSignal) {
    found.signals.push(value);
    return { [SIGNAL]: true };
  }
  if (Array.isArray(value)) return value.map((v) => encodeArgs(v, found));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeArgs(v, found)]));
  return value;
}

/** The reverse of encodeArgs in the worker: markers become `callback(index)` and `signal`. */
export function decodeArgs(value: unknown, callback: (index: number) => (...args: unknown[]) => void, signal: AbortSignal): unknown {
  if (Array.isArray(value)) return value.map((v) => decodeArgs(v, callback, signal));
  if (!isPlainObject(value)) return value;
  if (typeof value[CALLBACK] === 'number') return callback(value[CALLBACK]);
  if (value[SIGNAL] === true) return signal;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeArgs(v, callback, signal)]));
}

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  /** A GlassboxError subclass's own fields (e.g. UnsupportedOpError's opType). */
  fields?: Record<string, unknown>;
}

export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  if (!(e instanceof GlassboxError)) return { name: e.name, message: e.message };
  const { name, code, message, ...fields } = e as GlassboxError & Record<string, unknown>;
  try {
    return { name, code, message, fields: structuredClone(fields) };
  } catch {
    return { name, code, message };
  }
}

const GLASSBOX_ERRORS: Record<string, { prototype: GlassboxError }> = {
  GlassboxError,
  InvalidInputError,
  ModelLoadError,
  UnsupportedOpError,
};

/** The error as it was thrown in the worker: a GlassboxError keeps its class, code, message and fields. */
export function rebuildError(s: SerializedError): Error {
  if (s.code === undefined) {
    const builtin = (globalThis as Record<string, unknown>)[s.name];
    const error =
      typeof builtin === 'function' && builtin.prototype instanceof Error
        ? new (builtin as ErrorConstructor)(s.message)
        : new Error(s.message);
    error.name = s.name;
    return error;
  }
  const error = new GlassboxError(s.code, s.message);
  Object.setPrototypeOf(error, (GLASSBOX_ERRORS[s.name] ?? GlassboxError).prototype);
  return Object.assign(error, s.fields, { name: s.name });
}
