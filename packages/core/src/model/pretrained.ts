import { type Device, selectBackend } from '../backend/select.ts';
import { InvalidInputError, ModelLoadError } from '../errors.ts';
import type { HostTensor } from '../tensor.ts';
import { type ModelFileOptions, onnxFileName, readModelFile } from './hub.ts';
import { type GradientRequest, type GradientsRequest, OnnxModel, type RunRequest } from './onnxModel.ts';
import { OrtGradients } from './ortGradients.ts';
import { loadOrt } from './ortRuntime.ts';
import { OrtForward } from './ortForward.ts';

export type { Device };

export const ENGINES = ['auto', 'glassbox', 'onnxruntime'] as const;
export type EngineChoice = (typeof ENGINES)[number];
export const ORT_BUILDS = ['auto', 'node', 'web'] as const;
export type OrtBuild = (typeof ORT_BUILDS)[number];

/** What runs a model's forward-only passes: our runtime (an OnnxModel) or onnxruntime (OrtForward). */
export interface ForwardEngine {
  run(req: RunRequest): Promise<Record<string, HostTensor>>;
  /** Give back what it holds (device memory, sessions); later runs throw 'disposed'. */
  dispose(): void | Promise<void>;
}

/** What runs a model's gradient passes: our runtime (an OnnxModel) or onnxruntime running a compiled reverse pass (OrtGradients). */
export interface GradientEngine {
  runWithGradients(req: GradientsRequest): Promise<{ values: Record<string, HostTensor>; grads: Record<string, HostTensor>[] }>;
  runWithGradient(req: GradientRequest): Promise<{ values: Record<string, HostTensor>; grads: Record<string, HostTensor> }>;
  /** How many rows of these single-row feeds one gradient pass takes. */
  rowsPerPass(feeds: Record<string, HostTensor>): number;
}

/**
 * The engine 'auto' picks per device: the one measured faster there, for forward and gradient
 * passes alike (2 shared cores; Node 20 and headless Chromium 156; the software adapter
 * SwiftShader for webgpu). On a real GPU the webgpu choice may well turn over.
 *
 * Gradient passes: time per explanation in Chromium, median of 5 after a first one (which
 * also builds sessions, plans and shaders), fixtures' first input; the page cross-origin
 * isolated, so onnxruntime-web's wasm ran on 2 threads (1 thread in brackets, a page without
 * isolation); and seconds per integrated-gradients point of one warm pass (5 points on
 * onnxruntime wasm, 2 elsewhere) at distilbert-base's size (`pnpm bench`'s model); 2026-12-07,
 * load average about 4.5 on the 2 cores:
 *
 * | cpu device | Glassbox cpu backend | onnxruntime-web wasm |
 * |---|--:|--:|
 * | distilbert-sst2-tiny, LIG-50 on the word embeddings, 7 tokens | 52 ms | 77 ms (51 ms) |
 * | vit-fashion-tiny, IG-50 on pixel_values | 467 ms | 174 ms (186 ms) |
 * | first explanation, distilbert-sst2-tiny (the .wasm compiled, sessions created) | 144 ms | 2.8 s |
 * | distilbert-base geometry, 28 tokens, per LIG point | 5.37 s | 0.76 s |
 *
 * (onnxruntime-web wasm in one pass of all 50 points, on a quiet machine, with the in-graph
 * score: 4.0 s for the distilbert-base geometry's LIG-50, 0.08 s per point; README Performance.)
 *
 * | webgpu device (Chromium, SwiftShader) | Glassbox webgpu backend | onnxruntime-web webgpu |
 * |---|--:|--:|
 * | distilbert-sst2-tiny, LIG-50, 7 tokens | 693 ms | 1532 ms |
 * | vit-fashion-tiny, IG-50 | 5637 ms | 5052 ms |
 * | first explanation, distilbert-sst2-tiny | 3.7 s | 6.1 s |
 * | distilbert-base geometry, 28 tokens, per LIG point | 9.04 s | 20.9 s |
 *
 * So cpu: onnxruntime (7× at distilbert-base's size, 2.7× on the tiny ViT; on the tiny
 * DistilBERT each engine's fixed cost per pass dominates and they tie within noise); webgpu:
 * Glassbox (2.3× at distilbert-base's size, 2.2× on the tiny DistilBERT; onnxruntime 1.1× on
 * the tiny ViT).
 *
 * Forward-only passes, rows per second, rows of one input with one token set to [PAD] per row
 * (2026-11-21), the same order:
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
 */
const FASTER: Record<'cpu' | 'webgpu', Exclude<EngineChoice, 'auto'>> = { cpu: 'onnxruntime', webgpu: 'glassbox' };

export interface LoadOptions extends ModelFileOptions {
  /** Where the runtime's kernels run: 'cpu', 'webgpu', or 'auto' (WebGPU when an adapter exists). */
  device?: Device;
  /**
   * What runs forward and gradient passes: 'glassbox' (our runtime on the device's
   * backend), 'onnxruntime' (onnxruntime: forward passes as they are, gradient passes
   * compiled to one ONNX model with the reverse pass; wasm on the cpu device, its webgpu
   * provider on webgpu; onnxruntime-node in Node when installed) or 'auto' (default: the
   * one measured faster on the device).
   */
  engine?: EngineChoice;
  /** Which onnxruntime build the 'onnxruntime' engine uses: 'node' (onnxruntime-node), 'web' (onnxruntime-web), or 'auto' (node in Node when installed). */
  onnxruntime?: OrtBuild;
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
  if (!config || typeof config !== 'object' || Array.isArray(config))
    throw new ModelLoadError(`model "${model}": config.json is not a JSON object`);
  return config as ModelConfig;
}

/** The model's ONNX file (the one `options` select, external data included) on the chosen backend, and its engines. */
export async function loadOnnxModel(
  model: string,
  options: LoadOptions,
): Promise<{ onnx: OnnxModel; forward: ForwardEngine; gradients: GradientEngine; file: string }> {
  if ('forward' in options)
    throw new InvalidInputError('the load option "forward" is now "engine" (it decides forward and gradient passes)', 'unknown_option');
  const choice = options.engine ?? 'auto';
  if (!ENGINES.includes(choice)) {
    throw new InvalidInputError(`unknown engine "${String(choice)}"; use ${ENGINES.join(', ')}`, 'bad_engine');
  }
  const build = options.onnxruntime ?? 'auto';
  if (!ORT_BUILDS.includes(build)) {
    throw new InvalidInputError(`unknown onnxruntime build "${String(build)}"; use ${ORT_BUILDS.join(', ')}`, 'bad_engine');
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
  const engine = choice === 'auto' ? FASTER[device] : choice;
  if (engine === 'glassbox') return { onnx, forward: onnx, gradients: onnx, file };
  const runtime = loadOrt(build);
  const gradients = new OrtGradients(onnx, runtime, device);
  const forward = new OrtForward(bytes, readExternal, device, runtime, gradients);
  return { onnx, forward, gradients, file };
}

/** Class labels from config.id2label, in index order. */
export function labelsOf(config: ModelConfig): string[] {
  const id2label = config.id2label ?? {};
  const n = Object.keys(id2label).length;
  return Array.from({ length: n }, (_, i) => id2label[i] ?? `LABEL_${i}`);
}
