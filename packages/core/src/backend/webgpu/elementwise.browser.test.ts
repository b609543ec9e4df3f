import { describe, it } from 'vitest';
import { Rng } from '../../methods/rng.ts';
import { expectSameAsCpu, randomInts, randomTensor } from './testing.ts';

const rng = new Rng(7);
const SHAPES: [number[], number[]][] = [
  [
    [7, 13, 5],
    [7, 13, 5],
  ],
  [[7, 13, 5], [5]],
  [
    [2, 1, 4],
    [3, 1],
  ],
  [[1], [3, 65]],
  [[], [4, 3]],
  [[2, 3, 768], [768]],
  [
    [3, 3072],
    [1, 3072],
  ],
  [
    [65, 65],
    [65, 1],
  ],
];

describe('elementwise kernels equal the CPU reference', () => {
  it.each(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual'])(
    '%s, float, broadcasting',
    async (op) => {
      for (const [a, b] of SHAPES) await expectSameAsCpu(op, [randomTensor(rng, a, -2, 2), randomTensor(rng, b, 0.5, 2)]);
    },
  );

  it.each(['Add', 'Sub', 'Mul', 'Div', 'Equal', 'Max'])('%s, int64', async (op) => {
    for (const [a, b] of SHAPES) await expectSameAsCpu(op, [randomInts(rng, a, -50, 50), randomInts(rng, b, 1, 9)]);
  });

  it('Pow, including negative bases with integer exponents', async () => {
    await expectSameAsCpu('Pow', [randomTensor(rng, [4, 9], 0.1, 3), randomTensor(rng, [9], -2, 2)], {}, 1e-5, 1e-5);
    const x = randomTensor(rng, [3, 8], -3, 3);
    await expectSameAsCpu('Pow', [x, { dtype: 'float32', shape: [], data: new Float32Array([2]) }], {}, 1e-5, 1e-5);
    await expectSameAsCpu('Pow', [x, { dtype: 'float32', shape: [], data: new Float32Array([3]) }], {}, 1e-5, 1e-5);
  });

  it.each(['And', 'Or', 'Xor'])('%s on bools', async (op) => {
    await expectSameAsCpu(op, [randomInts(rng, [5, 7], 0, 1, 'bool'), randomInts(rng, [7], 0, 1, 'bool')]);
  });

  it('Where with broadcasting', async () => {
    await expectSameAsCpu('Where', [randomInts(rng, [2, 1, 9], 0, 1, 'bool'), randomTensor(rng, [3, 9]), randomTensor(rng, [])]);
    await expectSameAsCpu('Where', [randomInts(rng, [4, 1], 0, 1, 'bool'), randomInts(rng, [4, 5], -9, 9), randomInts(rng, [5], -9, 9)]);
  });

  it.each(['Neg', 'Abs', 'Exp', 'Erf', 'Tanh', 'Relu', 'Sigmoid', 'Floor', 'Ceil', 'Identity'])('%s', async (op) => {
    await expectSameAsCpu(op, [randomTensor(rng, [7, 13, 5], -4, 4)], {}, 2e-6, 2e-6);
  });

  // WGSL leaves sin/cos accuracy to the adapter (SwiftShader: ~2e-4); no supported model uses them.
  it.each(['Sin', 'Cos'])('%s', async (op) => {
    await expectSameAsCpu(op, [randomTensor(rng, [7, 13, 5], -4, 4)], {}, 1e-3);
  });

  it.each(['Sqrt', 'Log', 'Reciprocal'])('%s on positive inputs', async (op) => {
    await expectSameAsCpu(op, [randomTensor(rng, [3, 768], 0.1, 5)], {}, 1e-6, 1e-6);
  });

  it('Tanh and Erf saturate without NaN', async () => {
    await expectSameAsCpu('Tanh', [randomTensor(rng, [64], -100, 100)], {}, 1e-6);
    await expectSameAsCpu('Erf', [randomTensor(rng, [64], -10, 10)], {}, 1e-6);
  });

  it('Not, Neg and Abs on ints', async () => {
    await expectSameAsCpu('Not', [randomInts(rng, [9], 0, 1, 'bool')]);
    await expectSameAsCpu('Neg', [randomInts(rng, [9], -5, 5)]);
  });

  it('Cast between float, int64, int32, uint8 and bool', async () => {
    const x = randomTensor(rng, [5, 7], -300, 300);
    for (const to of ['int64', 'int32', 'bool', 'float32'] as const) await expectSameAsCpu('Cast', [x], { to });
    const ints = randomInts(rng, [5, 7], -300, 300, 'int32');
    for (const to of ['float32', 'int64', 'uint8', 'int8', 'bool'] as const) await expectSameAsCpu('Cast', [ints], { to });
  });
});
