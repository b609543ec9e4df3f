/// <reference types="@webgpu/types" />
import type { Tensor } from '../backend.ts';
import type { DType } from '../../tensor.ts';

/**
 * A tensor in GPU memory. Every dtype is stored 4 bytes per element: float32 as f32, the
 * integer and bool types as i32 (as on the CPU backend).
 */
export class GpuTensor implements Tensor {
  constructor(
    readonly dtype: DType,
    readonly shape: readonly number[],
    readonly buffer: GPUBuffer,
    /** Number of elements. */
    readonly size: number,
  ) {}
}

/** The WGSL element type of a dtype's storage. */
export const wgslType = (dtype: DType): 'f32' | 'i32' => (dtype === 'float32' ? 'f32' : 'i32');
