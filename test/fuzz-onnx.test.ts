import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GlassboxError, ModelLoadError } from '@glassbox/core';
import { OnnxModel, onnxSchema } from '@glassbox/core/runtime';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeModelProto, encodeGraphOutputs } from '../packages/core/src/onnx/wire.ts';
import { MODELS } from './helpers.ts';

/**
 * Property-based tests of the ONNX loader: random bytes, truncated real models and real
 * models with flipped bytes either load or are refused with a GlassboxError (ModelLoadError
 * for bytes that are not a well-formed model), never a raw TypeError, RangeError or protobuf
 * error; well-formed protobuf holding hostile values (negative or huge dims, unknown data
 * types, short raw_data, external data with bad offsets) likewise. Runs are few (each decodes
 * up to a 2 MB file); a failure prints fast-check's seed and shrunk input to replay it.
 */
const FILES = [
  'distilbert-sst2-tiny/onnx/model.onnx',
  'distilbert-sst2-tiny/onnx/model_quantized.onnx',
  'vit-fashion-tiny/onnx/model.onnx',
];
const REAL = FILES.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(MODELS, f))) }));

/** Load the bytes; the outcome is 'loaded' or the error's code. Anything but a GlassboxError fails the property. */
async function outcome(bytes: Uint8Array, readExternal?: (location: string) => Promise<Uint8Array>): Promise<string> {
  try {
    await OnnxModel.fromBytes(bytes, readExternal);
    return 'loaded';
  } catch (e) {
    if (!(e instanceof GlassboxError))
      throw new Error(`loader threw a raw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`, { cause: e });
    expect(e.code).toMatch(/^[a-z_]+$/);
    expect(e.message.length).toBeGreaterThan(0);
    return e.code;
  }
}

const realFile = fc.constantFrom(...REAL);

const ModelProto = protobuf.Root.fromJSON(onnxSchema as unknown as protobuf.INamespace).lookupType('onnx.ModelProto');
/** Where in a file: a fraction of its length. */
const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

/** Dims as a hostile file may write them: negative, zero, huge, beyond 2^53. */
const dim = fc.oneof(
  fc.integer({ min: -3, max: 4 }),
  fc.constantFrom(2 ** 31, 2 ** 40, -(2 ** 40)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
);
const numbers = fc.array(fc.double(), { maxLength: 6 });
const ints = fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 6 });
/** A TensorProto with any data type (supported or not) and data in any field, of any length, inline or "external". */
const tensorProto = fc.record(
  {
    name: fc.constantFrom('W', 'b', ''),
    dims: fc.array(dim, { maxLength: 3 }),
    dataType: fc.integer({ min: -1, max: 20 }),
    floatData: numbers,
    doubleData: numbers,
    int32Data: ints,
    int64Data: ints,
    uint64Data: fc.array(fc.nat(), { maxLength: 6 }),
    rawData: fc.uint8Array({ maxLength: 40 }),
    dataLocation: fc.integer({ min: 0, max: 2 }),
    externalData: fc.array(
      fc.record({
        key: fc.constantFrom('location', 'offset', 'length', 'checksum'),
        value: fc.oneof(fc.constantFrom('w.bin', '-8', '1e300', 'NaN', ''), fc.integer({ min: -100, max: 100 }).map(String)),
      }),
      { maxLength: 4 },
    ),
  },
  { requiredKeys: ['name', 'dims', 'dataType'] },
);
const attribute = fc.record({
  name: fc.constantFrom('value', 'value_float', 'value_ints', 'axis', 'perm', 'to'),
  type: fc.integer({ min: 0, max: 12 }),
  f: fc.double(),
  i: fc.integer(),
  s: fc.uint8Array({ maxLength: 8 }),
  t: tensorProto,
  floats: numbers,
  ints,
});
const valueInfo = fc.record({
  name: fc.constantFrom('x', 'y', 'W'),
  type: fc.record({
    tensorType: fc.record({
      elemType: fc.integer({ min: 0, max: 20 }),
      shape: fc.record({ dim: fc.array(fc.oneof(fc.record({ dimValue: dim }), fc.record({ dimParam: fc.string() })), { maxLength: 3 }) }),
    }),
  }),
});
/** Small graphs over names x, W, b, y, with nodes in any order (cycles included) and any op. */
const hostileModel = fc.record({
  opsetImport: fc.array(fc.record({ domain: fc.constantFrom('', 'ai.onnx', 'com.microsoft'), version: dim }), { maxLength: 2 }),
  graph: fc.record({
    node: fc.array(
      fc.record({
        input: fc.array(fc.constantFrom('x', 'W', 'b', 'y', 'z', ''), { maxLength: 3 }),
        output: fc.array(fc.constantFrom('y', 'z', 'x'), { maxLength: 2 }),
        name: fc.string({ maxLength: 4 }),
        opType: fc.constantFrom('Constant', 'MatMul', 'Add', 'Gemm', 'Reshape', 'Transpose', 'Cast', 'NoSuchOp', ''),
        domain: fc.constantFrom('', 'ai.onnx', 'com.microsoft'),
        attribute: fc.array(attribute, { maxLength: 2 }),
      }),
      { maxLength: 4 },
    ),
    initializer: fc.array(tensorProto, { maxLength: 3 }),
    input: fc.array(valueInfo, { maxLength: 2 }),
    output: fc.array(valueInfo, { maxLength: 2 }),
  }),
});

