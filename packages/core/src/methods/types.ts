import type { HostTensor } from '../tensor.ts';

/**
 * A scalar function of a tensor, evaluated on batches: what every gradient method
 * attributes. `x` is [B, ...shape]; row b of the result is f(x[b]) and ∂f(x[b])/∂x[b].
 * (Captum's forward_func + target, with the batch dimension made explicit.)
 */
export interface DifferentiableFunction {
  gradients(x: HostTensor): Promise<{ scores: Float64Array; grads: HostTensor }>;
  scores(x: HostTensor): Promise<Float64Array>;
  /** Rows one pass can take on the device, used when the caller sets no internalBatchSize. */
  rowsPerPass?(): number;
}

/** An attribution over the features of one input, in the input's shape (without batch). */
export interface Attribution {
  values: Float64Array;
  shape: number[];
  /** Captum's convergence delta: Σ attributions − (f(input) − f(baseline)); IG only. */
  convergenceDelta?: number;
  /** f(input) and f(baseline), where the method computes them. */
  inputScore?: number;
  baselineScore?: number;
}

export interface BatchOptions {
  /** Points evaluated per forward/backward pass (Captum's internal_batch_size). */
  internalBatchSize?: number;
}
