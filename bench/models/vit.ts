/**
 * ViTForImageClassification as PyTorch's exporter writes it (opset 14), with seeded random
 * weights; every layer reads one shared set of layer weights (see distilbert.ts). Input
 * `pixel_values` float32 [batch, channels, image, image]; output `logits` [batch, labels].
 */
import { gelu, layerNorm, linear, shapeAt, unsqueeze0 } from './layers.ts';
import { OnnxGraph, int64Tensor } from './onnxGraph.ts';
import { Weights, ones, zeros } from './weights.ts';

export interface VitGeometry {
  image: number;
  patch: number;
  channels: number;
  dim: number;
  layers: number;
  heads: number;
  hidden: number;
  labels: number;
}

export function vitOnnx(geo: VitGeometry, seed: number): Uint8Array {
  const { image, patch, channels, dim, heads, hidden, labels } = geo;
  const headDim = dim / heads;
  if (!Number.isInteger(headDim)) throw new Error(`dim ${dim} is not a multiple of ${heads} heads`);
  if (image % patch !== 0) throw new Error(`image ${image} is not a multiple of patch ${patch}`);
  const tokens = (image / patch) ** 2 + 1;
  const w = new Weights(seed);
  const g = new OnnxGraph();

  const E = '/vit/embeddings';
  const clsToken = g.weight('vit.embeddings.cls_token', [1, 1, dim], w.normal(dim));
  const positions = g.weight('vit.embeddings.position_embeddings', [1, tokens, dim], w.normal(tokens * dim));
  const projection = g.weight(
    'vit.embeddings.patch_embeddings.projection.weight',
    [dim, channels, patch, patch],
    w.normal(dim * channels * patch * patch),
  );
  // One zero bias and one unit scale serve every dim-wide bias and LayerNorm (the exporter shares equal initializers).
  const zeroDim = g.weight('vit.embeddings.patch_embeddings.projection.bias', [dim], zeros(dim));
  const lnWeight = g.weight('vit.encoder.layer.0.layernorm_before.weight', [dim], ones(dim));
  const zeroHidden = g.weight('vit.encoder.layer.0.intermediate.dense.bias', [hidden], zeros(hidden));
  const wq = g.weight('vit.encoder.layer.0.attention.attention.query.weight.T', [dim, dim], w.normal(dim * dim));
  const wk = g.weight('vit.encoder.layer.0.attention.attention.key.weight.T', [dim, dim], w.normal(dim * dim));
  const wv = g.weight('vit.encoder.layer.0.attention.attention.value.weight.T', [dim, dim], w.normal(dim * dim));
  const wo = g.weight('vit.encoder.layer.0.attention.output.dense.weight.T', [dim, dim], w.normal(dim * dim));
  const w1 = g.weight('vit.encoder.layer.0.intermediate.dense.weight.T', [dim, hidden], w.normal(dim * hidden));
  const w2 = g.weight('vit.encoder.layer.0.output.dense.weight.T', [hidden, dim], w.normal(hidden * dim));
  const classifier = g.weight('classifier.weight', [labels, dim], w.normal(labels * dim));
  const classifierBias = g.weight('classifier.bias', [labels], zeros(labels));

  // Patches: a strided Conv, flattened to [batch, dim, patches] and transposed to [batch, patches, dim].
  const clsIndex = g.int64(E, 0);
  const batch = shapeAt(g, E, 'pixel_values', 0);
  const P = `${E}/patch_embeddings`;
  const conv = g.op(`${P}/projection`, 'Conv', ['pixel_values', projection, zeroDim], {
    dilations: [1, 1],
    group: 1,
    kernel_shape: [patch, patch],
    pads: [0, 0, 0, 0],
    strides: [patch, patch],
  });
  const axes = g.int64(P, [0]);
  const leading = g.op(P, 'Slice', [g.op(P, 'Shape', [conv]), g.int64(P, [0]), g.int64(P, [2]), axes]);
  const flat = g.op(P, 'Reshape', [conv, g.op(P, 'Concat', [leading, g.int64(P, [-1])], { axis: 0 })]);
  const patches = g.op(P, 'Transpose', [flat], { perm: [0, 2, 1] });
  // cls_token.expand(batch, -1, -1): the exporter's Where turns the -1s into 1s for Expand.
  const wanted = g.op(E, 'Reshape', [
    g.op(E, 'Concat', [unsqueeze0(g, E, batch), g.int64(E, [-1]), g.int64(E, [-1])], { axis: 0 }),
    g.int64(E, [-1]),
  ]);
  const onesLike = g.op(E, 'ConstantOfShape', [g.op(E, 'Shape', [wanted])], { value: int64Tensor([1]) });
  const isMinusOne = g.op(E, 'Equal', [wanted, g.op(E, 'Mul', [onesLike, g.int64(E, -1)])]);
  const cls = g.op(E, 'Expand', [clsToken, g.op(E, 'Where', [isMinusOne, onesLike, wanted])]);
  let x = g.op(E, 'Add', [g.op(E, 'Concat', [cls, patches], { axis: 1 }), positions]);

  for (let layer = 0; layer < geo.layers; layer++) {
    const L = `/vit/encoder/layer.${layer}`;
    const A = `${L}/attention/attention`;
    /** [batch, tokens, dim] → [batch, tokens, heads, headDim], its shape read from the tensor. */
    const splitHeads = (t: string) =>
      g.op(A, 'Reshape', [
        t,
        g.op(
          A,
          'Concat',
          [unsqueeze0(g, A, shapeAt(g, A, t, 0)), unsqueeze0(g, A, shapeAt(g, A, t, 1)), g.int64(A, [heads]), g.int64(A, [headDim])],
          { axis: 0 },
        ),
      ]);
    const normed = layerNorm(g, `${L}/layernorm_before`, x, lnWeight, zeroDim);
    const q = linear(g, `${A}/query`, normed, wq, zeroDim);
    const kr = splitHeads(linear(g, `${A}/key`, normed, wk, zeroDim));
    const vh = g.op(A, 'Transpose', [splitHeads(linear(g, `${A}/value`, normed, wv, zeroDim))], { perm: [0, 2, 1, 3] });
    const qh = g.op(A, 'Transpose', [splitHeads(q)], { perm: [0, 2, 1, 3] });
    const scores = g.op(A, 'Div', [
      g.op(A, 'MatMul', [qh, g.op(A, 'Transpose', [kr], { perm: [0, 2, 3, 1] })]),
      g.float(A, Math.sqrt(headDim)),
    ]);
    const context = g.op(A, 'Transpose', [g.op(A, 'MatMul', [g.op(A, 'Softmax', [scores], { axis: -1 }), vh])], { perm: [0, 2, 1, 3] });
    const merged = g.op(A, 'Reshape', [
      context,
      g.op(A, 'Concat', [unsqueeze0(g, A, shapeAt(g, A, context, 0)), unsqueeze0(g, A, shapeAt(g, A, context, 1)), g.int64(A, [dim])], {
        axis: 0,
      }),
    ]);
    const attended = g.op(L, 'Add', [linear(g, `${L}/attention/output/dense`, merged, wo, zeroDim), x]);
    const after = layerNorm(g, `${L}/layernorm_after`, attended, lnWeight, zeroDim);
    const ffn = linear(
      g,
      `${L}/output/dense`,
      gelu(g, `${L}/intermediate/intermediate_act_fn`, linear(g, `${L}/intermediate/dense`, after, w1, zeroHidden)),
      w2,
      zeroDim,
    );
    x = g.op(`${L}/output`, 'Add', [ffn, attended]);
  }

  // Final LayerNorm, the [CLS] row, the classifier.
  const cls0 = g.op('', 'Gather', [layerNorm(g, '/vit/layernorm', x, lnWeight, zeroDim), clsIndex], { axis: 1 });
  g.op('/classifier', 'Gemm', [cls0, classifier, classifierBias], { transB: 1 }, 'logits');
  return g.encode(
    [{ name: 'pixel_values', elemType: 'float32', dims: ['batch_size', channels, image, image] }],
    [{ name: 'logits', elemType: 'float32', dims: ['batch_size', labels] }],
  );
}
