// Helpers for the kernel tests: every WebGPU kernel against the CPU reference.
import { expect } from 'vitest';
import type { Attrs } from '../backend.ts';
import { cpuBackend } from '../cpu/index.ts';
import type { Rng } from '../../methods/rng.ts';
import { type DType, type HostTensor, sizeOf, tensor } from '../../tensor.ts';
import { WebGpuBackend } from './index.ts';

let backend: Promise<WebGpuBackend> | undefined;
export const webgpu = () => (backend ??= WebGpuBackend.create());

export function randomTensor(rng: Rng, shape: readonly number[], lo = -1, hi = 1): HostTensor {
  return tensor(
    'float32',
    shape,
    Float32Array.from({ length: sizeOf(shape) }, () => lo + (hi - lo) * rng.next()),
  );
}

export function randomInts(rng: Rng, shape: readonly number[], lo: number, hi: number, dtype: DType = 'int64'): HostTensor {
  return tensor(
    dtype,
    shape,
    Int32Array.from({ length: sizeOf(shape) }, () => lo + Math.floor((hi - lo + 1) * rng.next())),
  );
}

/**
 * Run `op` on both backends and compare every output: same dtype and shape, values within
 * atol + rtol·|cpu| (exact for integer outputs).
 */
export async function expectSameAsCpu(
  op: string,
  inputs: readonly HostTensor[],
  attrs: Attrs = {},
  atol = 1e-5,
  rtol = 1e-5,
): Promise<void> {
  const gpu = await webgpu();
  const want = cpuBackend.run(op, inputs, attrs);
  const got = gpu.run(
    op,
    inputs.map((t) => gpu.upload(t)),
    attrs,
  );
  expect(got.length, `${op}: outputs`).toBe(want.length);
  for (let k = 0; k < want.length; k++) {
    const w = want[k]!;
    const g = await gpu.read(got[k]!);
    const what = `${op} output ${k} ${JSON.stringify(inputs.map((t) => t.shape))}`;
    expect(g.dtype, `${what} dtype`).toBe(w.dtype);
    expect(g.shape, `${what} shape`).toEqual(w.shape);
    let worst = 0;
    let at = -1;
    for (let i = 0; i < w.data.length; i++) {
      const a = g.data[i]!;
      const b = w.data[i]!;
      // Equal values (infinities included) and NaN on both sides agree; a NaN on one side never does.
      const err = a === b || (Number.isNaN(a) && Number.isNaN(b)) ? 0 : Math.abs(a - b) - rtol * Math.abs(b);
      if (!(err <= worst)) [worst, at] = [Number.isNaN(err) ? Infinity : err, i];
    }
    const tol = w.dtype === 'float32' ? atol : 0;
    expect(worst, `${what}: worst at [${at}]: webgpu ${g.data[at]} vs cpu ${w.data[at]}`).toBeLessThanOrEqual(tol);
  }
}
