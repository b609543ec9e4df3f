import { ATTENTION_MODES, type AttentionOutput, attentionFor } from '../attention/attentionFor.ts';
import { InvalidInputError } from '../errors.ts';
import { INTEGRATION_METHODS } from '../methods/integration.ts';
import type { DifferentiableFunction } from '../methods/types.ts';
import { IMAGE_METHOD_TABLE, type ImageMethodName } from '../attribution/imageMethods/index.ts';
import { type ImageInput, ImageModel, type NestedPixels } from '../model/imageModel.ts';
import type { LoadOptions } from '../model/textModel.ts';
import { type HostTensor, tensor } from '../tensor.ts';
import { type OutputSpace, classScoreSpec, classScores, parseTarget, softmax } from '../attribution/classification.ts';
import type { ExplainedForward } from '../attention/explainedForward.ts';
import { checkTaskOptions, taskRule } from '../attribution/optionRules.ts';
import { oneOf } from '../attribution/textOptions.ts';
import type { ImageExplainSettings } from '../attribution/imageOptions.ts';
import type { Scorer } from '../model/scorer.ts';
import { ClassifierExplainer } from './modelExplainer.ts';

/** Every image method, in the table's order (imageMethods/index.ts): the first is the default. */
export const IMAGE_METHODS: readonly ImageMethodName[] = IMAGE_METHOD_TABLE.map((m) => m.name);
export type { ImageMethodName };

export interface ImageExplainOptions extends ImageExplainSettings {
  /**
   * Default 'integrated-gradients' (transformers-interpret's attribution_type "IG"). The
   * noise-tunnel methods are its "IGNT": Captum NoiseTunnel over integrated gradients.
   */
  method?: ImageMethodName;
}

/** An image, or the exact pixel values the model takes. */
export type ImageExplainInput = ImageInput | { pixelValues: HostTensor | NestedPixels };

export interface ImageClassificationResult {
  /** What the result is: the task that explained it (viz draws by it). */
  kind: 'image-classification';
  model: string;
  method: ImageMethodName;
  output: OutputSpace;
  predicted: { index: number; label: string; score: number };
  target: { index: number; label: string };
  /** Σ attributions − (f(x) − f(baseline)); integrated gradients only. */
  convergenceDelta: number | null;
  logits: number[];
  probabilities: number[];
  /** The attribution of every pixel_values entry, [C, H, W] (saliency: |gradient|; occlusion: Captum's mean drop per pixel). */
  attribution: { values: Float64Array; shape: number[] };
  /**
   * One number per pixel, [H][W]: the attribution summed over channels (integrated gradients,
   * input × gradient, noise tunnel) or the largest |gradient| over channels (saliency). For
   * occlusion, one score drop per window position, [rows][columns] ([H/P][W/P] by default).
   */
  map: number[][];
  /** The attention maps, when the `attention` option asks for them. */
  attentions?: AttentionOutput;
}

/** The target's score as a function of pixel_values [B, C, H, W]: gradients on our runtime, scores on the model's forward engine. */
function overPixels({ gradients, forward }: ImageModel, scorer: Scorer, oneRow: HostTensor): DifferentiableFunction {
  return {
    gradients: async (x) => {
      let scores: Float64Array = new Float64Array(0);
      const { grads } = await gradients.runWithGradient({
        feeds: { pixel_values: x },
        fetch: [],
        output: scorer.output,
        wrt: ['pixel_values'],
        scores: scorer.spec && [scorer.spec],
        seed: (value) => {
          const s = scorer.score(value);
          scores = s.scores;
          return s.seed;
        },
      });
      return { scores, grads: grads.pixel_values! };
    },
    scores: async (x) => scorer.score((await forward.run({ feeds: { pixel_values: x }, fetch: [scorer.output] }))[scorer.output]!).scores,
    rowsPerPass: () => gradients.rowsPerPass({ pixel_values: oneRow }),
  };
}

