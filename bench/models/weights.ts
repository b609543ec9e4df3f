/** Seeded weights as HF transformers initialises them: normal(0, 0.02) matrices, zero biases, unit LayerNorm scales. */
import { Rng } from '../../packages/core/src/methods/rng.ts';

export const INITIALIZER_RANGE = 0.02;

export class Weights {
  private readonly rng: Rng;
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  normal(n: number, std = INITIALIZER_RANGE): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = std * this.rng.normal();
    return out;
  }
  /** An integer in [low, high). */
  int(low: number, high: number): number {
    return low + Math.floor(this.rng.next() * (high - low));
  }
}

export const zeros = (n: number) => new Float32Array(n);
export const ones = (n: number) => new Float32Array(n).fill(1);
