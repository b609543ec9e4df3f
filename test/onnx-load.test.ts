import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { ModelLoadError, UnsupportedOpError, tensor } from '@glassbox/core';
import { OnnxModel, loadOnnx, onnxSchema } from '@glassbox/core/runtime';
import { loadOnnxModel } from './helpers.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS } from './helpers.ts';

const ModelProto = protobuf.Root.fromJSON(onnxSchema as unknown as protobuf.INamespace).lookupType('onnx.ModelProto');
const FLOAT = 1;
const INT64 = 7;
const FLOAT16 = 10;
const DOUBLE = 11;

const f32Bytes = (v: number[]) => new Uint8Array(new Float32Array(v).buffer);
const valueInfo = (name: string, elemType: number, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

/** y = Reshape(x @ W + b, [-1]) * s, with W, b, s and the shape stored in different ways. */
function buildModel(opts: { w: object; b: object; opType?: string; opset?: number }): Uint8Array {
  const model = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: opts.opset ?? 14 }],
    graph: {
      name: 'g',
      node: [
        { input: ['x', 'W'], output: ['xw'], name: 'mm', opType: opts.opType ?? 'MatMul' },
        { input: ['xw', 'b'], output: ['xwb'], name: 'add', opType: 'Add' },
        {
          output: ['shape'],
          name: 'shape_const',
          opType: 'Constant',
          attribute: [{ name: 'value', type: 4, t: { dims: [1], dataType: INT64, int64Data: [-1] } }],
        },
        { input: ['xwb', 'shape'], output: ['flat'], name: 'reshape', opType: 'Reshape' },
        { input: ['flat', 's'], output: ['y'], name: 'scale', opType: 'Mul' },
      ],
      initializer: [
        { name: 'W', dims: [2, 2], ...opts.w },
        { name: 'b', dims: [2], ...opts.b },
        { name: 's', dims: [], dataType: DOUBLE, doubleData: [0.5] },
      ],
      input: [valueInfo('x', FLOAT, ['batch', 2])],
      output: [valueInfo('y', FLOAT, ['n'])],
    },
  };
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

const W = [1, 2, 3, 4];
const B = [0.5, -1];
// x = [[1, 1]] → x@W = [4, 6] → +b = [4.5, 5] → *0.5
const EXPECTED = [2.25, 2.5];

async function runY(bytes: Uint8Array, readExternal?: (l: string) => Promise<Uint8Array>) {
  const model = await OnnxModel.fromBytes(bytes, readExternal);
  const out = await model.run({ feeds: { x: tensor('float32', [1, 2], [1, 1]) }, fetch: ['y'] });
  return Array.from(out.y!.data);
}

