/// <reference types="@webgpu/types" />
import type { MemoryStats } from '../backend.ts';
import { GlassboxError } from '../../errors.ts';
import { type DType, type HostTensor, sizeOf, tensor } from '../../tensor.ts';
import { GpuTensor } from './gpuTensor.ts';
import { PARAM_WORDS, WORKGROUP } from './wgsl.ts';

const PARAM_BYTES = PARAM_WORDS * 4;
/**
 * The buffers a device holds (live + pooled) stay within twice the most ever live at once, or
 * MIN_POOL_CAP if that is more: a new size evicts the least recently released pooled buffers
 * beyond it. Without a cap, every new input length would leave a whole pass's buffers in the
 * pool for good; with a tight one, inputs alternating between a few lengths would re-create
 * buffers on every call (a small model's passes take a few MiB: the floor spares them that).
 */
const POOL_CAP = 2;
export const MIN_POOL_CAP = 64 * 2 ** 20;
/** Dispatches recorded before the pending commands are submitted. */
const MAX_PENDING = 512;

export type Param = number | { f32: number } | { i32: number };

export interface Dispatch {
  /** WGSL source; pipelines are cached per source. Binding 0 is the params block, then inputs, then outputs. */
  code: string;
  inputs: readonly GpuTensor[];
  outputs: readonly GpuTensor[];
  /** Unsigned integers by default; {f32} and {i32} for the others. At most 64 words. */
  params?: readonly Param[];
  /** Invocations to cover (64 per workgroup, laid out on a 2-D grid); or explicit workgroup counts. */
  invocations?: number;
  workgroups?: [number, number?, number?];
}

/**
 * One WebGPU device with the machinery kernels share: a buffer pool, a pipeline cache,
 * parameter blocks packed into one buffer per submission, and a single command encoder
 * that collects dispatches until a result is read.
 */
export class Gpu {
  /** Released buffers by size, the least recently released size first. */
  private readonly pool = new Map<number, GPUBuffer[]>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private encoder: GPUCommandEncoder | undefined;
  private pass: GPUComputePassEncoder | undefined;
  private pending = 0;
  /** Parameter blocks of the dispatches recorded since the last submission, one slot each. */
  private readonly paramData = new Uint32Array(MAX_PENDING * PARAM_WORDS);
  private readonly paramBuffer: GPUBuffer;
  private paramCount = 0;
  /** Bytes of buffers created (held by tensors or waiting in the pool). */
  createdBytes = 0;
  /** Bytes held by live tensors, and the most ever held at once. */
  liveBytes = 0;
  peakBytes = 0;
  /** Bytes waiting in the pool. */
  pooledBytes = 0;

  /** The first validation or out-of-memory error the device raised since the last read. */
  private error: string | undefined;

  /** Why the device was lost, once it is. */
  lost: string | undefined;

