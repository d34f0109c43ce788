/**
 * Kendall's rank correlation τ-b between two lists of scores of the same things (here: the
 * algorithms of a leaderboard measured on two datasets). τ-b corrects for ties:
 *
 *   τ_b = (C − D) / √((n₀ − n₁)(n₀ − n₂)),  n₀ = n(n − 1)/2,
 *
 * C and D the concordant and discordant pairs, n₁ and n₂ the pairs tied in x and in y (a pair tied
 * in both counts in both). 1: same order; −1: reversed; NaN when x or y is constant (no order to
 * compare) or there are fewer than two items. A leaderboard has a handful of entries, so the O(n²)
 * pair count is the simplest exact method.
 */
export function kendallTauB(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`kendallTauB: ${x.length} scores against ${y.length}`);
  const n = x.length;
  let concordant = 0;
  let discordant = 0;
  let tiedX = 0;
  let tiedY = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(x[i] - x[j]);
      const dy = Math.sign(y[i] - y[j]);
      if (dx === 0) tiedX++;
      if (dy === 0) tiedY++;
      if (dx === 0 || dy === 0) continue;
      if (dx === dy) concordant++;
      else discordant++;
    }
  }
  const pairs = (n * (n - 1)) / 2;
  const denominator = Math.sqrt((pairs - tiedX) * (pairs - tiedY));
  return denominator === 0 ? NaN : (concordant - discordant) / denominator;
}
