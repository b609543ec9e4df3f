import { InvalidInputError } from '../errors.ts';

export const INTEGRATION_METHODS = ['gausslegendre', 'riemann_trapezoid', 'riemann_left', 'riemann_right', 'riemann_middle'] as const;
export type IntegrationMethod = (typeof INTEGRATION_METHODS)[number];

export interface IntegrationScheme {
  /** Points along the path, in [0, 1]. */
  alphas: number[];
  /** Weight of each point (what Captum calls step sizes). */
  weights: number[];
}

/** torch.linspace in float32, as Captum's Riemann rules compute their points. */
function linspaceF32(start: number, end: number, n: number): number[] {
  const f = Math.fround;
  const step = f((end - start) / (n - 1));
  const half = Math.floor(n / 2);
  return Array.from({ length: n }, (_, i) => (i < half ? f(start + f(i * step)) : f(end - f((n - 1 - i) * step))));
}

/** Gauss-Legendre nodes and weights on [-1, 1] (numpy.polynomial.legendre.leggauss). */
export function legendreGauss(n: number): { nodes: number[]; weights: number[] } {
  const nodes = new Array<number>(n);
  const weights = new Array<number>(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    let p0 = 1;
    let p1 = x;
    for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
    dp = (n * (x * p1 - p0)) / (x * x - 1);
    const w = 2 / ((1 - x * x) * dp * dp);
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = weights[n - 1 - i] = w;
  }
  return { nodes, weights };
}

/** Most integration points a call may ask for: far past convergence (Captum's default is 50), short of hours of passes. */
export const MAX_STEPS = 10_000;

/** Captum's integration points and weights for IntegratedGradients(n_steps, method). */
export function integrationScheme(method: IntegrationMethod, steps: number): IntegrationScheme {
  if (!Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS)
    throw new InvalidInputError(`steps must be an integer from 1 to ${MAX_STEPS}, got ${steps}`, 'bad_steps');
  if (method === 'gausslegendre') {
    const { nodes, weights } = legendreGauss(steps);
    return { alphas: nodes.map((x) => 0.5 * (x + 1)), weights: weights.map((w) => 0.5 * w) };
  }
  if (!INTEGRATION_METHODS.includes(method)) {
    throw new InvalidInputError(`unknown integration method "${method}"; use one of ${INTEGRATION_METHODS.join(', ')}`, 'bad_integration');
  }
  if (steps < 2) throw new InvalidInputError(`${method} needs at least 2 steps, got ${steps}`, 'bad_steps');
  const weights = new Array<number>(steps).fill(1 / steps);
  if (method === 'riemann_trapezoid') {
    weights[0]! /= 2;
    weights[steps - 1]! /= 2;
    return { alphas: linspaceF32(0, 1, steps), weights };
  }
  const alphas =
    method === 'riemann_left'
      ? linspaceF32(0, 1 - 1 / steps, steps)
      : method === 'riemann_right'
        ? linspaceF32(1 / steps, 1, steps)
        : linspaceF32(1 / (2 * steps), 1 - 1 / (2 * steps), steps);
  return { alphas, weights };
}
