import { GlassboxError, NonFiniteError, tensor } from '@glassbox/core';
import { OnnxModel, OrtForward, onnxSchema } from '@glassbox/core/runtime';
import { loadOrtWeb } from '../packages/core/src/model/ortRuntime.ts';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';

const ModelProto = protobuf.Root.fromJSON(onnxSchema as unknown as protobuf.INamespace).lookupType('onnx.ModelProto');
const FLOAT = 1;
const vector = (name: string) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: 3 }] } } } });

/** y = ReduceSum(Sqrt(x · k) + 1): NaN where x · k < 0; finite at 0, where the gradient of Sqrt is infinite. */
function sqrtModelBytes(): Uint8Array {
  const model = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'g',
      node: [
        { input: ['x', 'k'], output: ['scaled'], name: 'scale', opType: 'Mul' },
        { input: ['scaled'], output: ['root'], name: 'root_node', opType: 'Sqrt' },
        { input: ['root', 'one'], output: ['shifted'], name: 'shift', opType: 'Add' },
        { input: ['shifted'], output: ['y'], name: 'total', opType: 'ReduceSum', attribute: [{ name: 'keepdims', type: 2, i: 0 }] },
      ],
      initializer: [
        { name: 'k', dims: [3], dataType: FLOAT, floatData: [1, 2, 3] },
        { name: 'one', dims: [], dataType: FLOAT, floatData: [1] },
      ],
      input: [vector('x')],
      output: [{ name: 'y', type: { tensorType: { elemType: FLOAT, shape: { dim: [] } } } }],
    },
  };
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}
const sqrtModel = () => OnnxModel.fromBytes(sqrtModelBytes());

const x = (v: number[]) => ({ x: tensor('float32', [3], v) });
const gradientOf = (model: OnnxModel, v: number[]) =>
  model.runWithGradient({ feeds: x(v), fetch: [], output: 'y', seed: () => tensor('float32', [], [1]), wrt: ['x'] });

describe('non-finite values name the first tensor that went non-finite', () => {
  it('forward: NaN from Sqrt of a negative number names the Sqrt node and its output', async () => {
    const model = await sqrtModel();
    const e = await model.run({ feeds: x([1, -1, 2]), fetch: ['y'] }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(NonFiniteError);
    expect((e as NonFiniteError).code).toBe('non_finite');
    expect((e as NonFiniteError).tensor).toBe('root');
    expect((e as Error).message).toMatch(/forward pass produced NaN in "y".*"root" \(Sqrt node "root_node"\)/);
  });

  it('forward: a non-finite input is named as the input', async () => {
    const model = await sqrtModel();
    const e = await model.run({ feeds: x([1, Infinity, 2]), fetch: ['y'] }).catch((err: unknown) => err);
    expect((e as NonFiniteError).tensor).toBe('x');
    expect((e as Error).message).toMatch(/Infinity in "y".*"x" \(given as input\)/);
  });

  it('backward: the infinite gradient of Sqrt at 0 names the gradient and the node it went through', async () => {
    const model = await sqrtModel();
    expect(Array.from((await model.run({ feeds: x([1, 0, 2]), fetch: ['y'] })).y!.data)).toHaveLength(1); // the forward is finite
    const e = await gradientOf(model, [1, 0, 2]).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(NonFiniteError);
    expect((e as NonFiniteError).tensor).toBe('scaled');
    expect((e as Error).message).toMatch(
      /backward pass produced Infinity in the gradient of "x".*gradient of "scaled" \(through Sqrt node "root_node"\)/,
    );
  });

  it('finite passes are unaffected, and the model keeps working after an error', async () => {
    const model = await sqrtModel();
    await expect(gradientOf(model, [1, 0, 2])).rejects.toBeInstanceOf(GlassboxError);
    const { values, grads } = await gradientOf(model, [1, 2, 3]);
    expect(values.y!.data[0]).toBeCloseTo(Math.sqrt(1) + Math.sqrt(4) + Math.sqrt(9) + 3, 5);
    // d/dx sqrt(k x) = k / (2 sqrt(k x))
    expect(Array.from(grads.x!.data)).toEqual([1 / 2, 2 / 4, 3 / 6].map((g) => expect.closeTo(g, 6)));
  });

  it('forward on onnxruntime: a non-finite output is traced on our runtime and named the same way', async () => {
    const ort = new OrtForward(sqrtModelBytes(), undefined, 'cpu', loadOrtWeb(), await sqrtModel());
    expect(Array.from((await ort.run({ feeds: x([1, 4, 3]), fetch: ['y'] })).y!.data)).toEqual([
      expect.closeTo(1 + Math.sqrt(8) + 3 + 3, 5),
    ]);
    const e = await ort.run({ feeds: x([1, -1, 2]), fetch: ['y'] }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(NonFiniteError);
    expect((e as NonFiniteError).tensor).toBe('root');
    await ort.dispose();
  });
});
