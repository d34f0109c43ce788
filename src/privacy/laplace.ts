/**
 * Differentially private per-movie statistics: rating counts and means released with Laplace
 * noise. The unit of privacy is one rating (event-level DP): adding or removing one rating changes
 * one movie's count by 1 and its (centred, clamped) rating sum by at most half the scale's width.
 * The budget ε is split evenly between counts and sums (sequential composition).
 */
import type { RatingScale, Ratings } from '../datasets/dataset.ts';
import type { Random } from '../util/random.ts';

/** A Laplace(0, scale) deviate by inverse transform sampling. */
export function laplace(scale: number, random: Random): number {
  let u = random.next() - 0.5;
  while (u === -0.5) u = random.next() - 0.5;
  return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

export interface DifferentiallyPrivateMovieStats {
  movieIds: Int32Array;
  /** Noisy counts, rounded and clamped at 0. */
  counts: Float64Array;
  /** Noisy means clamped to the scale; NaN when the noisy count is below 1. */
  means: Float64Array;
  budget: DpBudget;
}

export interface DpBudget {
  epsilon: number;
  unit: 'rating';
  counts: { epsilon: number; sensitivity: number; laplaceScale: number };
  sums: { epsilon: number; sensitivity: number; laplaceScale: number };
  /** Expected absolute error of a count (= its Laplace scale). */
  expectedCountError: number;
}

export function dpMovieStats(
  ratings: Ratings,
  scale: RatingScale,
  epsilon: number,
  random: Random,
): DifferentiallyPrivateMovieStats {
  if (!(epsilon > 0)) throw new Error('ε must be more than 0');
  const items = ratings.itemIds.size;
  const counts = new Float64Array(items);
  const sums = new Float64Array(items);
  const middle = (scale.min + scale.max) / 2;
  for (let r = 0; r < ratings.length; r++) {
    const clamped = Math.min(scale.max, Math.max(scale.min, ratings.rating[r]));
    counts[ratings.itemIndex[r]]++;
    sums[ratings.itemIndex[r]] += clamped - middle;
  }
  const countEpsilon = epsilon / 2;
  const sumEpsilon = epsilon / 2;
  const countSensitivity = 1;
  const sumSensitivity = (scale.max - scale.min) / 2;
  const countScale = countSensitivity / countEpsilon;
  const sumScale = sumSensitivity / sumEpsilon;
  const means = new Float64Array(items);
  for (let i = 0; i < items; i++) {
    const noisyCount = Math.max(0, Math.round(counts[i] + laplace(countScale, random)));
    const noisySum = sums[i] + laplace(sumScale, random);
    counts[i] = noisyCount;
    means[i] =
      noisyCount >= 1
        ? Math.min(scale.max, Math.max(scale.min, middle + noisySum / noisyCount))
        : NaN;
  }
  return {
    movieIds: ratings.itemIds.ids,
    counts,
    means,
    budget: {
      epsilon,
      unit: 'rating',
      counts: { epsilon: countEpsilon, sensitivity: countSensitivity, laplaceScale: countScale },
      sums: { epsilon: sumEpsilon, sensitivity: sumSensitivity, laplaceScale: sumScale },
      expectedCountError: countScale,
    },
  };
}

/** The statistics as CSV text: movieId,count,mean (mean empty when the count is 0). */
export function movieStatsCsv(stats: DifferentiallyPrivateMovieStats): string {
  const lines = ['movieId,count,mean'];
  for (let i = 0; i < stats.movieIds.length; i++) {
    const mean = Number.isNaN(stats.means[i]) ? '' : stats.means[i].toFixed(3);
    lines.push(`${stats.movieIds[i]},${stats.counts[i]},${mean}`);
  }
  return `${lines.join('\n')}\n`;
}
