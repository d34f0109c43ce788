/**
 * How firmly a leaderboard orders each pair of algorithms: a paired bootstrap over its test
 * members. Each draw resamples the members with replacement and totals every algorithm's figure
 * over the drawn members; the share of draws in which one algorithm stays ahead of another says
 * how much their order owes to which members happened to be tested. The models are not refitted:
 * it measures the test sample's noise, not the training's.
 */
import { Random } from '../util/random.ts';

export const BOOTSTRAP_DRAWS = 1000;

/**
 * perMember[a][m]: algorithm a's figure for test member m, a term of a sum the metric orders
 * alike (a member's squared errors for RMSE, whose test ratings are the same for every
 * algorithm; a member's nDCG@10 for its mean). Returns ahead[a * n + b], the share of draws in
 * which a is strictly ahead of b (a lower sum when lowerIsBetter).
 */
export function aheadShares(
  perMember: readonly Float64Array[],
  lowerIsBetter: boolean,
  seed: number,
  draws = BOOTSTRAP_DRAWS,
): Float64Array {
  const n = perMember.length;
  const members = n === 0 ? 0 : perMember[0].length;
  for (const figures of perMember)
    if (figures.length !== members)
      throw new Error(
        `aheadShares: ${figures.length} members for one algorithm, ${members} for another`,
      );
  const ahead = new Float64Array(n * n);
  if (members === 0) return ahead;
  const random = new Random(seed);
  const times = new Int32Array(members);
  const totals = new Float64Array(n);
  const sign = lowerIsBetter ? -1 : 1;
  for (let d = 0; d < draws; d++) {
    times.fill(0);
    for (let k = 0; k < members; k++) times[random.int(members)]++;
    for (let a = 0; a < n; a++) {
      const figures = perMember[a];
      let total = 0;
      for (let m = 0; m < members; m++) total += times[m] * figures[m];
      totals[a] = sign * total;
    }
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) if (totals[a] > totals[b]) ahead[a * n + b]++;
  }
  for (let k = 0; k < ahead.length; k++) ahead[k] /= draws;
  return ahead;
}
