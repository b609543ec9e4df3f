import { env } from '@huggingface/transformers';
import { GlassboxError, InvalidInputError } from '../errors.ts';
import { isHubId } from '../model/hub.ts';
import type { LoadOptions } from '../model/pretrained.ts';
import { type EnvSettings, FORWARDED_ENV, type FromWorker, type ToWorker, encodeArgs, rebuildError } from './protocol.ts';
import type { ExplainerFunctionName, EXPLAINER_FUNCTIONS, ExplainerOf, TaskName } from './tasks.ts';

type AnyFunction = (...args: never[]) => unknown;
type Primitive = string | number | boolean | null | undefined;

/** The explainer's methods, each returning a promise of what it returns (onProgress and signal in the arguments work as in the page). */
type RemoteMethods<T> = {
  [K in keyof T as T[K] extends AnyFunction ? K : never]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};
/** Its plain-data properties (labels, ...), as they were when it loaded. */
type RemoteProperties<T> = { readonly [K in keyof T as T[K] extends Primitive | readonly Primitive[] ? K : never]: T[K] };

type Functions = typeof EXPLAINER_FUNCTIONS;
/** The arguments after the explainer of core function `F`, or never when `F` does not take explainer `T`. */
type ArgsAfter<F, T> = F extends (explainer: infer E, ...rest: infer A) => unknown ? (T extends E ? A : never) : never;

/**
 * An explainer living in a Web Worker: the same methods as T (every one returns a promise),
 * its plain-data properties, `run` for core functions that take an explainer (evaluate,
 * benchmark) and `dispose`.
 */
export type Remote<T> = RemoteMethods<T> &
  RemoteProperties<T> & {
    /** Runs core function `fn` (e.g. 'evaluate', 'benchmark') on this explainer in the worker: fn(explainer, ...args). */
    run<K extends ExplainerFunctionName>(fn: K, ...args: ArgsAfter<Functions[K], T>): Promise<Awaited<ReturnType<Functions[K]>>>;
    /** Drops the explainer in the worker (the worker itself ends with its last explainer); later calls reject with code 'disposed'. */
    dispose(): void;
  };

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  callbacks: ((...args: unknown[]) => unknown)[];
}

interface WorkerState {
  worker: Worker;
  /** How many explainers live in it. */
  explainers: number;
  pending: Map<number, Pending>;
  /** Whether its script runs (it said 'ready'). */
  started: boolean;
  /** Why it was terminated, once it was: later requests reject with this. */
  stopped?: GlassboxError;
}

/** The one worker every explainer loaded with loadInWorker lives in, while any does. */
let shared: WorkerState | undefined;
let nextId = 1;

function startWorker(): WorkerState {
  if (typeof Worker === 'undefined')
    throw new GlassboxError(
      'no_worker',
      'Web Workers are not available here; loadInWorker runs in browsers (use the explainer class’s fromPretrained elsewhere)',
    );
  const worker = new Worker(new URL('./workerEntry.ts', import.meta.url), { type: 'module', name: 'glassbox' });
  const state: WorkerState = { worker, explainers: 0, pending: new Map(), started: false };
  worker.onmessage = ({ data: message }: MessageEvent<FromWorker>) => {
    if (message.type === 'ready') {
      state.started = true;
      return;
    }
    const pending = state.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'callback') {
      try {
        pending.callbacks[message.index]?.(...message.args);
      } catch (e) {
        // As in the page, a throwing callback ends the call with its error.
        state.pending.delete(message.id);
        worker.postMessage({ type: 'abort', id: message.id } satisfies ToWorker);
        pending.reject(e instanceof Error ? e : new Error(String(e)));
      }
      return;
    }
    state.pending.delete(message.id);
    if (message.type === 'error') pending.reject(rebuildError(message.error));
    else pending.resolve(message.type === 'loaded' ? message : message.value);
  };
  // Before 'ready', an error means the script could not start; later ones (an
  // uncaught error in a library) are logged by the browser and the calls go on.
  worker.onerror = (event) => {
    if (state.started) return;
    event.preventDefault();
    stopWorker(
      state,
      new GlassboxError(
        'worker_failed',
        `the explainer worker could not start: ${event.message || "its script did not load (does a Content-Security-Policy allow worker-src 'self'?)"}`,
      ),
    );
  };
  return state;
}

function stopWorker(state: WorkerState, reason: GlassboxError): void {
  state.worker.terminate();
  state.stopped = reason;
  for (const pending of state.pending.values()) pending.reject(reason);
  state.pending.clear();
  if (shared === state) shared = undefined;
}

