// The gradient kernels against naive float64 references written here, independent of the
// forward kernels: linear kernels (SliceGrad, GatherGrad, ConvInputGrad) by the adjoint
// identity <L x, dy> = <x, Lᵀ dy>, the others by central differences of a reference forward.
import { describe, expect, it } from 'vitest';
import { type HostTensor, floatTensor, intTensor, sizeOf, stridesOf } from '../../../../tensor.ts';
import { Rng } from '../../../../methods/rng.ts';
import { resolveSliceBounds } from '../../../slice-bounds.ts';
import { cpuBackend } from '../../index.ts';

const random = new Rng(1234);
const rng = () => random.next();
const rand = (shape: number[], lo = -1, hi = 1) =>
  floatTensor(
    shape,
    Array.from({ length: sizeOf(shape) }, () => lo + (hi - lo) * rng()),
  );
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const run = (op: string, inputs: HostTensor[], attrs: Record<string, unknown>) => cpuBackend.run(op, inputs, attrs as never)[0]!;

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

/** The input indices a slice reads along one axis: an independent loop over ONNX's rules. */
function sliceIndices(dim: number, start: number, end: number, step: number): number[] {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  s = step > 0 ? clamp(s, 0, dim) : clamp(s, 0, dim - 1);
  e = step > 0 ? clamp(e, 0, dim) : clamp(e, -1, dim - 1);
  const out: number[] = [];
  if (step > 0) for (let i = s; i < e; i += step) out.push(i);
  else for (let i = s; i > e; i += step) out.push(i);
  return out;
}

describe('resolveSliceBounds', () => {
  const cases: [string, number[], number[], number[], number[] | undefined, number[] | undefined, number[], number[], number[]][] = [
    // name, shape, starts, ends, axes, steps → starts, steps, shape
    ['plain', [5], [1], [3], undefined, undefined, [1], [1], [2]],
    ['reverse all (INT_MIN end)', [5], [-1], [INT32_MIN], [0], [-1], [4], [-1], [5]],
    ['huge start, negative step 2', [5], [10], [-10], [0], [-2], [4], [-2], [3]],
    ['INT_MAX end', [4, 6], [1], [INT32_MAX], [1], [2], [0, 1], [1, 2], [4, 3]],
    ['negative axis', [4, 6], [-3], [-1], [-1], [1], [0, 3], [1, 1], [4, 2]],
    ['empty (start past end)', [5], [3], [1], [0], [1], [0], [1], [0]],
    ['empty axis, negative step', [0, 2], [-1], [INT32_MIN], [0], [-1], [0, 0], [-1, 1], [0, 2]],
    ['negative step start below range clamps to 0', [5], [-100], [-100], [0], [-1], [0], [-1], [1]],
    ['negative step end -1 means "before the last"', [5], [4], [-1], [0], [-1], [0], [-1], [0]],
  ];
  for (const [name, shape, starts, ends, axes, steps, wStarts, wSteps, wShape] of cases) {
    it(name, () => {
      const b = resolveSliceBounds(shape, starts, ends, axes, steps);
      expect(b.starts).toEqual(wStarts);
      expect(b.steps).toEqual(wSteps);
      expect(b.shape).toEqual(wShape);
    });
  }
  it('rejects a zero step and a repeated axis', () => {
    expect(() => resolveSliceBounds([5], [0], [5], [0], [0])).toThrow(/^Slice: step/);
    expect(() => resolveSliceBounds([5, 5], [0, 0], [5, 5], [0, -2], [1, 1])).toThrow(/^Slice: axis/);
  });
});

