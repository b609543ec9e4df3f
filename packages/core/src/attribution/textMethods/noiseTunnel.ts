import { InvalidInputError } from '../../errors.ts';
import { NOISE_TUNNEL_METHODS, type NoiseTunnelType, noiseTunnel } from '../../methods/noiseTunnel.ts';
import type { GradientMethod } from './textMethod.ts';
import { noiseOptions } from '../noiseOptions.ts';
import { L2_DEFAULTS, NOISE_TUNNEL_OPTIONS } from './optionGroups.ts';

type NoiseTunnelName = keyof typeof NOISE_TUNNEL_METHODS;

/** The NoiseTunnel type of a SmoothGrad-family method; 'smoothgrad' also takes `noise.type`. */
function noiseTunnelType(method: NoiseTunnelName, asked: NoiseTunnelType | undefined): NoiseTunnelType {
  const byMethod = NOISE_TUNNEL_METHODS[method];
  if (method === 'smoothgrad' || asked === undefined || asked === byMethod) return asked ?? byMethod;
  throw new InvalidInputError(
    `method "${method}" is the noise tunnel "${byMethod}"; noise.type "${asked}" contradicts it (leave noise.type out)`,
    'bad_option',
  );
}

/** A SmoothGrad-family entry (Captum's NoiseTunnel over saliency): the methods smoothgrad.ts, smoothgradSq.ts and vargrad.ts. */
export const noiseTunnelMethod = <N extends NoiseTunnelName>(name: N, label: string): GradientMethod<N> => ({
  family: 'gradient',
  name,
  label,
  options: NOISE_TUNNEL_OPTIONS,
  defaults: L2_DEFAULTS,
  sharesPass: false,
  integrates: false,
  attribute: (fn, x, _baseline, options) =>
    noiseTunnel(fn, x, {
      ...noiseOptions(options),
      type: noiseTunnelType(name, options.noise?.type),
      internalBatchSize: options.internalBatchSize,
      onProgress: options.onProgress,
      signal: options.signal,
    }),
});