/** Sends `message` (given its id) and resolves with the worker's answer; callbacks are the call's functions, called on 'callback' messages. */
function request(state: WorkerState, message: ToWorker & { id: number }, callbacks: Pending['callbacks'] = []): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (state.stopped) {
      reject(state.stopped);
      return;
    }
    try {
      state.worker.postMessage(message);
    } catch (e) {
      reject(
        new InvalidInputError(
          `an argument cannot be sent to the worker (${(e as Error).message}); pass plain data, typed arrays or ImageData`,
          'not_cloneable',
        ),
      );
      return;
    }
    state.pending.set(message.id, { resolve, reject, callbacks });
  });
}

/** A model path as the worker must read it: relative paths are relative to the page, not to the worker's script. */
function fromPage(path: string): string {
  if (typeof location === 'undefined' || /^[a-z][a-z\d+.-]*:/i.test(path)) return path;
  const url = new URL(path, location.href);
  // transformers.js reads a same-origin path as a local model; a full URL would count as remote.
  return url.origin === location.origin ? url.pathname : url.href;
}

function envSettings(): EnvSettings {
  const settings: EnvSettings = {};
  for (const key of FORWARDED_ENV) settings[key] = env[key];
  if (typeof settings.localModelPath === 'string') settings.localModelPath = fromPage(settings.localModelPath);
  return settings;
}

/**
 * Loads task `task`'s explainer (e.g. 'text-classification': SequenceClassificationExplainer)
 * in a Web Worker, so the page stays responsive while it explains. The result has the
 * explainer's methods with the same arguments, each returning a promise of the same result
 * (plain data); onProgress and signal work through messages. The page's transformers.js
 * `env` settings that decide where models are read (localModelPath, allowLocalModels,
 * allowRemoteModels, remoteHost, remotePathTemplate, useBrowserCache) go with the load.
 */
export async function loadInWorker<K extends TaskName>(task: K, model: string, options: LoadOptions = {}): Promise<Remote<ExplainerOf<K>>> {
  const state = (shared ??= startWorker());
  state.explainers++;
  let loaded: Extract<FromWorker, { type: 'loaded' }>;
  try {
    const source = isHubId(model) ? model : fromPage(model);
    loaded = (await request(state, { type: 'load', id: nextId++, task, model: source, options, env: envSettings() })) as typeof loaded;
  } catch (e) {
    release(state);
    throw e;
  }
  return remoteExplainer(state, loaded) as Remote<ExplainerOf<K>>;
}

/** One explainer fewer in `state`'s worker; the worker ends with the last. */
function release(state: WorkerState): void {
  if (--state.explainers === 0 && shared === state) stopWorker(state, new GlassboxError('disposed', 'the explainer was disposed'));
}

function remoteExplainer(state: WorkerState, loaded: Extract<FromWorker, { type: 'loaded' }>): object {
  let disposed = false;
  const call = (kind: 'method' | 'function', name: string, args: unknown[]): Promise<unknown> => {
    if (disposed) return Promise.reject(new GlassboxError('disposed', `this explainer was disposed; load it again to call ${name}`));
    const found = { callbacks: [] as Pending['callbacks'], signals: [] as AbortSignal[] };
    const encoded = encodeArgs(args, found) as unknown[];
    const id = nextId++;
    const abort = () => state.stopped || state.worker.postMessage({ type: 'abort', id } satisfies ToWorker);
    for (const signal of found.signals) signal.addEventListener('abort', abort, { once: true });
    const answer = request(
      state,
      { type: 'call', id, handle: loaded.handle, kind, name, args: encoded, aborted: found.signals.some((s) => s.aborted) },
      found.callbacks,
    );
    const unlisten = () => found.signals.forEach((signal) => signal.removeEventListener('abort', abort));
    answer.then(unlisten, unlisten);
    return answer;
  };
  const remote: Record<string, unknown> = { ...loaded.properties };
  for (const name of loaded.methods) remote[name] = (...args: unknown[]) => call('method', name, args);
  remote.run = (fn: string, ...args: unknown[]) => call('function', fn, args);
  remote.dispose = () => {
    if (disposed) return;
    disposed = true;
    if (!state.stopped) state.worker.postMessage({ type: 'dispose', handle: loaded.handle } satisfies ToWorker);
    release(state);
  };
  return remote;
}
