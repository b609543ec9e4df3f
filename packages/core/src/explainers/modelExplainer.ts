import type { TaskRule } from '../attribution/optionRules.ts';
import { type LoadOptions, TextModel } from '../model/textModel.ts';

/**
 * What every task explainer holds: its loaded model (text or image), and the way to give it
 * back. An explainer is made from a model's name (`fromPretrained`) or from a model already
 * loaded (`new SequenceClassificationExplainer(model)`, as transformers-interpret's explainers
 * take a model): explainers of several tasks can then share one model's weights, and disposing
 * any of them disposes it.
 */
export abstract class ModelExplainer<M extends { dispose(): Promise<void> }> {
  /** Its task: the name in the task table (worker/tasks.ts) and the options it reads (checkTaskOptions). */
  declare static readonly task: TaskRule;

  /** An explainer of `model`; a model this task cannot explain is an error naming what it lacks. */
  constructor(readonly model: M) {}

  /**
   * Loads the model (a hub id or a local folder; LoadOptions: device, engine, dtype...) and
   * makes the explainer of the class it is called on, e.g.
   * `SequenceClassificationExplainer.fromPretrained('distilbert-base-uncased-finetuned-sst-2-english')`.
   * A model the task cannot explain is disposed before the error is thrown.
   */
  static async fromPretrained<E>(
    this: (new (model: never) => E) & Pick<typeof ModelExplainer, 'loadModel'>,
    model: string,
    options: LoadOptions = {},
  ): Promise<E> {
    // biome-ignore lint/complexity/noThisInStatic: the class it is called on chooses the model kind (the image explainer overrides loadModel).
    const loaded = await this.loadModel(model, options);
    try {
      // loadModel gives the model kind this class's constructor takes.
      return new this(loaded as never);
    } catch (error) {
      await loaded.dispose();
      throw error;
    }
  }

  /** The kind of model this explainer explains, loaded: a text model (the image explainer loads an image model). */
  static loadModel(model: string, options: LoadOptions): Promise<{ dispose(): Promise<void> }> {
    return TextModel.load(model, options);
  }

  /**
   * Gives back the model's GPU memory (weights, pooled buffers) at once and releases its
   * onnxruntime sessions (the promise resolves when they are). Idempotent; any later call
   * throws a GlassboxError with code 'disposed'.
   */
  dispose(): Promise<void> {
    return this.model.dispose();
  }
}

/** An explainer of a classifier: the class labels of its model, in output order. */
export abstract class ClassifierExplainer<M extends { dispose(): Promise<void>; readonly labels: string[] }> extends ModelExplainer<M> {
  get labels(): string[] {
    return this.model.labels;
  }
}
