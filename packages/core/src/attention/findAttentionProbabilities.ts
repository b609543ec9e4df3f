import type { Plan } from '../graph/plan.ts';

/**
 * The attention-probability tensors of a plan, in layer (graph) order: the outputs of Softmax
 * nodes over the last axis of a rank-4 [batch, heads, queries, keys] value whose keys are at
 * least the queries (self-attention: keys = queries, or past + queries when a decoder is fed
 * cached keys). This holds for the way torch.onnx exports BERT, DistilBERT, RoBERTa, GPT-2 and
 * ViT at any opset (the plan has already resolved Softmax's opset-dependent default axis),
 * and excludes classifier softmaxes (rank 2 or 3). Shapes come from the plan, so the answer is
 * for the feeds it was built for. Cross-attention of an encoder-decoder graph is not told
 * apart from self-attention.
 */
export function findAttentionProbabilities(plan: Pick<Plan, 'steps' | 'shapes'>): string[] {
  const found: string[] = [];
  for (const step of plan.steps) {
    if (step.node.opType !== 'Softmax' || (step.node.domain && step.node.domain !== 'ai.onnx')) continue;
    const name = step.outputs[0]!;
    const shape = plan.shapes.get(name);
    if (shape?.length !== 4 || step.attrs.axis !== 3) continue;
    const [, , queries, keys] = shape as [number, number, number, number];
    if (queries >= 1 && keys >= queries) found.push(name);
  }
  return found;
}