describe('ONNX loading: every initializer storage form', () => {
  it('float_data and raw_data', async () => {
    expect(await runY(buildModel({ w: { dataType: FLOAT, floatData: W }, b: { dataType: FLOAT, rawData: f32Bytes(B) } }))).toEqual(
      EXPECTED,
    );
  });

  it('double_data and float16 in int32_data / raw_data', async () => {
    const half = (v: number) => ({ 1: 0x3c00, 2: 0x4000, 3: 0x4200, 4: 0x4400, 0.5: 0x3800, [-1]: 0xbc00 })[v as 1]!;
    const w16 = { dataType: FLOAT16, int32Data: W.map(half) };
    const b16 = { dataType: FLOAT16, rawData: new Uint8Array(new Uint16Array(B.map(half)).buffer) };
    expect(await runY(buildModel({ w: { dataType: DOUBLE, doubleData: W }, b: b16 }))).toEqual(EXPECTED);
    expect(await runY(buildModel({ w: w16, b: { dataType: FLOAT, floatData: B } }))).toEqual(EXPECTED);
  });

  it('external data files, with offsets', async () => {
    const file = new Uint8Array(64);
    file.set(f32Bytes(W), 8);
    file.set(f32Bytes(B), 40);
    const ext = (offset: number, length: number) => ({
      dataType: FLOAT,
      dataLocation: 1,
      externalData: [
        { key: 'location', value: 'weights.bin' },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(length) },
      ],
    });
    const bytes = buildModel({ w: ext(8, 16), b: ext(40, 8) });
    const asked: string[] = [];
    expect(await runY(bytes, async (l) => (asked.push(l), file))).toEqual(EXPECTED);
    expect(asked.every((l) => l === 'weights.bin')).toBe(true);
    await expect(loadOnnx(bytes, async () => file.subarray(0, 20))).rejects.toThrow(/weights\.bin.*truncated/);
    await expect(loadOnnx(bytes)).rejects.toThrow(ModelLoadError);
  });

  it('an unsupported op names the op type, node and opset', async () => {
    const bytes = buildModel({
      w: { dataType: FLOAT, floatData: W },
      b: { dataType: FLOAT, floatData: B },
      opType: 'NonMaxSuppression',
      opset: 17,
    });
    const err = await OnnxModel.fromBytes(bytes).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedOpError);
    expect(err.code).toBe('unsupported_op');
    expect(err.message).toMatch(/NonMaxSuppression/);
    expect(err.message).toMatch(/"mm"/);
    expect(err.message).toMatch(/opset 17/);
  });

  it('a truncated or garbage file is a ModelLoadError', async () => {
    const real = readFileSync(join(MODELS, 'distilbert-sst2-tiny', 'onnx', 'model.onnx'));
    await expect(loadOnnx(new Uint8Array(real.subarray(0, real.length / 2)))).rejects.toThrow(ModelLoadError);
    await expect(loadOnnx(new TextEncoder().encode('{"not": "onnx"}'))).rejects.toThrow(ModelLoadError);
  });
});

describe('runtime: plans, overrides and taps', () => {
  it('folds shape arithmetic on the host: the plan holds only value-dependent kernels', async () => {
    const model = await loadOnnxModel('distilbert-sst2-tiny');
    const ids = tensor('int64', [1, 5], [101, 1045, 2293, 2023, 102]);
    const mask = tensor('int64', [1, 5], [1, 1, 1, 1, 1]);
    const { plan } = (model as unknown as { plan: (f: object, o: object) => { plan: { steps: { op: string }[] } } }).plan(
      { input_ids: ids, attention_mask: mask },
      {},
    );
    const ops = new Set(plan.steps.map((s) => s.op));
    for (const folded of ['Shape', 'ConstantOfShape', 'Concat', 'Unsqueeze']) expect(ops.has(folded), folded).toBe(false);
    expect(ops.has('MatMul')).toBe(true);
  });

  it('an override replaces a tensor, and a tap returns any intermediate value', async () => {
    const model = await loadOnnxModel('distilbert-sst2-tiny');
    const feeds = { input_ids: tensor('int64', [1, 4], [101, 2293, 2023, 102]), attention_mask: tensor('int64', [1, 4], [1, 1, 1, 1]) };
    const emb = '/distilbert/embeddings/word_embeddings/Gather_output_0';
    const base = await model.run({ feeds, fetch: ['logits', emb] });
    const same = await model.run({ feeds, overrides: { [emb]: base[emb]! }, fetch: ['logits'] });
    expect(Array.from(same.logits!.data)).toEqual(Array.from(base.logits!.data));
    const zeroed = await model.run({ feeds, overrides: { [emb]: tensor('float32', base[emb]!.shape) }, fetch: ['logits'] });
    expect(Array.from(zeroed.logits!.data)).not.toEqual(Array.from(base.logits!.data));
    await expect(model.run({ feeds, overrides: { [emb]: tensor('float32', [1, 4, 3]) }, fetch: ['logits'] })).rejects.toThrow(
      /shape \[1, 4, 3\].*\[1, 4, 16\]/,
    );
    await expect(model.run({ feeds, fetch: ['no/such/tensor'] })).rejects.toThrow(/no tensor named "no\/such\/tensor"/);
    await expect(model.run({ feeds, overrides: { 'no/such/tensor': base[emb]! }, fetch: ['logits'] })).rejects.toThrow(
      /cannot override "no\/such\/tensor"/,
    );
  });
});