describe('ONNX loader under random input', () => {
  it('the real files load (the fuzzed inputs below start from loadable bytes)', async () => {
    for (const f of REAL) expect(await outcome(f.bytes), f.name).toBe('loaded');
  });

  it('random bytes: refused with a GlassboxError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 4096 }), async (bytes) => {
        const code = await outcome(bytes);
        // Random bytes hardly ever hold a graph; should one, it must still load cleanly.
        expect(['loaded', 'model_load', 'unsupported_op']).toContain(code);
      }),
      { numRuns: 300 },
    );
  });

  it('well-formed protobuf with hostile values: load or a GlassboxError', async () => {
    // "External" tensors read a small file; the reader itself refuses unknown names as a user's reader would.
    const readExternal = async (location: string) => {
      if (location !== 'w.bin') throw new ModelLoadError(`no file "${location}"`);
      return new Uint8Array(16);
    };
    await fc.assert(
      fc.asyncProperty(hostileModel, async (model) => {
        await outcome(ModelProto.encode(ModelProto.fromObject(model)).finish(), readExternal);
      }),
      { numRuns: 1000 },
    );
  });

  it('a 100 000-node chain listed last-first loads in order (no recursion that overflows the stack)', async () => {
    const N = 100_000;
    const chain = Array.from({ length: N }, (_, i) => ({
      input: [i === 0 ? 'x' : `v${i - 1}`],
      output: [`v${i}`],
      opType: 'Relu',
      name: `n${i}`,
    }));
    const tensorType = { elemType: 1, shape: { dim: [{ dimValue: 2 }] } };
    const model = {
      opsetImport: [{ domain: '', version: 14 }],
      graph: { node: chain.reverse(), input: [{ name: 'x', type: { tensorType } }], output: [{ name: `v${N - 1}`, type: { tensorType } }] },
    };
    const loaded = await OnnxModel.fromBytes(ModelProto.encode(ModelProto.fromObject(model)).finish());
    expect(loaded.graph.nodes.map((n) => n.name)).toEqual(Array.from({ length: N }, (_, i) => `n${i}`));
  });

  it("the loader's eval-free decoder reads what protobufjs's reflected decoder reads", async () => {
    // Both as plain data: bytes as arrays, absent messages undefined.
    const plain = (v: unknown): unknown =>
      v === null || v === undefined
        ? undefined
        : ArrayBuffer.isView(v)
          ? Array.from(v as Uint8Array)
          : Array.isArray(v)
            ? v.map(plain)
            : typeof v === 'object'
              ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
              : v;
    const reflected = (bytes: Uint8Array) =>
      plain(ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: true, arrays: true }));
    for (const f of REAL) expect(plain(decodeModelProto(f.bytes)), f.name).toEqual(reflected(f.bytes));
    fc.assert(
      fc.property(hostileModel, (model) => {
        const bytes = ModelProto.encode(ModelProto.fromObject(model)).finish();
        expect(plain(decodeModelProto(bytes))).toEqual(reflected(bytes));
      }),
      { numRuns: 300 },
    );
    const names = ['logits', 'hidden/0', 'ünïcode'];
    expect(Array.from(encodeGraphOutputs(names))).toEqual(
      Array.from(ModelProto.encode({ graph: { output: names.map((name) => ({ name })) } }).finish()),
    );
  });

  it('truncated real files: refused with ModelLoadError', async () => {
    await fc.assert(
      fc.asyncProperty(realFile, position, async (file, at) => {
        const cut = Math.floor(at * file.bytes.byteLength);
        const err = await OnnxModel.fromBytes(file.bytes.subarray(0, cut)).then(
          () => null,
          (e: unknown) => e,
        );
        // A cut exactly between two top-level fields can leave a loadable prefix; otherwise a named load error.
        if (err !== null) {
          expect(err, `${file.name} cut at ${cut}: ${(err as Error).message}`).toBeInstanceOf(ModelLoadError);
          expect((err as ModelLoadError).code).toBe('model_load');
        }
      }),
      { numRuns: 40 },
    );
  });

  it('real files with flipped bytes: load or a GlassboxError', async () => {
    const flips = fc.array(fc.tuple(position, fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(realFile, flips, async (file, changes) => {
        const bytes = file.bytes.slice();
        for (const [at, xor] of changes) bytes[Math.floor(at * bytes.length)]! ^= xor;
        await outcome(bytes);
      }),
      { numRuns: 60 },
    );
  });

  it('flipped bytes in the file head and tail (where the structure is, not weights): load or a GlassboxError', async () => {
    // The head holds the graph's nodes, the tail its inputs, outputs and opsets: most flips there change structure.
    // A position ≥ 0 counts from the start, < 0 from the end.
    const flips = fc.array(fc.tuple(fc.integer({ min: -4096, max: 4095 }), fc.integer({ min: 1, max: 255 })), {
      minLength: 1,
      maxLength: 4,
    });
    await fc.assert(
      fc.asyncProperty(realFile, flips, async (file, changes) => {
        const bytes = file.bytes.slice();
        for (const [at, xor] of changes) bytes[at < 0 ? bytes.length + at : at]! ^= xor;
        await outcome(bytes);
      }),
      { numRuns: 80 },
    );
  });
});
