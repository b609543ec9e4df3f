import type { Attrs, Backend, Tensor } from './backend.ts';
import { type DType, type HostTensor, tensor } from '../tensor.ts';

/** Typed helpers over a backend's kernels; gradients are written with these. */
export class Ops<T extends Tensor = Tensor> {
  constructor(readonly backend: Backend<T>) {}

  run(op: string, inputs: readonly T[], attrs: Attrs = {}): T[] {
    return this.backend.run(op, inputs, attrs);
  }
  one(op: string, inputs: readonly T[], attrs: Attrs = {}): T {
    return this.backend.run(op, inputs, attrs)[0]!;
  }
  constant(t: HostTensor): T {
    return this.backend.upload(t);
  }
  scalar(value: number, dtype: DType = 'float32'): T {
    return this.backend.upload(tensor(dtype, [], [value]));
  }
  zeros(shape: readonly number[]): T {
    return this.expand(this.scalar(0), shape);
  }

  add = (a: T, b: T) => this.one('Add', [a, b]);
  sub = (a: T, b: T) => this.one('Sub', [a, b]);
  mul = (a: T, b: T) => this.one('Mul', [a, b]);
  div = (a: T, b: T) => this.one('Div', [a, b]);
  pow = (a: T, b: T) => this.one('Pow', [a, b]);
  neg = (a: T) => this.one('Neg', [a]);
  exp = (a: T) => this.one('Exp', [a]);
  sqrt = (a: T) => this.one('Sqrt', [a]);
  where = (cond: T, a: T, b: T) => this.one('Where', [cond, a, b]);
  cast = (a: T, to: DType) => this.one('Cast', [a], { to });
  matmul = (a: T, b: T) => this.one('MatMul', [a, b]);
  transpose = (a: T, perm: number[]) => this.one('Transpose', [a], { perm });
  reshape = (a: T, shape: readonly number[]) => this.one('Reshape', [a], { shape: [...shape] });
  expand = (a: T, shape: readonly number[]) => this.one('Expand', [a], { shape: [...shape] });
  reduceSum = (a: T, axes: number[], keepdims = true) => this.one('ReduceSum', [a], { axes, keepdims: keepdims ? 1 : 0 });
  concat = (xs: T[], axis: number) => this.one('Concat', xs, { axis });

  /** Sum `g` down to `shape`, undoing a numpy broadcast (the VJP of broadcasting). */
  unbroadcast(g: T, shape: readonly number[]): T {
    const gs = g.shape;
    if (gs.length === shape.length && gs.every((d, i) => d === shape[i])) return g;
    const offset = gs.length - shape.length;
    const axes: number[] = [];
    for (let i = 0; i < gs.length; i++) {
      if (i < offset || (shape[i - offset] === 1 && gs[i] !== 1)) axes.push(i);
    }
    const summed = axes.length ? this.reduceSum(g, axes, true) : g;
    return this.reshape(summed, shape);
  }
}
