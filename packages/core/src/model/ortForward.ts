import type * as Ort from 'onnxruntime-web';
import { GlassboxError, InvalidInputError } from '../errors.ts';
import type { ExternalDataReader } from '../graph/load.ts';
import { decodeModelProto, encodeGraphOutputs } from '../onnx/wire.ts';
import { nonFinite } from '../graph/nonFinite.ts';
import type { HostTensor } from '../tensor.ts';
import type { Graph } from '../graph/ir.ts';
import type { RunRequest } from './onnxModel.ts';
import type { OrtRuntime } from './ortRuntime.ts';
import { FEEDS, toHost } from './ortTensors.ts';

/** The model bytes with `names` added to its graph outputs: a GraphProto holding only them, appended, merges into the graph when parsed. */
function withOutputs(bytes: Uint8Array, names: readonly string[]): Uint8Array {
  const extra = encodeGraphOutputs(names);
  const out = new Uint8Array(bytes.byteLength + extra.byteLength);
  out.set(bytes);
  out.set(extra, bytes.byteLength);
  return out;
}

/** The external-data files the model's initializers name, read. */
async function externalDataOf(bytes: Uint8Array, read?: ExternalDataReader): Promise<{ path: string; data: Uint8Array }[]> {
  type Initializer = { dataLocation?: number; externalData: { key: string; value: string }[] };
  const model = decodeModelProto(bytes) as unknown as { graph?: { initializer: Initializer[] } };
  const locations = new Set<string>();
  for (const t of model.graph?.initializer ?? []) {
    const location = t.dataLocation === 1 ? t.externalData.find((e) => e.key === 'location')?.value : undefined;
    if (location) locations.add(location);
  }
  if (locations.size > 0 && !read)
    throw new GlassboxError('model_load', `the model stores weights in ${[...locations].join(', ')}, but no reader was given`);
  return Promise.all([...locations].map(async (path) => ({ path, data: await read!(path) })));
}

const disposedError = () =>
  new GlassboxError('disposed', 'this model was disposed (dispose() released its onnxruntime sessions); load it again to use it');

/** Set once onnxruntime-web's webgpu provider has failed here: later sessions go straight to wasm. */
let webGpuFailed = false;

/**
 * Forward passes through onnxruntime-web (its wasm execution provider for the cpu device,
 * webgpu for webgpu), with the same requests and results as OnnxModel.run. What ORT cannot
 * do runs on our runtime (`fallback`): in-graph overrides, and fetching a tensor no node
 * computes (an input or an initializer). Taps become extra graph outputs: one session per
 * set of taps, created on first use.
 */
export class OrtForward {
  private readonly sessions = new Map<string, Promise<Ort.InferenceSession>>();
  private readonly computed: Set<string>;
  private external: Promise<{ path: string; data: Uint8Array }[]> | undefined;
  /** The latest run: onnxruntime-web sessions take one run at a time, so runs queue behind it. */
  private latest: Promise<unknown> = Promise.resolve();
  /** Set by dispose: resolves once every session is released. */
  private released: Promise<void> | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly readExternal: ExternalDataReader | undefined,
    private readonly device: 'cpu' | 'webgpu',
    private readonly runtime: Promise<OrtRuntime>,
    /** Runs what this one cannot: overrides and tensors no node computes (OrtGradients' compiled forward, or our runtime). */
    readonly fallback: { readonly graph: Graph; run(req: RunRequest): Promise<Record<string, HostTensor>> },
  ) {
    this.computed = new Set([...fallback.graph.nodes.flatMap((n) => n.outputs), ...fallback.graph.outputs.map((o) => o.name)]);
  }

  async run(req: RunRequest): Promise<Record<string, HostTensor>> {
    if (this.released) throw disposedError();
    if (Object.keys(req.overrides ?? {}).length > 0 || !req.fetch.every((name) => this.computed.has(name))) return this.fallback.run(req);
    const outputs = new Set(this.fallback.graph.outputs.map((o) => o.name));
    const session = await this.session([...new Set(req.fetch.filter((name) => !outputs.has(name)))].sort());
    const inputs = session.inputMetadata.map((m) => ({ name: m.name, type: m.isTensor ? m.type : undefined }));
    if (inputs.some(({ type }) => !type || !FEEDS[type])) return this.fallback.run(req);
    const { ort } = await this.runtime;
    const feeds: Record<string, Ort.Tensor> = {};
    for (const { name, type } of inputs) {
      const v = req.feeds[name];
      if (!v) throw new InvalidInputError(`missing model input "${name}"`, 'missing_input');
      feeds[name] = new ort.Tensor(type as 'float32', FEEDS[type!]!(v.data) as Float32Array, v.shape);
    }
    // Disposed while this run waited for its session: the session may be released already.
    if (this.released) throw disposedError();
    const running = this.latest.then(() => session.run(feeds, [...new Set(req.fetch)]));
    this.latest = running.catch(() => undefined);
    const out = await running;
    const results = Object.fromEntries(req.fetch.map((name) => [name, toHost(name, out[name]!)]));
    // onnxruntime does not say where a NaN started; our runtime names the first tensor holding it (NonFiniteError).
    if (Object.values(results).some((t) => nonFinite(t))) return this.fallback.run(req);
    return results;
  }

  /**
   * Release every onnxruntime session (and the memory it holds: wasm heap, its own WebGPU
   * buffers); resolves once they are. Idempotent; later runs throw 'disposed'. The fallback
   * model is its owner's to dispose.
   */
  dispose(): Promise<void> {
    if (!this.released) {
      const sessions = [...this.sessions.values()];
      this.sessions.clear();
      // After the run in flight, if any; a session still being created is released once it exists.
      this.released = this.latest.then(async () => {
        await Promise.all(sessions.map((s) => s.then((session) => session.release()).catch(() => undefined)));
      });
    }
    return this.released;
  }

  /** Sessions created and not yet released (one per set of taps). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  private session(taps: readonly string[]): Promise<Ort.InferenceSession> {
    const key = taps.join('\n');
    let session = this.sessions.get(key);
    if (!session) {
      session = this.create(taps);
      this.sessions.set(key, session);
      session.catch(() => this.sessions.delete(key));
    }
    return session;
  }

  private async create(taps: readonly string[]): Promise<Ort.InferenceSession> {
    const { ort, flavour } = await this.runtime;
    const model = taps.length > 0 ? withOutputs(this.bytes, taps) : this.bytes;
    const externalData = await (this.external ??= externalDataOf(this.bytes, this.readExternal));
    // Errors only: its warnings (e.g. shape ops placed on the CPU) are not the user's to act on.
    const options = { logSeverityLevel: 3 as const, ...(externalData.length > 0 && { externalData }) };
    if (this.device === 'webgpu' && flavour === 'web' && !webGpuFailed) {
      try {
        return await ort.InferenceSession.create(model, { ...options, executionProviders: ['webgpu'] });
      } catch (e) {
        webGpuFailed = true;
        console.warn(
          `Glassbox: onnxruntime-web's webgpu execution provider failed (${(e as Error).message}); its forward passes run on wasm`,
        );
      }
    }
    return ort.InferenceSession.create(model, { ...options, executionProviders: [flavour === 'node' ? 'cpu' : 'wasm'] });
  }
}