describe('SliceGrad', () => {
  const cases = [
    { shape: [4, 5], starts: [-1, 1], ends: [INT32_MIN, 4], axes: [0, 1], steps: [-1, 2] },
    { shape: [3, 4, 5], starts: [10, -2], ends: [-10, 0], axes: [2, 1], steps: [-2, -1] },
    { shape: [3, 4], starts: [1], ends: [INT32_MAX], axes: undefined, steps: undefined },
    { shape: [3, 4], starts: [3], ends: [1], axes: [1], steps: [1] },
  ];
  for (const c of cases) {
    it(`scatters dy where Slice reads: ${JSON.stringify(c)}`, () => {
      const rank = c.shape.length;
      const axes = c.axes ?? c.starts.map((_, i) => i);
      const perAxis = c.shape.map((d) => [...Array(d).keys()]);
      axes.forEach((a, i) => {
        const ax = a < 0 ? a + rank : a;
        perAxis[ax] = sliceIndices(c.shape[ax]!, c.starts[i]!, c.ends[i]!, c.steps?.[i] ?? 1);
      });
      const outShape = perAxis.map((l) => l.length);
      const dy = rand(outShape);
      const dx = run('SliceGrad', [dy], { inputShape: c.shape, starts: c.starts, ends: c.ends, axes: c.axes, steps: c.steps });
      expect(dx.dtype).toBe('float32');
      expect(dx.shape).toEqual(c.shape);
      const want = new Float32Array(sizeOf(c.shape));
      const inStrides = stridesOf(c.shape);
      const outStrides = stridesOf(outShape);
      for (let k = 0; k < sizeOf(outShape); k++) {
        let off = 0;
        for (let d = 0; d < rank; d++) off += perAxis[d]![Math.floor(k / outStrides[d]!) % outShape[d]!]! * inStrides[d]!;
        want[off] = dy.data[k]!;
      }
      expect(Array.from(dx.data)).toEqual(Array.from(want));
    });
  }
  it('rejects a dy of the wrong shape', () => {
    expect(() => run('SliceGrad', [rand([2])], { inputShape: [5], starts: [0], ends: [3] })).toThrow(/^SliceGrad/);
  });
});

describe('GatherGrad', () => {
  const cases: { dataShape: number[]; axis: number; indices: HostTensor }[] = [
    { dataShape: [2, 4, 3], axis: 1, indices: intTensor([2, 3], [1, 3, 1, -1, 0, 1]) },
    { dataShape: [5, 2], axis: 0, indices: intTensor([], [-2]) },
    { dataShape: [3, 4], axis: -1, indices: intTensor([4], [0, 0, 0, 2], 'int32') },
  ];
  for (const c of cases) {
    it(`is the adjoint of Gather (axis ${c.axis}, indices ${JSON.stringify(c.indices.shape)})`, () => {
      const axis = c.axis < 0 ? c.axis + c.dataShape.length : c.axis;
      const outer = sizeOf(c.dataShape.slice(0, axis));
      const dim = c.dataShape[axis]!;
      const inner = sizeOf(c.dataShape.slice(axis + 1));
      const nIdx = sizeOf(c.indices.shape);
      const outShape = [...c.dataShape.slice(0, axis), ...c.indices.shape, ...c.dataShape.slice(axis + 1)];
      const x = rand(c.dataShape);
      const dy = rand(outShape);
      // Reference Gather.
      const y = new Float64Array(sizeOf(outShape));
      for (let o = 0; o < outer; o++)
        for (let k = 0; k < nIdx; k++) {
          const idx = (c.indices.data[k]! + dim) % dim;
          for (let i = 0; i < inner; i++) y[(o * nIdx + k) * inner + i] = x.data[(o * dim + idx) * inner + i]!;
        }
      const dx = run('GatherGrad', [dy, c.indices], { axis: c.axis, dataShape: c.dataShape });
      expect(dx.shape).toEqual(c.dataShape);
      expect(dot(x.data, dx.data)).toBeCloseTo(dot(y, dy.data), 5);
    });
  }
  it('accumulates repeated indices', () => {
    const dx = run('GatherGrad', [floatTensor([3], [1, 2, 4]), intTensor([3], [0, 1, -2])], { axis: 0, dataShape: [2] });
    expect(Array.from(dx.data)).toEqual([5, 2]);
    expect(() => run('GatherGrad', [floatTensor([1], [1]), intTensor([1], [2])], { axis: 0, dataShape: [2] })).toThrow(/^GatherGrad/);
  });
});

