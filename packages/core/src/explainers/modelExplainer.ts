/** What every task explainer holds: its loaded model (text or image), and the way to give it back. */
export abstract class ModelExplainer<M extends { dispose(): Promise<void> }> {
  protected constructor(readonly model: M) {}

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
