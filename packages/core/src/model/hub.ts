import { ModelRegistry, env } from '@huggingface/transformers';
import { ModelLoadError } from '../errors.ts';
import { readBytes } from '../readBytes.ts';

/** Same rule as transformers.js: hub ids look like "name" or "owner/name"; anything else is a path. */
const HUB_ID = /^(\b[\w\-.]+\b\/)?\b[\w\-.]{1,96}\b$/;
export const isHubId = (id: string) => HUB_ID.test(id) && !id.includes('..') && !id.includes('--');

const join = (...parts: string[]) =>
  parts
    .map((p, i) => (i === 0 ? p.replace(/\/+$/, '') : p.replace(/^\/+|\/+$/g, '')))
    .filter(Boolean)
    .join('/');

const readLocal = (path: string): Promise<Uint8Array | undefined> => readBytes(path).catch(() => undefined);

/**
 * Read one file of a model the way transformers.js finds it: a path is read directly; a
 * hub id is looked up under `env.localModelPath` (if local models are allowed), then at
 * `env.remoteHost` + `env.remotePathTemplate` (if remote models are allowed).
 */
export async function readModelFile(model: string, file: string, revision = 'main'): Promise<Uint8Array> {
  const tried: string[] = [];
  if (!isHubId(model)) {
    const bytes = await readLocal(join(model, file));
    if (bytes) return bytes;
    throw new ModelLoadError(`model "${model}": file "${file}" not found at ${join(model, file)}`);
  }
  if (env.allowLocalModels) {
    const path = join(env.localModelPath, model, file);
    tried.push(path);
    const bytes = await readLocal(path);
    if (bytes) return bytes;
  }
  if (env.allowRemoteModels) {
    const url = join(
      env.remoteHost,
      env.remotePathTemplate.replaceAll('{model}', model).replaceAll('{revision}', encodeURIComponent(revision)),
      file,
    );
    tried.push(url);
    const doFetch = (env.fetch as typeof fetch | undefined) ?? fetch;
    let res: Response;
    try {
      res = await doFetch(url);
    } catch (e) {
      throw new ModelLoadError(`model "${model}": could not fetch ${url}: ${(e as Error).message}`);
    }
    if (res.ok) return new Uint8Array(await res.arrayBuffer());
    if (res.status === 404 || res.status === 401) {
      throw new ModelLoadError(`model "${model}": ${file} not found on the hub (HTTP ${res.status} at ${url}); check the model id`);
    }
    throw new ModelLoadError(`model "${model}": HTTP ${res.status} fetching ${url}`);
  }
  throw new ModelLoadError(
    `model "${model}": file "${file}" not found (tried ${tried.join(', ') || 'nothing: local and remote models are both disabled'})`,
  );
}

export interface ModelFileOptions {
  /** transformers.js dtype: 'fp32' (default), 'fp16', 'q8', 'int8', 'uint8', ... */
  dtype?: string;
  /** Base name of the ONNX file (transformers.js's model_file_name), e.g. 'model_opset17'. */
  modelFileName?: string;
  revision?: string;
}

/** The ONNX file transformers.js would load for these options (through its own ModelRegistry). */
export async function onnxFileName(model: string, options: ModelFileOptions): Promise<string> {
  const files = await ModelRegistry.get_model_files(model, {
    dtype: (options.dtype ?? 'fp32') as never,
    model_file_name: options.modelFileName,
    revision: options.revision,
  } as never);
  const onnx = files.find((f: string) => f.endsWith('.onnx'));
  if (!onnx) throw new ModelLoadError(`model "${model}": transformers.js names no ONNX file for dtype ${options.dtype ?? 'fp32'}`);
  return onnx;
}