/** Reference 2-D convolution (no bias) in float64. */
function conv2d(
  x: HostTensor,
  w: HostTensor,
  strides: number[],
  pads: number[],
  dilations: number[],
  group: number,
): { data: Float64Array; shape: number[] } {
  const [N, C, H, W] = x.shape as number[];
  const [M, Cg, KH, KW] = w.shape as number[];
  const OH = Math.floor((H! + pads[0]! + pads[2]! - dilations[0]! * (KH! - 1) - 1) / strides[0]!) + 1;
  const OW = Math.floor((W! + pads[1]! + pads[3]! - dilations[1]! * (KW! - 1) - 1) / strides[1]!) + 1;
  const out = new Float64Array(N! * M! * OH * OW);
  const Mg = M! / group;
  for (let n = 0; n < N!; n++)
    for (let m = 0; m < M!; m++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let s = 0;
          const g = Math.floor(m / Mg);
          for (let c = 0; c < Cg!; c++)
            for (let kh = 0; kh < KH!; kh++)
              for (let kw = 0; kw < KW!; kw++) {
                const ih = oh * strides[0]! - pads[0]! + kh * dilations[0]!;
                const iw = ow * strides[1]! - pads[1]! + kw * dilations[1]!;
                if (ih < 0 || ih >= H! || iw < 0 || iw >= W!) continue;
                s += x.data[((n * C! + g * Cg! + c) * H! + ih) * W! + iw]! * w.data[((m * Cg! + c) * KH! + kh) * KW! + kw]!;
              }
          out[((n * M! + m) * OH + oh) * OW + ow] = s;
        }
  return { data: out, shape: [N!, M!, OH, OW] };
}

describe('ConvInputGrad', () => {
  const cases = [
    {
      name: 'ViT patch (stride = kernel)',
      x: [1, 3, 8, 8],
      w: [4, 3, 4, 4],
      strides: [4, 4],
      pads: [0, 0, 0, 0],
      dilations: [1, 1],
      group: 1,
    },
    { name: 'pads + dilation + group', x: [2, 4, 7, 6], w: [6, 2, 3, 3], strides: [2, 1], pads: [1, 2, 2, 1], dilations: [2, 1], group: 2 },
    {
      name: 'depthwise, stride not dividing',
      x: [1, 3, 5, 5],
      w: [3, 1, 2, 3],
      strides: [2, 2],
      pads: [0, 1, 0, 0],
      dilations: [1, 2],
      group: 3,
    },
  ];
  for (const c of cases) {
    it(`is the adjoint of Conv: ${c.name}`, () => {
      const x = rand(c.x);
      const w = rand(c.w);
      const y = conv2d(x, w, c.strides, c.pads, c.dilations, c.group);
      const dy = rand(y.shape);
      const dx = run('ConvInputGrad', [dy, w], {
        inputShape: c.x,
        strides: c.strides,
        pads: c.pads,
        dilations: c.dilations,
        group: c.group,
      });
      expect(dx.shape).toEqual(c.x);
      expect(dot(x.data, dx.data)).toBeCloseTo(dot(y.data, dy.data), 4);
    });
  }
  it('defaults strides, pads, dilations and group', () => {
    const x = rand([1, 2, 4, 4]);
    const w = rand([3, 2, 3, 3]);
    const y = conv2d(x, w, [1, 1], [0, 0, 0, 0], [1, 1], 1);
    const dy = rand(y.shape);
    const dx = run('ConvInputGrad', [dy, w], { inputShape: [1, 2, 4, 4] });
    expect(dot(x.data, dx.data)).toBeCloseTo(dot(y.data, dy.data), 4);
  });
});

