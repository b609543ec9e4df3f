import { readFileSync } from 'node:fs';
import { OnnxModel, findWordEmbedding, integratedGradients, tensor } from './packages/core/src/index.ts';
const dir = '/work/shared/fixtures/bench/distilbert-base-geometry';
const sample = JSON.parse(readFileSync(`${dir}/sample.json`, 'utf8'));
const t0 = Date.now();
const model = await OnnxModel.fromBytes(new Uint8Array(readFileSync(`${dir}/onnx/model.onnx`)));
console.log('load', Date.now() - t0, 'ms');
const ids: number[] = sample.input_ids.flat ? sample.input_ids.flat() : sample.input_ids;
const T = ids.length;
const feeds = (b: number) => ({ input_ids: tensor('int64', [b, T], Array.from({ length: b }, () => ids).flat()), attention_mask: tensor('int64', [b, T], new Array(b * T).fill(1)) });
let t = Date.now();
const out = await model.run({ feeds: feeds(1), fetch: ['logits'] });
console.log('first forward (plan + run)', Date.now() - t, 'ms', Array.from(out.logits!.data), sample.logits ?? sample.logits_float32);
t = Date.now(); await model.run({ feeds: feeds(1), fetch: ['logits'] }); console.log('forward T=', T, Date.now() - t, 'ms');
const emb = findWordEmbedding(model.graph)!.tensor;
const x = (await model.run({ feeds: feeds(1), fetch: [emb] }))[emb]!;
const fn = {
  gradients: async (xb: any) => { const b = xb.shape[0]; const r = await model.runWithGradient({ feeds: feeds(b), overrides: { [emb]: xb }, fetch: [], output: 'logits', wrt: [emb], seed: (z) => { const s = new Float32Array(z.data.length); for (let i = 0; i < b; i++) s[i * 2 + 1] = 1; return tensor('float32', z.shape, s); } }); return { scores: new Float64Array(b), grads: r.grads[emb]! }; },
  scores: async (xb: any) => { const b = xb.shape[0]; const r = await model.run({ feeds: feeds(b), overrides: { [emb]: xb }, fetch: ['logits'] }); return Float64Array.from({ length: b }, (_, i) => r.logits!.data[i * 2 + 1]!); },
};
t = Date.now();
const r = await integratedGradients(fn, tensor('float32', x.shape.slice(1), x.data), tensor('float32', x.shape.slice(1)), { steps: 50 });
console.log('LIG-50 (zero baseline)', Date.now() - t, 'ms; delta', r.convergenceDelta);
