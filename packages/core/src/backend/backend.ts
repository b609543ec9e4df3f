import type { DType, HostTensor } from '../tensor.ts';

/** A tensor living on a backend. The CPU backend's tensors are plain HostTensors. */
export interface Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export type AttrValue = number | string | boolean | number[] | string[] | HostTensor | undefined;
export type Attrs = Readonly<Record<string, AttrValue>>;

/**
 * Kernels take device tensors and plain attributes and return device tensors.
 * Shape-like operands (Reshape's shape, Slice's starts/ends, reduction axes...) are
 * resolved at plan time and arrive as attributes, never as tensors, so a kernel never
 * has to read device memory to know what to do. See graph/lower.ts.
 */
export type Kernel<T extends Tensor = Tensor> = (inputs: readonly T[], attrs: Attrs) => T[];

/** What a device backend holds in its own memory (WebGPU: buffers), in bytes. */
export interface MemoryStats {
  /** Held by live tensors (a model's weights, a pass's values). */
  liveBytes: number;
  /** Released and kept in the pool for reuse. */
  pooledBytes: number;
  /** Every buffer the device holds: live + pooled. */
  createdBytes: number;
  /** The most ever live at once. */
  peakBytes: number;
  /** Compiled kernels cached (one per distinct kernel source). */
  pipelines: number;
}

export interface Backend<T extends Tensor = Tensor> {
  readonly name: 'cpu' | 'webgpu';
  /** Copy a host tensor onto the backend. */
  upload(t: HostTensor): T;
  /** Copy a backend tensor to the host. */
  read(t: T): Promise<HostTensor>;
  /** Run one kernel. Throws an Error naming the op if the backend lacks it. */
  run(op: string, inputs: readonly T[], attrs?: Attrs): T[];
  /** Release a tensor's storage (no-op on CPU). */
  release(t: T): void;
  /** Give a tensor's storage back to the device for good, not to the pool (a model's weights on dispose). */
  free?(t: T): void;
  /** Give every pooled (released, unused) buffer back to the device. */
  trim?(): void;
  /** What the backend holds now; undefined on the CPU, whose tensors are plain JavaScript arrays. */
  memoryStats?(): MemoryStats;
  hasKernel(op: string): boolean;
  /** Bytes one tensor may take, and bytes a whole pass may hold, on this backend. */
  memory(): { maxTensorBytes: number; budgetBytes: number };
  /**
   * Resolve when the backend can take work. A WebGPU backend whose device was lost makes a
   * new device here and bumps `generation`; tensors of older generations are gone.
   */
  ready?(): Promise<void>;
  readonly generation?: number;
}
