import { featureAblation } from './featureAblation.ts';
import { inputXGradient } from './inputXGradient.ts';
import { integratedGradients } from './integratedGradients.ts';
import { kernelShap } from './kernelShap.ts';
import { lime } from './lime.ts';
import { occlusion } from './occlusion.ts';
import { partitionShap } from './partitionShap.ts';
import { saliency } from './saliency.ts';
import { smoothgrad } from './smoothgrad.ts';
import { smoothgradSq } from './smoothgradSq.ts';
import { sobol } from './sobol.ts';
import type { GradientMethod, PerturbationMethod, TextMethod } from './textMethod.ts';
import { vargrad } from './vargrad.ts';

/**
 * Every text method, in the order errors and help list them (the first is the default): what
 * METHODS, GRADIENT_METHODS, PERTURBATION_METHODS, TEXT_METHOD_RULES, the dispatch in
 * attributeTokens.ts, the CLI's help and the demo's pickers are made of. A new method: one
 * file in this folder and one line here.
 */
export const TEXT_METHOD_TABLE = [
  integratedGradients,
  saliency,
  inputXGradient,
  occlusion,
  smoothgrad,
  smoothgradSq,
  vargrad,
  featureAblation,
  lime,
  kernelShap,
  partitionShap,
  sobol,
] as const;

export type MethodName = (typeof TEXT_METHOD_TABLE)[number]['name'];

const BY_NAME: ReadonlyMap<string, TextMethod<MethodName>> = new Map(TEXT_METHOD_TABLE.map((m) => [m.name, m]));

/** The table's entry of a method (a name resolveOptions has checked). */
export function textMethodOf(name: MethodName): TextMethod<MethodName> {
  return BY_NAME.get(name)!;
}

type Entry = (typeof TEXT_METHOD_TABLE)[number];
export type GradientMethodName = Extract<Entry, { family: 'gradient' }>['name'];
export type PerturbationMethodName = Extract<Entry, { family: 'perturbation' }>['name'];

/** The gradient methods, in table order. */
export const gradientMethods = (): GradientMethod<GradientMethodName>[] =>
  TEXT_METHOD_TABLE.filter((m): m is Extract<Entry, GradientMethod> => m.family === 'gradient');
/** The perturbation methods, in table order. */
export const perturbationMethods = (): PerturbationMethod<PerturbationMethodName>[] =>
  TEXT_METHOD_TABLE.filter((m): m is Extract<Entry, PerturbationMethod> => m.family === 'perturbation');
