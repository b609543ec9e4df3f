import { describe, expect, it } from 'vitest';
import type { Attrs } from '../backend.ts';
import { convGeometry } from '../shapes/conv.ts';
import { Rng } from '../../methods/rng.ts';
import { expectSameAsCpu, randomTensor, webgpu } from './testing.ts';

const rng = new Rng(11);

interface Case {
  name: string;
  x: number[];
  w: number[];
  attrs: Attrs;
  /** Tolerance: receptive fields up to ~200 taps sum in f32 (the CPU in f64) well within 1e-5. */
  tol?: number;
}

const CASES: Case[] = [
  { name: 'ViT patch embedding, stride = kernel 8', x: [2, 3, 32, 32], w: [16, 3, 8, 8], attrs: { strides: [8, 8] } },
  { name: 'stride = kernel 16, 17 output channels', x: [1, 3, 48, 48], w: [17, 3, 16, 16], attrs: { strides: [16, 16] }, tol: 3e-5 },
  // 768 taps summed in f32 against the CPU's f64 sum: rounding grows with the sum length.
  {
    name: 'ViT-B/16 embedding width 768 on a 32×32 image',
    x: [1, 3, 32, 32],
    w: [768, 3, 16, 16],
    attrs: { strides: [16, 16] },
    tol: 1e-4,
  },
  { name: 'padding, dilation and group 2', x: [2, 4, 15, 17], w: [6, 2, 3, 3], attrs: { pads: [1, 2, 2, 1], dilations: [2, 2], group: 2 } },
  {
    name: 'odd sizes, strides [2, 1], uneven pads, group 2',
    x: [1, 4, 7, 9],
    w: [6, 2, 3, 2],
    attrs: { strides: [2, 1], pads: [1, 0, 1, 2], group: 2 },
  },
  {
    name: 'depthwise (group = channels), stride 2, 33×31',
    x: [1, 5, 33, 31],
    w: [5, 1, 3, 3],
    attrs: { strides: [2, 2], pads: [1, 1, 1, 1], group: 5 },
  },
  { name: '1×1 kernel, 65 channels', x: [1, 65, 5, 7], w: [16, 65, 1, 1], attrs: {} },
  {
    name: 'kernel larger than stride and dilation [1, 3], 63 outputs wide',
    x: [1, 2, 5, 67],
    w: [3, 2, 2, 2],
    attrs: { strides: [1, 1], dilations: [1, 3], pads: [0, 0, 0, 1] },
  },
];

describe('Conv equals the CPU reference', () => {
  it.each(CASES)('$name, without and with bias', async ({ x, w, attrs, tol = 1e-5 }) => {
    const xt = randomTensor(rng, x);
    const wt = randomTensor(rng, w);
    await expectSameAsCpu('Conv', [xt, wt], attrs, tol, 1e-5);
    await expectSameAsCpu('Conv', [xt, wt, randomTensor(rng, [w[0]!])], attrs, tol, 1e-5);
  });

  it('rejects a bias of the wrong size and w that does not fit the group', async () => {
    const gpu = await webgpu();
    const x = gpu.upload(randomTensor(rng, [1, 4, 5, 5]));
    const w = gpu.upload(randomTensor(rng, [6, 2, 3, 3]));
    expect(() => gpu.run('Conv', [x, w, gpu.upload(randomTensor(rng, [5]))], { group: 2 })).toThrow(/^Conv: bias/);
    expect(() => gpu.run('Conv', [x, w], { group: 3 })).toThrow(/^Conv: .*do not fit group 3/);
  });
});

describe('ConvInputGrad equals the CPU reference', () => {
  it.each(CASES)('$name', async ({ x, w, attrs, tol = 1e-5 }) => {
    const g = convGeometry('Conv', x, w, attrs);
    const dy = randomTensor(rng, [g.N, g.M, g.Ho, g.Wo]);
    await expectSameAsCpu('ConvInputGrad', [dy, randomTensor(rng, w)], { ...attrs, inputShape: x }, tol, 1e-5);
  });

  it('rejects dy that does not fit the input', async () => {
    const gpu = await webgpu();
    const dy = gpu.upload(randomTensor(rng, [1, 5, 3, 3]));
    const w = gpu.upload(randomTensor(rng, [6, 2, 3, 3]));
    expect(() => gpu.run('ConvInputGrad', [dy, w], { inputShape: [1, 4, 5, 5], group: 2 })).toThrow(/^ConvInputGrad: dy/);
  });
});
