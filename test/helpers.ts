import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HostTensor, env, tensor } from '@glassbox/core';
import { OnnxModel } from '@glassbox/core/runtime';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const MODELS = join(FIXTURES, 'models');

/** Point transformers.js at the copied fixtures, offline. */
export function useLocalFixtures(): void {
  env.localModelPath = `${MODELS}/`;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
}

import type { Json } from './expectClose.ts';

export type { Json };
export const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8'));
export const refsOf = (model: string): Json => readJson(join(MODELS, model, 'refs.json'));

export async function loadOnnxModel(model: string, file = 'model.onnx'): Promise<OnnxModel> {
  return OnnxModel.fromBytes(new Uint8Array(readFileSync(join(MODELS, model, 'onnx', file))));
}

export const ids2d = (rows: number[][], dtype: 'int64' = 'int64'): HostTensor => tensor(dtype, [rows.length, rows[0]!.length], rows.flat());

export { expectClose } from './expectClose.ts';
