/**
 * DistilBertForSequenceClassification as PyTorch's exporter writes it (opset 14), with seeded
 * random weights. As in the checkpoint-free model this replaces, every layer reads one shared
 * set of layer weights, so the file stays small while every layer runs its full products.
 * Inputs `input_ids`, `attention_mask` int64 [batch, sequence]; output `logits` [batch, labels].
 */
import { gelu, layerNorm, linear, shapeAt, unsqueeze0 } from './layers.ts';
import { OnnxGraph, type ValueInfo, int64Tensor } from './onnxGraph.ts';
import { Weights, ones, zeros } from './weights.ts';

export interface DistilBertGeometry {
  vocab: number;
  dim: number;
  layers: number;
  heads: number;
  hidden: number;
  positions: number;
  labels: number;
}

/** The attention mask's fill value (torch.finfo(float32).min). */
const MASKED = -3.4028234663852886e38;

export function distilbertOnnx(geo: DistilBertGeometry, seed: number): Uint8Array {
  const { vocab, dim, heads, hidden, positions, labels } = geo;
  const headDim = dim / heads;
  if (!Number.isInteger(headDim)) throw new Error(`dim ${dim} is not a multiple of ${heads} heads`);
  const w = new Weights(seed);
  const g = new OnnxGraph();

  const E = '/distilbert/embeddings';
  const wordTable = g.weight('distilbert.embeddings.word_embeddings.weight', [vocab, dim], w.normal(vocab * dim));
  const positionTable = g.weight('distilbert.embeddings.position_embeddings.weight', [positions, dim], w.normal(positions * dim));
  // One unit scale and one zero bias serve every LayerNorm and every dim-wide bias (the exporter shares equal initializers).
  const lnWeight = g.weight('distilbert.embeddings.LayerNorm.weight', [dim], ones(dim));
  const zeroDim = g.weight('distilbert.embeddings.LayerNorm.bias', [dim], zeros(dim));
  const zeroHidden = g.weight('distilbert.transformer.layer.0.ffn.lin1.bias', [hidden], zeros(hidden));
  const wq = g.weight('distilbert.transformer.layer.0.attention.q_lin.weight.T', [dim, dim], w.normal(dim * dim));
  const wk = g.weight('distilbert.transformer.layer.0.attention.k_lin.weight.T', [dim, dim], w.normal(dim * dim));
  const wv = g.weight('distilbert.transformer.layer.0.attention.v_lin.weight.T', [dim, dim], w.normal(dim * dim));
  const wo = g.weight('distilbert.transformer.layer.0.attention.out_lin.weight.T', [dim, dim], w.normal(dim * dim));
  const w1 = g.weight('distilbert.transformer.layer.0.ffn.lin1.weight.T', [dim, hidden], w.normal(dim * hidden));
  const w2 = g.weight('distilbert.transformer.layer.0.ffn.lin2.weight.T', [hidden, dim], w.normal(hidden * dim));
  const preClassifier = g.weight('pre_classifier.weight', [dim, dim], w.normal(dim * dim));
  const classifier = g.weight('classifier.weight', [labels, dim], w.normal(labels * dim));
  const classifierBias = g.weight('classifier.bias', [labels], zeros(labels));

  // Embeddings: word + position (position ids sliced from a [1, positions] constant), LayerNorm.
  const words = g.op(`${E}/word_embeddings`, 'Gather', [wordTable, 'input_ids']);
  const length = unsqueeze0(g, E, shapeAt(g, E, words, 1));
  const positionIds = g.op(E, 'Constant', [], {
    value: int64Tensor(
      Array.from({ length: positions }, (_, i) => i),
      [1, positions],
    ),
  });
  const sliced = g.op(E, 'Slice', [positionIds, g.int64(E, [0]), length, g.int64(E, [1]), g.int64(E, [1])]);
  const sum = g.op(E, 'Add', [words, g.op(`${E}/position_embeddings`, 'Gather', [positionTable, sliced])]);
  let x = layerNorm(g, `${E}/LayerNorm`, sum, lnWeight, zeroDim);

  let isPadding: string | undefined;
  for (let layer = 0; layer < geo.layers; layer++) {
    const L = `/distilbert/transformer/layer.${layer}`;
    const A = `${L}/attention`;
    const batch = shapeAt(g, A, x, 0);
    const keyLength = shapeAt(g, A, x, 1);
    const heads4 = () =>
      g.op(A, 'Concat', [unsqueeze0(g, A, batch), g.int64(A, [-1]), g.int64(A, [heads]), g.int64(A, [headDim])], { axis: 0 });
    const q = linear(g, `${A}/q_lin`, x, wq, zeroDim);
    const [qShape, kShape, vShape] = [heads4(), heads4(), heads4()];
    const qh = g.op(A, 'Transpose', [g.op(A, 'Reshape', [q, qShape])], { perm: [0, 2, 1, 3] });
    const kr = g.op(A, 'Reshape', [linear(g, `${A}/k_lin`, x, wk, zeroDim), kShape]);
    const vh = g.op(A, 'Transpose', [g.op(A, 'Reshape', [linear(g, `${A}/v_lin`, x, wv, zeroDim), vShape])], { perm: [0, 2, 1, 3] });
    const scaled = g.op(A, 'Div', [qh, g.float(A, Math.sqrt(headDim))]);
    const scores = g.op(A, 'MatMul', [scaled, g.op(A, 'Transpose', [kr], { perm: [0, 2, 3, 1] })]);
    // (attention_mask == 0) → [batch, 1, 1, keys], broadcast over the scores; masked scores take MASKED.
    isPadding ??= g.op(A, 'Equal', ['attention_mask', g.int64(A, 0)]);
    const maskShape = g.op(A, 'Concat', [unsqueeze0(g, A, batch), g.int64(A, [1]), g.int64(A, [1]), unsqueeze0(g, A, keyLength)], {
      axis: 0,
    });
    const expanded = g.op(A, 'Expand', [g.op(A, 'Reshape', [isPadding, maskShape]), g.op(A, 'Shape', [scores])]);
    const masked = g.op(A, 'Where', [g.op(A, 'Cast', [expanded], { to: 9 }), g.float(A, MASKED), scores]);
    const context = g.op(A, 'Transpose', [g.op(A, 'MatMul', [g.op(A, 'Softmax', [masked], { axis: -1 }), vh])], { perm: [0, 2, 1, 3] });
    const merged = g.op(A, 'Reshape', [
      context,
      g.op(A, 'Concat', [unsqueeze0(g, A, batch), g.int64(A, [-1]), g.int64(A, [dim])], { axis: 0 }),
    ]);
    const attended = g.op(L, 'Add', [linear(g, `${A}/out_lin`, merged, wo, zeroDim), x]);
    const sa = layerNorm(g, `${L}/sa_layer_norm`, attended, lnWeight, zeroDim);
    const ffn = linear(g, `${L}/ffn/lin2`, gelu(g, `${L}/ffn/activation`, linear(g, `${L}/ffn/lin1`, sa, w1, zeroHidden)), w2, zeroDim);
    x = layerNorm(g, `${L}/output_layer_norm`, g.op(L, 'Add', [ffn, sa]), lnWeight, zeroDim);
  }

  // The [CLS] row → pre_classifier → ReLU → classifier.
  const cls = g.op('', 'Gather', [x, g.int64('', 0)], { axis: 1 });
  const pre = g.op('', 'Relu', [g.op('/pre_classifier', 'Gemm', [cls, preClassifier, zeroDim], { transB: 1 })]);
  g.op('/classifier', 'Gemm', [pre, classifier, classifierBias], { transB: 1 }, 'logits');
  const ids = (name: string): ValueInfo => ({ name, elemType: 'int64', dims: ['batch_size', 'sequence_length'] });
  return g.encode([ids('input_ids'), ids('attention_mask')], [{ name: 'logits', elemType: 'float32', dims: ['batch_size', labels] }]);
}
