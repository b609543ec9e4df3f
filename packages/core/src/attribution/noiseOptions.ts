/** The noise tunnel's settings: `noise`, with `samples` and `seed` from the top level when noise leaves them out. */
export function noiseOptions<N extends { samples?: number; seed?: number }>(options: { noise?: N; samples?: number; seed?: number }): N {
  return { ...options.noise, samples: options.noise?.samples ?? options.samples, seed: options.noise?.seed ?? options.seed } as N;
}