  constructor(readonly device: GPUDevice) {
    this.paramBuffer = device.createBuffer({ size: MAX_PENDING * PARAM_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.addEventListener('uncapturederror', (e) => {
      const error = (e as GPUUncapturedErrorEvent).error;
      this.error ??= error.constructor?.name === 'GPUOutOfMemoryError' ? `out of GPU memory (${error.message})` : error.message;
    });
    void device.lost.then((info) => {
      this.lost = info.message || info.reason || 'unknown reason';
    });
  }

  private lostError(): GlassboxError {
    return new GlassboxError(
      'device_lost',
      `the WebGPU device was lost (${this.lost ?? 'destroyed'}); this call failed, the next one creates a new device`,
    );
  }

  /** Throw the error the device raised asynchronously, if any (kernels report them at the next read). */
  private throwDeviceError(): void {
    const message = this.error;
    this.error = undefined;
    if (message) throw new GlassboxError('webgpu_error', `WebGPU error: ${message}`);
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** An uninitialised tensor, its buffer taken from the pool when one of the size is free. */
  alloc(dtype: DType, shape: readonly number[]): GpuTensor {
    if (this.lost) throw this.lostError();
    const size = sizeOf(shape);
    const bytes = Math.max(16, Math.ceil((size * 4) / 16) * 16);
    if (bytes > this.limits.maxStorageBufferBindingSize) {
      throw new GlassboxError(
        'gpu_limit',
        `a [${shape.join(', ')}] tensor needs ${bytes} bytes; this device binds at most ${this.limits.maxStorageBufferBindingSize} (use a smaller internalBatchSize or shorter input)`,
      );
    }
    this.liveBytes += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.liveBytes);
    let buffer = this.pool.get(bytes)?.pop();
    if (buffer) this.pooledBytes -= bytes;
    else {
      this.evict(Math.max(POOL_CAP * this.peakBytes, MIN_POOL_CAP) - bytes);
      buffer = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
      this.createdBytes += bytes;
    }
    return new GpuTensor(dtype, [...shape], buffer, size);
  }

  /** Return a tensor's buffer to the pool. The caller must not use the tensor again. */
  release(t: GpuTensor): void {
    const bytes = t.buffer.size;
    const list = this.pool.get(bytes) ?? [];
    // Re-inserted: the most recently released size goes last, evicted last.
    this.pool.delete(bytes);
    this.pool.set(bytes, list);
    list.push(t.buffer);
    this.liveBytes -= bytes;
    this.pooledBytes += bytes;
  }

  /** Destroy a tensor's buffer instead of pooling it (a model's weights, when the model is disposed). */
  free(t: GpuTensor): void {
    t.buffer.destroy();
    this.liveBytes -= t.buffer.size;
    this.createdBytes -= t.buffer.size;
  }

  /** Destroy pooled buffers, the least recently released sizes first, until the device holds at most `bytes`. */
  private evict(bytes: number): void {
    for (const [size, list] of this.pool) {
      while (this.createdBytes > bytes && list.length > 0) {
        list.pop()!.destroy();
        this.pooledBytes -= size;
        this.createdBytes -= size;
      }
      if (list.length === 0) this.pool.delete(size);
      if (this.createdBytes <= bytes) return;
    }
  }

  /** Destroy every pooled buffer. */
  trim(): void {
    this.evict(0);
  }

  memoryStats(): MemoryStats {
    return {
      liveBytes: this.liveBytes,
      pooledBytes: this.pooledBytes,
      createdBytes: this.createdBytes,
      peakBytes: this.peakBytes,
      pipelines: this.pipelines.size,
    };
  }

  upload(t: HostTensor): GpuTensor {
    const out = this.alloc(t.dtype, t.shape);
    // Queue writes run before the commands still being recorded, so finish those first.
    if (this.pending) this.flush();
    const src = t.data instanceof Float32Array ? new Float32Array(t.data) : new Int32Array(t.data);
    if (src.byteLength) this.device.queue.writeBuffer(out.buffer, 0, src.buffer, src.byteOffset, src.byteLength);
    return out;
  }

  async read(t: GpuTensor): Promise<HostTensor> {
    const bytes = Math.max(4, t.size * 4);
    const staging = this.device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.endPass();
    this.encoderOrNew().copyBufferToBuffer(t.buffer, 0, staging, 0, staging.size);
    this.flush();
    try {
      await staging.mapAsync(GPUMapMode.READ);
    } catch (e) {
      // A lost device fails every map; its lost promise may settle a moment later.
      await Promise.race([this.device.lost, new Promise((r) => setTimeout(r, 100))]);
      throw this.lost ? this.lostError() : new GlassboxError('webgpu_error', `WebGPU read failed: ${(e as Error).message}`);
    }
    this.throwDeviceError();
    const raw = staging.getMappedRange().slice(0, t.size * 4);
    staging.unmap();
    staging.destroy();
    return tensor(t.dtype, t.shape, t.dtype === 'float32' ? new Float32Array(raw) : new Int32Array(raw));
  }

  private encoderOrNew(): GPUCommandEncoder {
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = undefined;
  }

  private pipeline(code: string): GPUComputePipeline {
    let p = this.pipelines.get(code);
    if (!p) {
      const module = this.device.createShaderModule({ code });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.pipelines.set(code, p);
    }
    return p;
  }

  /** Record one kernel dispatch. */
  dispatch(d: Dispatch): void {
    if (this.pending >= MAX_PENDING) this.flush();
    const slot = this.paramCount++;
    const words = d.params ?? [];
    if (words.length > PARAM_WORDS)
      throw new GlassboxError('kernel', `kernel needs ${words.length} parameter words, the block holds ${PARAM_WORDS}`);
    const view = new DataView(this.paramData.buffer, slot * PARAM_BYTES, PARAM_BYTES);
    words.forEach((w, i) => {
      if (typeof w === 'number') view.setUint32(i * 4, w >>> 0, true);
      else if ('f32' in w) view.setFloat32(i * 4, w.f32, true);
      else view.setInt32(i * 4, w.i32, true);
    });
    const pipeline = this.pipeline(d.code);
    const entries: GPUBindGroupEntry[] = [
      { binding: 0, resource: { buffer: this.paramBuffer, offset: slot * PARAM_BYTES, size: PARAM_BYTES } },
    ];
    [...d.inputs, ...d.outputs].forEach((t, i) => entries.push({ binding: i + 1, resource: { buffer: t.buffer } }));
    const group = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    this.pass ??= this.encoderOrNew().beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, group);
    const [x, y = 1, z = 1] = d.workgroups ?? grid(d.invocations ?? 1, this.limits.maxComputeWorkgroupsPerDimension);
    if (x > 0 && y > 0 && z > 0) this.pass.dispatchWorkgroups(x, y, z);
    this.pending++;
  }

  /** Submit everything recorded so far. */
  flush(): void {
    this.endPass();
    if (!this.encoder) return;
    if (this.paramCount) this.device.queue.writeBuffer(this.paramBuffer, 0, this.paramData.buffer, 0, this.paramCount * PARAM_BYTES);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = undefined;
    this.pending = 0;
    this.paramCount = 0;
  }

  destroy(): void {
    this.trim();
    this.paramBuffer.destroy();
    this.device.destroy();
  }
}

/** Workgroup counts covering n invocations of 64, as a 2-D grid within the per-dimension limit. */
export function grid(n: number, maxPerDim: number): [number, number] {
  const groups = Math.ceil(n / WORKGROUP);
  if (groups <= maxPerDim) return [groups, 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y];
}
