import { AutoConfig } from '@huggingface/transformers';
import { type Device, selectBackend } from '../backend/select.ts';
import { ModelLoadError } from '../errors.ts';
import { type ModelFileOptions, onnxFileName, readModelFile } from './hub.ts';
import { OnnxModel } from './onnxModel.ts';

export type { Device };

export interface LoadOptions extends ModelFileOptions {
  /** Where the runtime's kernels run: 'cpu', 'webgpu', or 'auto' (WebGPU when an adapter exists). */
  device?: Device;
}

export interface ModelConfig {
  model_type?: string;
  id2label?: Record<string, string>;
  max_position_embeddings?: number;
  n_positions?: number;
  pad_token_id?: number;
  [key: string]: unknown;
}

export async function loadConfig(model: string, revision?: string): Promise<ModelConfig> {
  try {
    return (await AutoConfig.from_pretrained(model, { revision } as never)) as unknown as ModelConfig;
  } catch (e) {
    throw new ModelLoadError(`model "${model}": could not load config.json: ${(e as Error).message}`);
  }
}

/** The model's ONNX file (the one `options` select, external data included) on the chosen backend. */
export async function loadOnnxModel(model: string, options: LoadOptions): Promise<{ onnx: OnnxModel; file: string }> {
  const backend = await selectBackend(options.device);
  const file = await onnxFileName(model, options);
  const dir = file.slice(0, file.lastIndexOf('/') + 1);
  const bytes = await readModelFile(model, file, options.revision);
  const onnx = await OnnxModel.fromBytes(bytes, (location) => readModelFile(model, dir + location, options.revision), backend);
  return { onnx, file };
}

/** Class labels from config.id2label, in index order. */
export function labelsOf(config: ModelConfig): string[] {
  const id2label = config.id2label ?? {};
  const n = Object.keys(id2label).length;
  return Array.from({ length: n }, (_, i) => id2label[i] ?? `LABEL_${i}`);
}
