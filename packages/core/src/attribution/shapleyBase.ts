/**
 * What a Shapley method (KernelSHAP, Partition SHAP) reports next to its values, in the
 * explained score's units (a probability when the score is one): shap's `base_values` and
 * f(x), so that Σφ + baseValue = fx: the sum runs over every unit (token, word, sentence)
 * attributed, each counted once, before any L2 normalisation (the default 'none' keeps it).
 * Zero-shot shows the text's tokens only unless `includeHypothesis`; the hypothesis's share is
 * then not shown.
 */
export interface ShapleyBase {
  /** f of the input with every unit removed (the fully masked input). */
  baseValue: number;
  /** f of the input as given. */
  fx: number;
}

/** `{ baseValue, fx }` when `s` has them, else nothing: to spread into a result. */
export function shapleyBase(s: Partial<ShapleyBase>): Partial<ShapleyBase> {
  return s.baseValue === undefined || s.fx === undefined ? {} : { baseValue: s.baseValue, fx: s.fx };
}
