import type { Attrs, Backend, Tensor } from './backend.ts';
import type { HostTensor } from '../tensor.ts';

/**
 * A backend that remembers every tensor it creates, so a whole forward/backward pass can
 * give its memory back at once (tfjs's tidy): intermediate values, gradients, uploads.
 */
export class Scope<T extends Tensor = Tensor> implements Backend<T> {
  private readonly created: T[] = [];
  constructor(private readonly inner: Backend<T>) {}

  get name() {
    return this.inner.name;
  }
  upload(t: HostTensor): T {
    const out = this.inner.upload(t);
    this.created.push(out);
    return out;
  }
  read(t: T): Promise<HostTensor> {
    return this.inner.read(t);
  }
  run(op: string, inputs: readonly T[], attrs?: Attrs): T[] {
    const outs = this.inner.run(op, inputs, attrs);
    this.created.push(...outs);
    return outs;
  }
  release(t: T): void {
    this.inner.release(t);
  }
  hasKernel(op: string): boolean {
    return this.inner.hasKernel(op);
  }
  memory() {
    return this.inner.memory();
  }
  /** Release everything created in this scope. */
  releaseAll(): void {
    for (const t of new Set(this.created)) this.inner.release(t);
    this.created.length = 0;
  }
}
