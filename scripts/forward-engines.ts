/**
 * Forward-only passes per second on the cpu device in Node: Glassbox's cpu backend against
 * onnxruntime-web's wasm provider, on rows of one input with one token masked per row (what
 * perturbation methods run). The numbers behind FASTER_FORWARD in packages/core/src/model/pretrained.ts.
 *   nice -n 19 pnpm tsx scripts/forward-engines.ts [batch]
 * The webgpu device's numbers come from Chromium (see the comment by FASTER_FORWARD).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BENCH_MODELS, ensureBenchModels } from '../bench/models/build.ts';
import { OnnxModel } from '../packages/core/src/model/onnxModel.ts';
import { OrtForward } from '../packages/core/src/model/ortForward.ts';
import type { ForwardEngine } from '../packages/core/src/model/pretrained.ts';
import { tensor } from '../packages/core/src/tensor.ts';

const BENCH = 'distilbert-base-geometry';
const benchDir = join(await ensureBenchModels({ [BENCH]: BENCH_MODELS[BENCH]! }), BENCH);
const MODELS = [
  {
    name: 'distilbert-sst2-tiny',
    file: 'test/fixtures/models/distilbert-sst2-tiny/onnx/model.onnx',
    ids: () => JSON.parse(readFileSync('test/fixtures/models/distilbert-sst2-tiny/refs.json', 'utf8')).inputs[0].input_ids as number[],
    minSeconds: 5,
  },
  {
    name: BENCH,
    file: join(benchDir, 'onnx/model.onnx'),
    ids: () => JSON.parse(readFileSync(join(benchDir, 'sample.json'), 'utf8')).input_ids[0] as number[],
    minSeconds: 0,
  },
];
const batch = Number(process.argv[2] ?? 32);

/** Rows per second of `engine` on `rows` rows: one untimed pass, then passes for at least `minSeconds` (and one). */
async function rate(engine: ForwardEngine, ids: number[], minSeconds: number): Promise<number> {
  const rows = Array.from({ length: batch }, (_, r) => ids.map((id, i) => (i === 1 + (r % (ids.length - 2)) ? 0 : id)));
  const feeds = {
    input_ids: tensor('int64', [batch, ids.length], rows.flat()),
    attention_mask: tensor(
      'int64',
      [batch, ids.length],
      rows.flat().map(() => 1),
    ),
  };
  await engine.run({ feeds, fetch: ['logits'] });
  let passes = 0;
  const start = performance.now();
  do {
    await engine.run({ feeds, fetch: ['logits'] });
    passes++;
  } while (performance.now() - start < minSeconds * 1000);
  return (passes * batch) / ((performance.now() - start) / 1000);
}

for (const m of MODELS) {
  const bytes = new Uint8Array(readFileSync(resolve(m.file)));
  const ours = await OnnxModel.fromBytes(bytes);
  const ort = new OrtForward(bytes, undefined, 'cpu', ours);
  const ids = m.ids();
  const glassbox = await rate(ours, ids, m.minSeconds);
  const onnxruntime = await rate(ort, ids, m.minSeconds);
  console.log(
    `${m.name}, ${ids.length} tokens, batch ${batch}: glassbox cpu ${glassbox.toFixed(1)} rows/s, onnxruntime-web wasm ${onnxruntime.toFixed(1)} rows/s (${(onnxruntime / glassbox).toFixed(1)}×)`,
  );
}
