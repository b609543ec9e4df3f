/**
 * Runs inside the explainer worker (loadInWorker starts it): loads explainers by task, keeps
 * them by handle and runs their methods on the page's behalf. See protocol.ts.
 */
import { env } from '@huggingface/transformers';
import { GlassboxError, InvalidInputError } from '../errors.ts';
import type { LoadOptions } from '../model/textModel.ts';
import { type FromWorker, type ToWorker, decodeArgs, serializeError } from './protocol.ts';
import { EXPLAINER_FUNCTIONS, EXPLAINER_TASKS, TASK_NAMES } from './tasks.ts';

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
};

type Explainer = Record<string, unknown> & { dispose(): Promise<void> };
const explainers = new Map<number, Explainer>();
const running = new Map<number, AbortController>();
let nextHandle = 1;

/** Posts `message`; a value that cannot be cloned is reported as that call's error instead. */
function post(message: Exclude<FromWorker, { type: 'ready' }>, what: string): void {
  try {
    scope.postMessage(message);
  } catch (e) {
    const error = new GlassboxError('not_cloneable', `${what} cannot be sent back from the worker: ${(e as Error).message}`);
    scope.postMessage({ type: 'error', id: message.id, error: serializeError(error) });
  }
}

/** The explainer's methods, its class's and its ancestors' (constructor aside). */
function methodsOf(explainer: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(explainer); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(proto)))
      if (name !== 'constructor' && typeof d.value === 'function') names.add(name);
  }
  return [...names];
}

const isPrimitive = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** Its own fields and getters whose values are primitives or arrays of them (labels, entailment...), read once. */
function propertiesOf(explainer: Explainer): Record<string, unknown> {
  const names = new Set(Object.keys(explainer));
  for (let proto = Object.getPrototypeOf(explainer); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(proto))) if (d.get) names.add(name);
  }
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const value = explainer[name];
    if (isPrimitive(value) || (Array.isArray(value) && value.every(isPrimitive))) out[name] = value;
  }
  return out;
}

async function load(message: Extract<ToWorker, { type: 'load' }>): Promise<void> {
  Object.assign(env, message.env);
  const explainerClass: { fromPretrained(model: string, options?: LoadOptions): Promise<unknown> } | undefined =
    EXPLAINER_TASKS[message.task as keyof typeof EXPLAINER_TASKS];
  if (!explainerClass) throw new InvalidInputError(`unknown task "${message.task}"; use ${TASK_NAMES.join(', ')}`, 'unknown_task');
  const explainer = (await explainerClass.fromPretrained(message.model, message.options)) as unknown as Explainer;
  const handle = nextHandle++;
  explainers.set(handle, explainer);
  post({ type: 'loaded', id: message.id, handle, methods: methodsOf(explainer), properties: propertiesOf(explainer) }, 'the explainer');
}

async function call(message: Extract<ToWorker, { type: 'call' }>): Promise<void> {
  const { id, name } = message;
  const explainer = explainers.get(message.handle);
  if (!explainer) throw new GlassboxError('disposed', `this explainer was disposed; load it again to call ${name}`);
  const controller = new AbortController();
  if (message.aborted) controller.abort();
  running.set(id, controller);
  try {
    const callback =
      (index: number) =>
      (...args: unknown[]) =>
        post({ type: 'callback', id, index, args }, `the arguments of ${name}'s callback`);
    const args = decodeArgs(message.args, callback, controller.signal) as unknown[];
    let value: unknown;
    if (message.kind === 'function') {
      const fn = EXPLAINER_FUNCTIONS[name as keyof typeof EXPLAINER_FUNCTIONS] as ((...a: unknown[]) => unknown) | undefined;
      if (!fn)
        throw new InvalidInputError(
          `unknown function "${name}"; a worker explainer runs ${Object.keys(EXPLAINER_FUNCTIONS).join(', ')}`,
          'unknown_function',
        );
      value = await fn(explainer, ...args);
    } else {
      const method = explainer[name];
      if (typeof method !== 'function') throw new InvalidInputError(`the explainer has no method "${name}"`, 'unknown_method');
      value = await method.apply(explainer, args);
    }
    post({ type: 'result', id, value }, `the result of ${name}`);
  } finally {
    running.delete(id);
  }
}

scope.onmessage = ({ data: message }) => {
  if (message.type === 'abort') running.get(message.id)?.abort();
  else if (message.type === 'dispose') {
    // Gives the explainer's device memory and sessions back now, not when the worker ends.
    explainers
      .get(message.handle)
      ?.dispose()
      .catch(() => undefined);
    explainers.delete(message.handle);
  } else {
    const work = message.type === 'load' ? load(message) : call(message);
    work.catch((e: unknown) => scope.postMessage({ type: 'error', id: message.id, error: serializeError(e) }));
  }
};
scope.postMessage({ type: 'ready' });
