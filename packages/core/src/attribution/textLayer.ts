import { InvalidInputError } from '../errors.ts';
import { findEmbeddingsBlock, findPositionEmbedding, findTokenTypeEmbedding } from '../model/embeddings.ts';
import type { TextModel, Segments } from '../model/textModel.ts';
import { TextRunner } from './textRunner.ts';

/**
 * Which tensor gradient methods attribute to (Captum's `layer` of LayerIntegratedGradients):
 * the word-embedding lookup ('word', the default), the position-embedding lookup
 * ('position', transformers-interpret's embedding_type 1: GPT-2's wpe), the token-type
 * lookup ('token-type'), or the output of the whole embeddings block ('embeddings': word +
 * position (+ token type) embeddings and their LayerNorm, as interpret-flair attributes;
 * GPT-2's wte + wpe).
 */
export const TEXT_LAYERS = ['word', 'position', 'token-type', 'embeddings'] as const;
export type TextLayer = (typeof TEXT_LAYERS)[number];

/** The graph tensor of `layer` in the model's graph, found by structure; an error naming the layer and the model when it has none. */
export function layerTensor(model: TextModel, layer: TextLayer): string {
  const graph = model.onnx.graph;
  const missing = (what: string) =>
    new InvalidInputError(
      `layer "${layer}": model "${model.id}"${model.config.model_type ? ` (${model.config.model_type})` : ''} has no ${what}; use layer ${TEXT_LAYERS.filter(
        (l) => l !== layer,
      )
        .map((l) => `"${l}"`)
        .join(', ')}`,
      'bad_layer',
    );
  if (layer === 'word') return model.wordEmbedding.tensor;
  if (layer === 'position') {
    const found = findPositionEmbedding(graph);
    if (!found) throw missing('position-embedding lookup');
    return found.tensor;
  }
  if (layer === 'token-type') {
    const found = findTokenTypeEmbedding(graph);
    if (!found) throw missing('token-type embeddings');
    return found.tensor;
  }
  if (layer === 'embeddings') {
    const found = findEmbeddingsBlock(graph, model.wordEmbedding.tensor);
    if (!found) throw missing('embeddings block after its word embeddings');
    return found;
  }
  throw new InvalidInputError(`unknown layer "${String(layer)}"; use one of ${TEXT_LAYERS.join(', ')}`, 'bad_layer');
}

/**
 * The run gradient methods attribute at `layer` (undefined: the runner's own layer, as the
 * explainer built it), and the run their integrated-gradients baseline goes through. The
 * baseline of 'position' has position ids 0 and that of 'token-type' token types 0 (what
 * transformers-interpret passes as ref_position_ids and ref_token_type_ids), on top of
 * `reference` (transformers-interpret's baseline run) or else the input's own segments;
 * 'word' and 'embeddings' keep `reference`. transformers-interpret itself attributes to
 * positions only for models whose forward takes position_ids (it falls back to the word
 * embeddings for DistilBERT); here every model with a position lookup has them, its baseline
 * position ids set inside the graph where the graph computes them (segmentOverrides).
 */
export function atLayer(
  runner: TextRunner,
  layer: TextLayer | undefined,
  reference: Segments | undefined,
): { runner: TextRunner; reference: Segments | undefined } {
  if (layer === undefined) return { runner, reference };
  const tensor = layerTensor(runner.model, layer);
  const at = tensor === runner.layer ? runner : new TextRunner(runner.model, runner.ids, runner.segments, tensor);
  const base = reference ?? runner.segments;
  if (layer === 'position') return { runner: at, reference: { ...base, position: () => 0 } };
  if (layer === 'token-type') return { runner: at, reference: { ...base, types: runner.ids.map(() => 0) } };
  return { runner: at, reference };
}
