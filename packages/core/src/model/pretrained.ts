import { type Device, selectBackend } from '../backend/select.ts';
import { InvalidInputError, ModelLoadError } from '../errors.ts';
import type { HostTensor } from '../tensor.ts';
import { type ModelFileOptions, onnxFileName, readModelFile } from './hub.ts';
import { OnnxModel, type RunRequest } from './onnxModel.ts';
import { OrtForward } from './ortForward.ts';

export type { Device };

export const FORWARD_ENGINES = ['auto', 'glassbox', 'onnxruntime'] as const;
export type ForwardChoice = (typeof FORWARD_ENGINES)[number];

/** What runs a model's forward-only passes: our runtime (an OnnxModel) or onnxruntime-web (OrtForward). */
export interface ForwardEngine {
  run(req: RunRequest): Promise<Record<string, HostTensor>>;
  /** Give back what it holds (device memory, sessions); later runs throw 'disposed'. */
  dispose(): void | Promise<void>;
}

/**
 * The engine 'auto' picks per backend: the one measured faster on forward-only passes, rows
 * of one input with one token set to [PAD] per row (2026-11-21, 2 shared cores, rows per second):
 *
 * | cpu device | Glassbox cpu backend | onnxruntime-web wasm |
 * |---|--:|--:|
 * | distilbert-sst2-tiny, 7 tokens, batch 32, Node 20 | 1336 | 11741 |
 * | distilbert-sst2-tiny, 7 tokens, batch 32, Chromium | 1792 | 16857 |
 * | distilbert-base geometry, 28 tokens, batch 32, Node 20 | 0.3 | 3.9 |
 *
 * | webgpu device (Chromium, SwiftShader) | Glassbox webgpu backend | onnxruntime-web webgpu |
 * |---|--:|--:|
 * | distilbert-sst2-tiny, 7 tokens, batch 32 | 102 | 63 |
 * | distilbert-base geometry, 28 tokens, batch 50 (`pnpm bench`, README) | 0.24 | 0.14 |
 *
 * Node: scripts/forward-engines.ts; Chromium: the same loop in a vitest browser test. On a real
 * GPU the webgpu rows may well turn over.
 */
const FASTER_FORWARD: Record<'cpu' | 'webgpu', Exclude<ForwardChoice, 'auto'>> = { cpu: 'onnxruntime', webgpu: 'glassbox' };

export interface LoadOptions extends ModelFileOptions {
  /** Where the runtime's kernels run: 'cpu', 'webgpu', or 'auto' (WebGPU when an adapter exists). */
  device?: Device;
  /**
   * What runs forward-only passes (perturbation methods, metrics): 'glassbox' (our runtime),
   * 'onnxruntime' (onnxruntime-web: wasm on the cpu device, its webgpu provider on webgpu)
   * or 'auto' (default: the one measured faster on the device). Gradients always run on ours.
   */
  forward?: ForwardChoice;
}

export interface ModelConfig {
  model_type?: string;
  id2label?: Record<string, string>;
  max_position_embeddings?: number;
  n_positions?: number;
  pad_token_id?: number;
  [key: string]: unknown;
}

/**
 * The model's config.json, read first: a hub id that does not exist or a folder that is not a
 * model fails here with the file's URL or path, before the tokenizer and graph are fetched.
 */
export async function loadConfig(model: string, revision?: string): Promise<ModelConfig> {
  const bytes = await readModelFile(model, 'config.json', revision);
  let config: unknown;
  try {
    config = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ModelLoadError(`model "${model}": config.json is not valid JSON: ${(e as Error).message}`);
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) throw new ModelLoadError(`model "${model}": config.json is not a JSON object`);
  return config as ModelConfig;
}

/** The model's ONNX file (the one `options` select, external data included) on the chosen backend, and its forward engine. */
export async function loadOnnxModel(model: string, options: LoadOptions): Promise<{ onnx: OnnxModel; forward: ForwardEngine; file: string }> {
  const choice = options.forward ?? 'auto';
  if (!FORWARD_ENGINES.includes(choice)) {
    throw new InvalidInputError(`unknown forward engine "${String(choice)}"; use ${FORWARD_ENGINES.join(', ')}`, 'bad_forward');
  }
  const backend = await selectBackend(options.device);
  const file = await onnxFileName(model, options);
  const dir = file.slice(0, file.lastIndexOf('/') + 1);
  const bytes = await readModelFile(model, file, options.revision);
  const readExternal = (location: string) => readModelFile(model, dir + location, options.revision);
  const onnx = await OnnxModel.fromBytes(bytes, readExternal, backend).catch((e: unknown) => {
    throw e instanceof ModelLoadError ? new ModelLoadError(`model "${model}": ${file}: ${e.message}`) : e;
  });
  const device = backend.name === 'webgpu' ? 'webgpu' : 'cpu';
  const engine = choice === 'auto' ? FASTER_FORWARD[device] : choice;
  const forward = engine === 'onnxruntime' ? new OrtForward(bytes, readExternal, device, onnx) : onnx;
  return { onnx, forward, file };
}

/** Class labels from config.id2label, in index order. */
export function labelsOf(config: ModelConfig): string[] {
  const id2label = config.id2label ?? {};
  const n = Object.keys(id2label).length;
  return Array.from({ length: n }, (_, i) => id2label[i] ?? `LABEL_${i}`);
}
