import { InvalidInputError } from '../errors.ts';
import { aggregate } from './aggregate.ts';
import { type AttentionMaps, type Matrix, mapsShape } from './maps.ts';
import { identity, matmul } from './matrix.ts';

/**
 * Gradient-weighted attention relevance (Chefer, Gur & Wolf 2021, "Generic Attention-model
 * Explainability for Interpreting Bi-Modal and Encoder-Decoder Transformers", rules 5 and 6
 * for self-attention). `gradients[l]` is the total derivative of the explained score with
 * respect to `attentions[l]` (through later layers too, as PyTorch hooks give). Starting from
 * R = I, for each layer in order: Ā = mean over heads of (∇A ⊙ A)⁺ and R ← R + Ā·R.
 * Returns R [T][T], rows queries and columns tokens; the [CLS] (or target) row is what is
 * usually shown. Needs square maps (no past keys).
 */
export function gradientWeightedRelevance(attentions: AttentionMaps, gradients: AttentionMaps): Matrix {
  const shape = mapsShape(attentions, 'gradient-weighted relevance', true);
  const gradShape = mapsShape(gradients, 'gradient-weighted relevance (gradients)');
  if (gradShape.join() !== shape.join()) {
    throw new InvalidInputError(
      `gradient-weighted relevance: gradients are [${gradShape.join(', ')}], attentions [${shape.join(', ')}]`,
      'attention_shape',
    );
  }
  const weighted = attentions.map((layer, l) =>
    layer.map((m, h) => m.map((row, q) => row.map((a, k) => Math.max(0, a * gradients[l]![h]![q]![k]!)))),
  );
  let r = identity(shape[2]);
  for (const cam of aggregate(weighted, { over: 'heads', reduce: 'mean' })) {
    const added = matmul(cam, r);
    r = r.map((row, i) => row.map((x, j) => x + added[i]![j]!));
  }
  return r;
}
