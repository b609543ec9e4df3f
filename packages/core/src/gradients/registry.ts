import type { Attrs, Tensor } from '../backend/backend.ts';
import type { Ops } from '../backend/ops.ts';

export interface GradContext {
  ops: Ops;
  /** Forward inputs of the node (undefined where an optional input is absent). */
  inputs: readonly (Tensor | undefined)[];
  /** Forward outputs of the node. */
  outputs: readonly Tensor[];
  /** The lowered attributes the forward kernel ran with. */
  attrs: Attrs;
}

/**
 * A vector-Jacobian product: given the gradients of the node's outputs (undefined for an
 * output no path reaches), return the gradient of each input for which `needs[i]` is true
 * (undefined elsewhere). Gradients are always float32 and have their input's shape.
 */
export type Vjp = (ctx: GradContext, outGrads: readonly (Tensor | undefined)[], needs: readonly boolean[]) => (Tensor | undefined)[];

export const gradients = new Map<string, Vjp>();

export function registerGradient(op: string, vjp: Vjp): void {
  gradients.set(op, vjp);
}
