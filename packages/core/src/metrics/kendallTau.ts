/**
 * Kendall's τ-b between two equally long lists, as scipy.stats.kendalltau computes it (its
 * default variant 'b', used by ferret's taucorr_loo): (concordant − discordant pairs) /
 * √(n₀ − n₁) / √(n₀ − n₂), n₀ = n(n − 1)/2 and n₁, n₂ the pairs tied in x and in y (a pair tied
 * in both counts in each and is neither concordant nor discordant), clipped to [−1, 1].
 * NaN, as scipy, with fewer than two values or when either list is constant. O(n²).
 */
export function kendallTauB(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`kendallTauB: ${n} and ${y.length} values`);
  let difference = 0;
  let xTies = 0;
  let yTies = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = x[i] === x[j] ? 0 : Math.sign(x[j]! - x[i]!);
      const dy = y[i] === y[j] ? 0 : Math.sign(y[j]! - y[i]!);
      if (dx === 0) xTies++;
      if (dy === 0) yTies++;
      difference += dx * dy;
    }
  }
  const total = (n * (n - 1)) / 2;
  if (n < 2 || xTies === total || yTies === total) return NaN;
  return Math.min(1, Math.max(-1, difference / Math.sqrt(total - xTies) / Math.sqrt(total - yTies)));
}
