import { inputXGradient } from './inputXGradient.ts';
import { integratedGradients } from './integratedGradients.ts';
import { occlusion } from './occlusion.ts';
import { saliency } from './saliency.ts';
import { smoothgrad } from './smoothgrad.ts';
import { smoothgradSq } from './smoothgradSq.ts';
import { vargrad } from './vargrad.ts';

/**
 * Every image method, in the order errors and help list them (the first is the default): what
 * IMAGE_METHODS, IMAGE_METHOD_RULES, the dispatch in imageClassification.ts and the demo's
 * image page are made of. A new method: one file in this folder and one line here.
 */
export const IMAGE_METHOD_TABLE = [integratedGradients, saliency, inputXGradient, occlusion, smoothgrad, smoothgradSq, vargrad] as const;

export type ImageMethodName = (typeof IMAGE_METHOD_TABLE)[number]['name'];