/**
 * Explains an image classifier (any transformers.js image-classification model, e.g. ViT).
 * With no options it reproduces transformers-interpret's ImageClassificationExplainer with
 * attribution_type "IG": Captum integrated gradients on pixel_values, zero baseline, 50
 * Gauss-Legendre steps, the raw logit of the predicted class.
 */
export class ImageClassificationExplainer extends ClassifierExplainer<ImageModel> {
  static override readonly task = taskRule('image-classification', { input: 'image' });

  static override loadModel(model: string, options: LoadOptions): Promise<ImageModel> {
    return ImageModel.load(model, options);
  }

  async explain(image: ImageExplainInput, options: ImageExplainOptions = {}): Promise<ImageClassificationResult> {
    const method = oneOf('method', options.method, IMAGE_METHODS, IMAGE_METHODS[0]!);
    checkTaskOptions(ImageClassificationExplainer.task, options, method);
    const output = oneOf<OutputSpace>('output', options.output, ['logits', 'softmax'], 'logits');
    const integration = oneOf('integration', options.integration, INTEGRATION_METHODS, 'gausslegendre');
    if (options.attention !== undefined) oneOf('attention', options.attention, ATTENTION_MODES, 'raw');
    const m = this.model;
    const pixels =
      image && typeof image === 'object' && 'pixelValues' in image
        ? m.pixelValues(image.pixelValues)
        : await m.preprocess(image as ImageInput);
    const x = tensor('float32', m.inputShape, pixels.data);
    const baseline =
      options.baseline === undefined || options.baseline === 'zero' ? tensor('float32', m.inputShape) : this.baselineOf(options.baseline);

    const logitsName = m.onnx.graph.outputs[0]!.name;
    const logits = Array.from((await m.forward.run({ feeds: { pixel_values: pixels }, fetch: [logitsName] }))[logitsName]!.data);
    const probabilities = softmax(logits);
    const predictedIndex = probabilities.indexOf(Math.max(...probabilities));
    const labels = m.labels.length === logits.length ? m.labels : logits.map((_, i) => `LABEL_${i}`);
    const targetIndex = parseTarget(options.target, labels, predictedIndex);
    const scorer: Scorer = {
      output: logitsName,
      score: (z) => classScores(z, targetIndex, output),
      spec: classScoreSpec(targetIndex, output),
    };
    const fn = overPixels(m, scorer, pixels);

    const patch = typeof m.config.patch_size === 'number' ? m.config.patch_size : 16;
    const entry = IMAGE_METHOD_TABLE.find((e) => e.name === method)!;
    const { attribution, map } = await entry.attribute(fn, x, { baseline, options: { ...options, integration }, patch });

    const result: ImageClassificationResult = {
      kind: 'image-classification',
      model: m.id,
      method,
      output,
      predicted: { index: predictedIndex, label: labels[predictedIndex]!, score: probabilities[predictedIndex]! },
      target: { index: targetIndex, label: labels[targetIndex]! },
      convergenceDelta: attribution.convergenceDelta ?? null,
      logits,
      probabilities,
      attribution: { values: attribution.values, shape: attribution.shape },
      map,
    };
    if (options.attention !== undefined) {
      const forward: ExplainedForward = {
        onnx: m.onnx,
        feeds: { pixel_values: pixels },
        scorer,
        forwardEngine: m.forward,
        gradientEngine: m.gradients,
      };
      result.attentions = await attentionFor(forward, options.attention);
    }
    return result;
  }

  private baselineOf(baseline: HostTensor | NestedPixels | string): HostTensor {
    if (typeof baseline === 'string')
      throw new InvalidInputError(`unknown baseline "${baseline}"; use "zero" or pixel values of the image's shape`, 'bad_baseline');
    return tensor('float32', this.model.inputShape, this.model.pixelValues(baseline, 'baseline').data);
  }
}