/** Central differences of Σ dy ⊙ f(x) in float64, against the kernel's dx. */
function checkFd(f: (x: Float64Array) => Float64Array, x: HostTensor, dy: HostTensor, dx: HostTensor, tol = 1e-6) {
  const h = 1e-5;
  const base = Float64Array.from(x.data);
  for (let i = 0; i < base.length; i++) {
    const p = Float64Array.from(base);
    const m = Float64Array.from(base);
    p[i]! += h;
    m[i]! -= h;
    const num = (dot(f(p), dy.data) - dot(f(m), dy.data)) / (2 * h);
    expect(Math.abs(num - dx.data[i]!)).toBeLessThan(tol + 1e-4 * Math.abs(num));
  }
}

/** Apply `f` to each line of `x` along `axis`. */
function alongAxis(x: Float64Array, shape: number[], axis: number, f: (line: number[]) => number[]): Float64Array {
  const outer = sizeOf(shape.slice(0, axis));
  const n = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const out = new Float64Array(x.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const line = [...Array(n).keys()].map((k) => x[(o * n + k) * inner + i]!);
      f(line).forEach((v, k) => (out[(o * n + k) * inner + i] = v));
    }
  return out;
}
const softmax = (l: number[]) => {
  const m = Math.max(...l);
  const e = l.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe('SoftmaxGrad / LogSoftmaxGrad', () => {
  for (const axis of [0, 1, -1]) {
    it(`match the derivative of softmax / log-softmax along axis ${axis}`, () => {
      const shape = [2, 3, 4];
      const ax = axis < 0 ? axis + 3 : axis;
      const x = rand(shape, -2, 2);
      const dy = rand(shape);
      const sm = (v: Float64Array) => alongAxis(v, shape, ax, softmax);
      const lsm = (v: Float64Array) => alongAxis(v, shape, ax, (l) => softmax(l).map(Math.log));
      const y = floatTensor(shape, sm(Float64Array.from(x.data)));
      checkFd(sm, x, dy, run('SoftmaxGrad', [y, dy], { axis }), 1e-5);
      const ly = floatTensor(shape, lsm(Float64Array.from(x.data)));
      checkFd(lsm, x, dy, run('LogSoftmaxGrad', [ly, dy], { axis }), 1e-5);
    });
  }
});

describe('LayerNormalizationGrad', () => {
  const cases = [
    { shape: [2, 3, 4], axis: -1, scaleShape: [4] },
    { shape: [2, 3, 4], axis: 1, scaleShape: [3, 4] },
    { shape: [2, 3, 4], axis: 1, scaleShape: [4] },
    { shape: [3, 5], axis: 0, scaleShape: [3, 5] },
  ];
  for (const c of cases) {
    it(`matches the derivative of layer norm (axis ${c.axis}, scale ${JSON.stringify(c.scaleShape)})`, () => {
      const eps = 1e-5;
      const x = rand(c.shape, -2, 2);
      const scale = rand(c.scaleShape, 0.5, 1.5);
      const dy = rand(c.shape);
      const ax = c.axis < 0 ? c.axis + c.shape.length : c.axis;
      const n = sizeOf(c.shape.slice(ax));
      const sn = scale.data.length;
      const ln = (v: Float64Array) => {
        const out = new Float64Array(v.length);
        for (let o = 0; o < v.length / n; o++) {
          const line = v.subarray(o * n, (o + 1) * n);
          const mu = line.reduce((a, b) => a + b, 0) / n;
          const va = line.reduce((a, b) => a + (b - mu) ** 2, 0) / n;
          for (let j = 0; j < n; j++) out[o * n + j] = ((line[j]! - mu) / Math.sqrt(va + eps)) * scale.data[j % sn]!;
        }
        return out;
      };
      const dx = run('LayerNormalizationGrad', [x, scale, dy], { axis: c.axis, epsilon: eps });
      expect(dx.shape).toEqual(c.shape);
      checkFd(ln, x, dy, dx, 1e-5);
    });
  }
});
