import type { Tensor } from '../backend/backend.ts';
import type { Ops } from '../backend/ops.ts';
import { GlassboxError } from '../errors.ts';
import { gradients } from '../gradients/registry.ts';
import { registerAllGradients } from '../gradients/index.ts';
import type { TracedValue } from './nonFinite.ts';
import type { Plan } from './plan.ts';

/** Ops whose outputs are piecewise constant in their inputs: gradients stop there. */
const NON_DIFFERENTIABLE = new Set([
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'And',
  'Or',
  'Xor',
  'Not',
  'Shape',
  'ConstantOfShape',
  'Range',
  'Floor',
  'Ceil',
]);

/**
 * Reverse pass over only the steps between the `wrt` tensors and the seeded outputs.
 * `env` is the forward environment; `seeds` maps output names to their cotangents.
 * Returns the gradient of each `wrt` tensor (zeros-free: a tensor no path reaches is absent).
 *
 * `overridden` names the tensors whose values the caller supplied. Such a tensor does not
 * depend on what would have computed it: a path starts at it and no gradient flows into its
 * producer. Any other `wrt` tensor (an intermediate "tap") gets its total gradient, the sum
 * over every path from it to the outputs, through other `wrt` tensors too (what PyTorch
 * hooks give), and the reverse pass continues through it to the tensors it depends on.
 */
export function backward<T extends Tensor>(
  plan: Plan,
  ops: Ops<T>,
  env: ReadonlyMap<string, T>,
  seeds: ReadonlyMap<string, T>,
  wrt: readonly string[],
  overridden: ReadonlySet<string>,
  /** Called with every gradient contribution as it is computed (to find where a gradient went non-finite). */
  trace?: (value: TracedValue) => void,
): Map<string, T> {
  registerAllGradients();
  const kept = new Set(wrt);
  const requiresGrad = new Set(wrt);
  const onPath: number[] = [];
  plan.steps.forEach((step, i) => {
    if (step.inputs.some((name) => name && requiresGrad.has(name))) {
      step.outputs.forEach((o) => o && !overridden.has(o) && requiresGrad.add(o));
      onPath.push(i);
    }
  });
  const grads = new Map<string, T>(seeds);
  const accumulate = (name: string, g: T) => {
    const prev = grads.get(name);
    grads.set(name, prev ? (ops.add(prev as never, g as never) as unknown as T) : g);
  };
  for (let k = onPath.length - 1; k >= 0; k--) {
    const step = plan.steps[onPath[k]!]!;
    // An overridden output's gradient stays with it: its value does not come from this step.
    const outGrads = step.outputs.map((o) => (o && !overridden.has(o) ? grads.get(o) : undefined));
    if (outGrads.every((g) => !g)) continue;
    if (NON_DIFFERENTIABLE.has(step.op)) continue;
    const vjp = gradients.get(step.op);
    if (!vjp) {
      throw new GlassboxError('no_gradient', `no gradient for op ${step.op} (node "${step.node.name}", ${step.node.opType})`);
    }
    const needs = step.inputs.map((name) => !!name && requiresGrad.has(name));
    const inputs = step.inputs.map((name) => (name ? env.get(name) : undefined));
    const outputs = step.outputs.map((name) => env.get(name)!);
    const inGrads = vjp({ ops: ops as unknown as Ops, inputs, outputs, attrs: step.attrs }, outGrads, needs);
    step.inputs.forEach((name, i) => {
      const g = inGrads[i];
      if (name && needs[i] && g) {
        accumulate(name, g as T);
        trace?.({ name, tensor: g as Tensor, step });
      }
    });
    for (const o of step.outputs) if (o && !kept.has(o)) grads.delete(o);
  }
  const out = new Map<string, T>();
  for (const w of wrt) {
    const g = grads.get(w);
    if (g) out.set(w, g);
  }
  return out;
}
